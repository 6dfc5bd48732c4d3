"""``spikefit inspect SOURCE``: print what was read from a recording, sweep by sweep."""
from __future__ import annotations

from ..data import resolve
from ..data.inspect import describe
from ..data.load_options import STIMULUS_MODES
from ..data.sources import DEFAULT_STIMULUS
from ..data.units import parse_quantity


def add_command(subparsers) -> None:
    """Add ``inspect`` to the ``spikefit`` parser's subparsers."""
    p = subparsers.add_parser("inspect", help="print the sweeps, rates, stimulus amplitudes and spike counts "
                                              "read from a recording")
    p.add_argument("path", nargs="+", help="an .abf, .nwb, .csv or .npz file, a folder of .ibw files, .ibw files, "
                                           "the name of a shipped sample (spikefit.data.samples.names()) or a "
                                           "built-in reference (hh, hh_rs, hh_fs)")
    p.add_argument("--protocol", action="append", help="keep this protocol only (repeat for several)")
    p.add_argument("--sweeps", help="sweeps to keep by position, comma-separated: 0,2,5")
    p.add_argument("--sweep-names", help="sweeps to keep by name, comma-separated: 326,328 (Igor sweep numbers)")
    p.add_argument("--ljp", help="liquid-junction potential to subtract, e.g. 14mV (not corrected by default)")
    p.add_argument("--stimulus", choices=STIMULUS_MODES,
                   help=f"the stimulus as recorded, smoothed, or rebuilt as an ideal step (default {DEFAULT_STIMULUS}, "
                        f"as every command, and a Recording spikefit wrote as written)")
    p.add_argument("--threshold", help="spike threshold (default -20 mV, as eFEL)")
    p.add_argument("--channel-units", action="append", default=[], metavar="CHANNEL=UNIT",
                   help="Igor waves without units: the unit of a channel, e.g. 0=pA and 3=mV")
    p.add_argument("--units", action="append", default=[], metavar="QUANTITY=UNIT",
                   help="CSV/NPZ without units: time=ms, voltage=mV, current=pA")
    p.set_defaults(run=run)


def run(args) -> int:
    """Resolve ``args.path`` with the options given and print what was read; 0 on success."""
    options = {}
    if args.threshold:
        options["spike_threshold"] = parse_quantity(args.threshold, "V", "--threshold")
    if args.protocol:
        options["protocol"] = args.protocol
    if args.sweeps or args.sweep_names:
        options["sweeps"] = _positions(args.sweeps) + _names(args.sweep_names)
    if args.ljp:
        options["ljp"] = parse_quantity(args.ljp, "V", "--ljp")
    if args.channel_units:
        options["channel_units"] = _pairs(args.channel_units, "--channel-units")
    if args.units:
        options["units"] = _pairs(args.units, "--units")
    source = args.path[0] if len(args.path) == 1 else args.path
    print(describe(resolve(source, stimulus=args.stimulus, **options)))
    return 0


def _positions(text: str | None) -> list[int]:
    items = [t.strip() for t in (text or "").split(",") if t.strip()]
    if not all(t.isdigit() for t in items):
        raise ValueError(f"--sweeps must list positions such as 0,2,5, got {text!r} (names go to --sweep-names)")
    return [int(t) for t in items]


def _names(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _pairs(items: list[str], flag: str) -> dict:
    pairs = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"{flag} must look like NAME=UNIT, got {item!r}")
        key, unit = (x.strip() for x in item.split("=", 1))
        pairs[key] = unit
    return pairs
