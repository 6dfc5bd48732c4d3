"""Tests of the spikefit command, one module per subcommand (a package, as their names repeat other rooms')."""
