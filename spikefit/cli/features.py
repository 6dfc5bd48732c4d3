"""``spikefit features SOURCE``: the feature table of a recording.

The table shows ms, mV, pA and MOhm (units in the column names); why a value is
missing goes below the table, or to stderr with ``--csv`` so that stdout stays clean CSV.
"""
from __future__ import annotations

import argparse
import sys

import pandas as pd

from ..data import resolve
from ..data.units import DISPLAY_UNITS
from ..features.efel_features import DEFAULT_FEATURES, extract_features

_DISPLAY = {**DISPLAY_UNITS, "Ohm": ("MOhm", 1e-6), "1": ("", 1.0)}


def add_command(subparsers) -> argparse.ArgumentParser:
    """Add the ``features`` command to the ``spikefit`` parser's subparsers."""
    parser = subparsers.add_parser(
        "features", help="print the eFEL feature table of a recording",
        description="Print one row per sweep and one column per eFEL feature of a recording.")
    parser.add_argument("source", metavar="SOURCE",
                        help="a recording file or folder that spikefit.load reads, a shipped sample "
                             "(spikefit.data.samples.names()) or a built-in reference (hh, hh_rs, hh_fs)")
    parser.add_argument("--names", metavar="A,B,...",
                        help="comma-separated eFEL feature names (default: " + ", ".join(DEFAULT_FEATURES) + ")")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="an eFEL setting in SI units, e.g. Threshold=-0.01 or interp_step=5e-5")
    parser.add_argument("--window", metavar="START,STOP",
                        help="stimulus window in s, instead of each sweep's (e.g. 0.7,2.7)")
    parser.add_argument("--csv", action="store_true", help="write CSV to stdout")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    """Print the feature table of ``args.source`` (``spikefit.data.resolve``); 0 on success."""
    recording = resolve(args.source)
    names = [n.strip() for n in args.names.split(",") if n.strip()] if args.names else None
    window = _parse_window(args.window) if args.window else None
    table = extract_features(recording, names, window=window, **_parse_settings(args.set))
    shown = display_table(table)
    order = {name: k for k, name in enumerate(table.columns)}
    reasons = sorted(table.attrs["reasons"].items(), key=lambda item: (item[0][0], order[item[0][1]]))
    notes = [f"sweep {row}: {name}: {why}" for (row, name), why in reasons]
    if args.csv:
        shown.to_csv(sys.stdout)
        for note in notes:
            print(note, file=sys.stderr)
    else:
        with pd.option_context("display.max_columns", None, "display.width", 200):
            print(shown.to_string(float_format=lambda x: f"{x:.4g}"))
        if notes:
            print("\nNaN means undefined:")
            print("\n".join("  " + note for note in notes))
    return 0


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The SI feature table in the units people read, units in the column names."""
    shown = {}
    for name in table.columns:
        unit, factor = _DISPLAY.get(table.attrs["units"][name], (table.attrs["units"][name], 1.0))
        shown[f"{name} ({unit})" if unit else name] = table[name] * factor
    return pd.DataFrame(shown, index=table.index)


def _parse_settings(items: list[str]) -> dict:
    settings = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--set must look like NAME=VALUE, got {item!r}")
        name, value = (x.strip() for x in item.split("=", 1))
        settings[name] = _number(value, f"--set {name}")
    return settings


def _parse_window(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError(f"--window must look like START,STOP in s, got {text!r}")
    return _number(parts[0], "--window start"), _number(parts[1], "--window stop")


def _number(text: str, name: str):
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return int(text) if text.lstrip("+-").isdigit() else float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text!r}") from None
