"""``python -m spikefit.cli``: the ``spikefit`` command."""
import sys

from . import main

sys.exit(main())
