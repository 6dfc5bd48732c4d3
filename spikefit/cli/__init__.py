"""The ``spikefit`` command: one module per subcommand, each with ``add_command(subparsers)``.

``main(argv)`` runs it (the ``spikefit`` entry point; ``python -m spikefit.cli`` too). Bad input
exits 2 with the message of its ValueError; a diverged simulation exits 1.
"""
from __future__ import annotations

import argparse
import sys

from . import compare, features, fit, inspect, models, recover, simulate

COMMANDS = (simulate, models, inspect, features, fit, recover, compare)
"""The subcommands' modules, in the order ``spikefit --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The ``spikefit`` parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="spikefit", description="Fit point-neuron models to membrane-potential "
                                                                  "traces and compare them.")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (``sys.argv[1:]`` by default); the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as error:
        print(f"spikefit: error: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:  # SimulationDiverged
        print(f"spikefit: {error}", file=sys.stderr)
        return 1
