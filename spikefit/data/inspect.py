"""``spikefit inspect PATH``: print what was read from a recording, sweep by sweep.

Registered on the ``spikefit`` command by ``spikefit.cli.build_parser``.
"""
from __future__ import annotations

import numpy as np

from .trace import Recording


def add_inspect_command(subparsers) -> None:
    """Register ``inspect`` on the ``spikefit`` command's subparsers."""
    p = subparsers.add_parser("inspect", help="print the sweeps, rates, stimulus amplitudes and spike counts "
                                              "read from a recording")
    p.add_argument("path", nargs="+", help="an .abf, .nwb, .csv or .npz file, a folder of .ibw files, .ibw files, "
                                           "or the name of a shipped sample (spikefit.data.samples.names())")
    p.add_argument("--protocol", action="append", help="keep this protocol only (repeat for several)")
    p.add_argument("--sweeps", help="sweeps to keep by position, comma-separated: 0,2,5")
    p.add_argument("--sweep-names", help="sweeps to keep by name, comma-separated: 326,328 (Igor sweep numbers)")
    p.add_argument("--ljp", help="liquid-junction potential to subtract, e.g. 14mV (not corrected by default)")
    p.add_argument("--stimulus", default="recorded", choices=["recorded", "smoothed", "ideal_step"],
                   help="the stimulus as recorded (default), smoothed, or rebuilt as an ideal step")
    p.add_argument("--threshold", default="-20mV", help="spike threshold (default -20 mV, as eFEL)")
    p.add_argument("--channel-units", action="append", default=[], metavar="CHANNEL=UNIT",
                   help="Igor waves without units: the unit of a channel, e.g. 0=pA and 3=mV")
    p.add_argument("--units", action="append", default=[], metavar="QUANTITY=UNIT",
                   help="CSV/NPZ without units: time=ms, voltage=mV, current=pA")
    p.set_defaults(run=cmd_inspect)


def cmd_inspect(args) -> int:
    """Load ``args.path`` with the options given and print what was read."""
    from ..cli import parse_quantity
    from . import samples

    options = {"stimulus": args.stimulus, "spike_threshold": parse_quantity(args.threshold, "V", "--threshold")}
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
    print(describe(samples.load_path_or_sample(args.path, **options)))
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


def describe(recording: Recording) -> str:
    """A table of the recording's cell and sweeps: rate, window, holding, step amplitude, resting potential, spikes."""
    meta = recording.metadata
    lines = [f"cell {meta.get('cell')} ({meta.get('format')}): {len(recording)} sweeps from {meta.get('source')}"]
    known = [f"{k} {meta[k]}" for k in ("species", "cell_type") if meta.get(k)]
    if known:
        lines.append("; ".join(known))
    lines.append(f"liquid-junction potential applied: {meta.get('ljp_applied', 0.0) * 1e3:g} mV; "
                 f"stimulus: {meta.get('stimulus_mode')}")
    width = max([5] + [len(str(t.metadata.get("sweep_name", i))) for i, t in enumerate(recording)])
    lines.append(f"{'#':>3} {'sweep':>{width}} {'protocol':<24} {'kHz':>6} {'ms':>7} {'window (ms)':>17} "
                 f"{'hold (pA)':>9} {'step (pA)':>9} {'Vrest (mV)':>10} {'spikes':>6}")
    lines += [_row(i, trace, width) for i, trace in enumerate(recording)]
    return "\n".join(lines)


def _row(i: int, trace, width: int) -> str:
    stim, meta = trace.stimulus, trace.metadata
    window = "-" if stim.start is None else f"{stim.start * 1e3:.1f}-{stim.stop * 1e3:.1f}"
    hold, amp = stim.metadata.get("holding"), stim.metadata.get("amplitude")
    # Resting potential: the median before the stimulus window (or over the whole sweep).
    before = trace.v[:max(1, int(round((stim.start or stim.duration) / trace.dt)))]
    spikes = "?" if trace.spike_times is None else str(len(trace.spike_times))
    return (f"{i:>3} {str(meta.get('sweep_name', i)):>{width}} {str(meta.get('protocol'))[:24]:<24} "
            f"{1e-3 / trace.dt:>6.4g} {stim.duration * 1e3:>7.1f} {window:>17} {_pa(hold):>9} {_pa(amp):>9} "
            f"{np.median(before) * 1e3:>10.1f} {spikes:>6}")


def _pa(value) -> str:
    return "-" if value is None else str(int(round(value * 1e12)))
