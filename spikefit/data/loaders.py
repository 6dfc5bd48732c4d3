"""Reading recordings: ``load`` picks the reader by what the file is, checks what it read, builds the Recording.

Each reader (``abf``, ``nwb``, ``igor``, ``tabular``) returns the sweeps as the file holds them,
converted to SI units (a ``RawRecording``). Everything else happens here, once for every format:
choosing sweeps and protocols, the plausibility checks, the liquid-junction potential, the
stimulus window and mode, and the spike times. Errors name the file, the sweep and the problem;
a warning says when the stimulus was repaired (smoothed or rebuilt).
"""
from __future__ import annotations

import difflib
import math
import os
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..defaults import SPIKE_THRESHOLD
from .spikes import detect_spikes
from .stimulus import MAX_PLAUSIBLE_CURRENT, Stimulus
from .trace import Recording, Trace
from .units import to_si

# Plausibility limits of what a current-clamp recording of one neuron holds.
MAX_NEURON_CURRENT = 1e-8  # A; 10 nA: whole-cell steps stay below a few nA
MAX_VOLTAGE = 0.2  # V; a membrane potential stays within +-200 mV
MIN_VOLTAGE_SWING = 1e-3  # V; a potential that never leaves +-1 mV is not in V
MEDIAN_VOLTAGE_RANGE = (-0.13, -0.02)  # V; where a neuron sits most of a sweep
DT_RANGE = (1e-6, 1e-2)  # s; 1 MHz to 100 Hz sampling
MAX_LJP = 0.05  # V

STIMULUS_MODES = ("recorded", "smoothed", "ideal_step")

# Unit symbols as files write them -> (quantity, factor to SI).
UNITS = {
    "V": ("voltage", 1.0), "mV": ("voltage", 1e-3), "uV": ("voltage", 1e-6), "µV": ("voltage", 1e-6),
    "volt": ("voltage", 1.0), "volts": ("voltage", 1.0),
    "A": ("current", 1.0), "mA": ("current", 1e-3), "uA": ("current", 1e-6), "µA": ("current", 1e-6),
    "nA": ("current", 1e-9), "pA": ("current", 1e-12), "fA": ("current", 1e-15),
    "amp": ("current", 1.0), "amps": ("current", 1.0), "ampere": ("current", 1.0), "amperes": ("current", 1.0),
    "s": ("time", 1.0), "ms": ("time", 1e-3), "us": ("time", 1e-6), "µs": ("time", 1e-6),
    "second": ("time", 1.0), "seconds": ("time", 1.0),
}


class RecordingError(ValueError):
    """A recording that cannot be used as it is; the message names the file, the sweep and the problem."""


class RecordingNotFoundError(RecordingError, FileNotFoundError):
    """The file or folder given does not exist."""


def unit_factor(unit: str, quantity: str, where: str) -> float:
    """Factor that converts ``unit`` to SI, after checking that it measures ``quantity``.

    ``where`` names the file (and sweep or column) for the error message.
    """
    found = UNITS.get(str(unit).strip())
    if found is None or found[0] != quantity:
        known = ", ".join(u for u, (q, _) in UNITS.items() if q == quantity)
        raise RecordingError(f"{where}: unit {unit!r} is not a {quantity} unit; expected one of {known}")
    return found[1]


def unit_quantity(unit: str) -> str | None:
    """'voltage', 'current' or 'time' for a unit symbol, None for anything else (or no unit)."""
    found = UNITS.get(str(unit).strip())
    return found[0] if found else None


@dataclass(eq=False)
class RawSweep:
    """One sweep as a reader found it, in SI units, before any check or correction.

    ``units`` records the units the file stated (voltage, current, time);
    ``current_origin`` is "recorded" (a measured channel) or "command" (the protocol's waveform);
    ``index`` is the sweep's position among all the sweeps of the file.
    """

    v: np.ndarray
    current: np.ndarray
    dt: float
    name: str
    protocol: str | None
    source: str
    units: dict
    current_origin: str
    index: int
    metadata: dict = field(default_factory=dict)


@dataclass(eq=False)
class RawRecording:
    """A reader's result: sweeps in file order, and what the file says about the cell."""

    sweeps: list
    metadata: dict


@dataclass(frozen=True)
class LoadOptions:
    """Options of ``spikefit.load``, validated once (see ``load`` for their meaning)."""

    sweeps: object = None
    protocol: object = None
    ljp: float | None = None
    stimulus: str = "recorded"
    smooth_width: float = 2e-3
    window: object = "detect"
    spike_threshold: float | None = SPIKE_THRESHOLD
    max_current: float = MAX_NEURON_CURRENT
    cell: str | None = None
    metadata: Mapping | None = None
    channel_units: Mapping | None = None
    dt: float | None = None
    units: Mapping | None = None
    voltage_channel: object = None
    stimulus_folder: str | None = None

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        if self.stimulus not in STIMULUS_MODES:
            raise ValueError(f"stimulus must be one of {', '.join(STIMULUS_MODES)}, got stimulus={self.stimulus!r}")
        if self.ljp is not None:
            ljp = to_si(self.ljp, "V", "ljp")
            if not math.isfinite(ljp) or abs(ljp) > MAX_LJP:
                raise ValueError(f"ljp must be a potential within +-{MAX_LJP} V (14 mV is ljp=0.014), got ljp={ljp}")
            set_("ljp", float(ljp))
        for name in ("smooth_width", "max_current", "dt"):
            value = getattr(self, name)
            if value is not None:
                value = float(to_si(value, "s" if name != "max_current" else "A", name))
                if not (math.isfinite(value) and value > 0):
                    raise ValueError(f"{name} must be > 0, got {name}={value}")
                set_(name, value)
        if self.max_current > MAX_PLAUSIBLE_CURRENT:
            raise ValueError(f"max_current must be <= {MAX_PLAUSIBLE_CURRENT} A (what a Stimulus accepts), "
                             f"got max_current={self.max_current}")
        if self.spike_threshold is not None:
            set_("spike_threshold", float(to_si(self.spike_threshold, "V", "spike_threshold")))
        set_("window", _check_window_option(self.window))
        set_("protocol", _as_names(self.protocol, "protocol"))

    def changed(self) -> dict:
        """The options given that differ from their defaults, JSON-ready, for the metadata."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != f.default and f.name != "metadata":
                out[f.name] = _jsonable(value)
        return out


def _jsonable(value):
    if isinstance(value, os.PathLike):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_window_option(window):
    if window is None or window == "detect":
        return window
    try:
        start, stop = (float(to_si(w, "s", "window")) for w in window)
    except (TypeError, ValueError):
        raise ValueError(f"window must be 'detect', None or (start, stop) in s, got window={window!r}") from None
    if not 0 <= start < stop:
        raise ValueError(f"window must satisfy 0 <= start < stop, got window=({start}, {stop})")
    return (start, stop)


def _as_names(value, name):
    if value is None:
        return None
    names = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else None
    if not names or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{name} must be a name or a list of names, got {name}={value!r}")
    return names


# --------------------------------------------------------------------------------------------
# The dispatcher


_SUFFIXES = {".abf": "abf", ".nwb": "nwb", ".ibw": "ibw", ".csv": "csv", ".npz": "npz"}
_MAGIC = (
    (b"ABF2", "abf"), (b"ABF ", "abf"), (b"\x89HDF\r\n\x1a\n", "nwb"), (b"PK\x03\x04", "npz"),
    (b"PK\x05\x06", "npz"),
)
# Format -> the options that only apply to it.
_FORMAT_OPTIONS = {
    "channel_units": ("ibw",), "dt": ("ibw", "npz"), "units": ("csv", "npz"),
    "voltage_channel": ("abf",), "stimulus_folder": ("abf",),
}


def load(path, **options) -> Recording:
    """Read a current-clamp recording from a file (A, V and s inside; the file's units are converted).

    The reader is chosen by what the file is: Axon ``.abf`` (pyabf), NWB 2 ``.nwb`` (pynwb),
    Igor ``.ibw`` (a folder or a list of per-channel, per-sweep waves), ``.csv`` and ``.npz``
    with named columns and explicit units. ``.npz`` and ``.nwb`` files written by
    ``Recording.write`` read back identical.

    Parameters
    ----------
    path : str, Path or list of them
        A file, a folder of ``.ibw`` files, or a list of ``.ibw`` files.
    sweeps : int, str or list of them, optional
        Sweeps to keep: positions (0-based, in the file's order after ``protocol``) or names.
    protocol : str or list of str, optional
        Protocols to keep (names as the file gives them, e.g. "IDrest").
    ljp : float, optional
        Liquid-junction potential (V) to subtract from the voltage; not corrected unless given.
        The value applied (or 0) is recorded in the metadata as ``ljp_applied``.
    stimulus : {"recorded", "smoothed", "ideal_step"}
        The stimulus as the file holds it, smoothed (running median and mean over
        ``smooth_width`` s), or rebuilt as an ideal step from the detected window and levels.
    smooth_width : float
        Width (s) of the smoothing, 2 ms by default.
    window : "detect", None or (start, stop)
        The stimulus window: detected per protocol (default), none, or given in s.
    spike_threshold : float or None
        Spike times are upward crossings of this potential (V), -20 mV by default, found on the
        voltage before the liquid-junction correction; None leaves them unknown.
    max_current : float
        Largest plausible |current| (A), 10 nA by default.
    cell : str, optional
        Name of the cell, when the file's (file or folder name) will not do.
    metadata : mapping, optional
        More cell metadata (species, cell_type, ...), recorded as given.
    channel_units : mapping, optional
        Igor only: unit of each channel whose wave states none, e.g. ``{0: "pA", 3: "mV"}``;
        the unit decides which channel is the voltage and which the current.
    dt : float, optional
        Igor and NPZ only: the sampling interval (s) where the file does not state it.
    units : mapping, optional
        CSV and NPZ only: units of "time", "voltage" and "current" where the file gives none.
    voltage_channel : int or str, optional
        ABF only: the ADC channel (index or name) of the voltage, when there are several.
    stimulus_folder : str, optional
        ABF only: where the protocol's stimulus waveform file is, when not beside the ABF.

    Raises
    ------
    RecordingNotFoundError
        If the path does not exist.
    RecordingError
        If the file is of an unknown format, unreadable, or holds something implausible.
    """
    opts = _make_options(options)
    fmt = identify(path)
    _check_format_options(opts, fmt, path)
    if fmt == "abf":
        from .abf import read_abf as reader
    elif fmt == "nwb":
        from .nwb import read_nwb as reader
    elif fmt == "ibw":
        from .igor import read_igor as reader
    elif fmt == "csv":
        from .tabular import read_csv as reader
    else:
        from .tabular import read_npz as reader
    raw = reader(path, opts)
    if isinstance(raw, Recording):  # written by spikefit: already processed
        return raw
    return build_recording(raw, opts)


def _make_options(options: dict) -> LoadOptions:
    known = [f.name for f in fields(LoadOptions)]
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; options are {', '.join(known)}"
            raise TypeError(f"unknown option {name!r} for spikefit.load{hint}")
    return LoadOptions(**options)


def _check_format_options(opts: LoadOptions, fmt: str, path) -> None:
    for name, formats in _FORMAT_OPTIONS.items():
        if getattr(opts, name) is not None and fmt not in formats:
            raise ValueError(f"{path}: option {name} applies to {' and '.join(formats)} files, not to {fmt}")


def identify(path) -> str:
    """The format of ``path``: "abf", "nwb", "ibw", "csv" or "npz" (a folder or list is "ibw")."""
    if isinstance(path, (list, tuple)):
        if not path:
            raise RecordingError("an empty list of files holds no recording")
        for p in path:
            if identify(p) != "ibw":
                raise RecordingError(f"{p}: a list of files must hold Igor .ibw waves only")
        return "ibw"
    path = Path(path)
    if not path.exists():
        raise RecordingNotFoundError(f"{path}: no such file or folder")
    if path.is_dir():
        return "ibw"
    with open(path, "rb") as f:
        head = f.read(8)
    sniffed = next((fmt for magic, fmt in _MAGIC if head.startswith(magic)), None)
    if sniffed is None and _looks_like_ibw(head):
        sniffed = "ibw"
    by_suffix = _SUFFIXES.get(path.suffix.lower())
    if by_suffix == "csv":
        return "csv"
    if by_suffix is not None and sniffed not in (None, by_suffix):
        raise RecordingError(f"{path}: named {path.suffix} but its content is a {sniffed} file")
    if by_suffix is not None:
        if sniffed is None:
            raise RecordingError(f"{path}: not a valid {path.suffix} file (its first bytes are {head!r}); "
                                 "is it truncated or corrupt?")
        return by_suffix
    if sniffed is None:
        raise RecordingError(f"{path}: unknown format; spikefit reads .abf, .nwb, .ibw (or a folder of them), "
                             ".csv and .npz")
    return sniffed


def _looks_like_ibw(head: bytes) -> bool:
    # An Igor binary wave starts with its version (1, 2, 3 or 5) as a 16-bit integer.
    return len(head) >= 2 and (head[:2] in {b"\x00\x01", b"\x00\x02", b"\x00\x03", b"\x00\x05"}
                               or head[:2] in {b"\x01\x00", b"\x02\x00", b"\x03\x00", b"\x05\x00"})


# --------------------------------------------------------------------------------------------
# From raw sweeps to a Recording


def build_recording(raw: RawRecording, opts: LoadOptions) -> Recording:
    """Select, check and correct a reader's sweeps, and build the Recording."""
    sweeps = select_sweeps(raw, opts)
    for sweep in sweeps:
        check_sweep(sweep, opts.max_current)
    windows = _windows(sweeps, opts)
    cell = opts.cell if opts.cell is not None else raw.metadata.get("cell")
    traces = [_trace(sweep, windows[id(sweep)], opts, cell) for sweep in sweeps]
    _warn_repairs(sweeps, windows, opts)
    return Recording(tuple(traces), _recording_metadata(raw, sweeps, opts))


def select_sweeps(raw: RawRecording, opts: LoadOptions) -> list:
    """The sweeps of the protocols and at the positions or names asked for, in file order."""
    source = raw.metadata.get("source", "?")
    sweeps = list(raw.sweeps)
    if not sweeps:
        raise RecordingError(f"{source}: holds no sweeps")
    if opts.protocol is not None:
        available = sorted({str(s.protocol) for s in sweeps})
        missing = [p for p in opts.protocol if p not in available]
        if missing:
            raise RecordingError(f"{source}: no protocol {missing[0]!r}; protocols are {', '.join(available)}")
        sweeps = [s for s in sweeps if str(s.protocol) in opts.protocol]
    if opts.sweeps is None:
        return sweeps
    wanted = [opts.sweeps] if isinstance(opts.sweeps, (int, str, np.integer)) else list(opts.sweeps)
    names = [s.name for s in sweeps]
    chosen = []
    for item in wanted:
        if isinstance(item, str):
            if item not in names:
                raise RecordingError(f"{source}: no sweep named {item!r}; sweeps are {_short(names)}")
            index = names.index(item)
        elif isinstance(item, (int, np.integer)) and not isinstance(item, bool) and 0 <= item < len(sweeps):
            index = int(item)
        else:
            raise RecordingError(f"{source}: sweep {item!r} is not a name nor a position in 0..{len(sweeps) - 1}")
        if sweeps[index] in chosen:
            raise RecordingError(f"{source}: sweep {item!r} asked for twice")
        chosen.append(sweeps[index])
    return chosen


def _short(names: Sequence[str], n: int = 12) -> str:
    return ", ".join(names[:n]) + (f", ... ({len(names)} in all)" if len(names) > n else "")


def where(sweep: RawSweep) -> str:
    """'file: sweep NAME' for error messages."""
    return f"{sweep.source}: sweep {sweep.name}"


def check_sweep(sweep: RawSweep, max_current: float = MAX_NEURON_CURRENT) -> None:
    """Raise RecordingError unless the sweep is a plausible current-clamp recording of a neuron."""
    v, current = np.asarray(sweep.v, dtype=float), np.asarray(sweep.current, dtype=float)
    if v.size == 0 or current.size == 0:
        raise RecordingError(f"{where(sweep)}: empty sweep (voltage has {v.size} samples, current {current.size})")
    if v.ndim != 1 or current.ndim != 1 or v.size != current.size:
        raise RecordingError(f"{where(sweep)}: voltage and current must have the same length, got "
                             f"{v.size} voltage and {current.size} current samples")
    if not (math.isfinite(sweep.dt) and DT_RANGE[0] <= sweep.dt <= DT_RANGE[1]):
        raise RecordingError(f"{where(sweep)}: sampling interval {sweep.dt} s is outside "
                             f"{DT_RANGE[0]}..{DT_RANGE[1]} s; "
                             f"is the time unit right (file says {sweep.units.get('time')!r})?")
    _check_finite(v, "voltage", sweep)
    _check_finite(current, "current", sweep)
    _check_voltage(v, sweep)
    peak = float(np.abs(current).max())
    if peak > max_current:
        raise RecordingError(
            f"{where(sweep)}: current reaches {peak * 1e12:.4g} pA, beyond the +-{max_current * 1e12:.4g} pA "
            f"plausible for a neuron (max_current); is the unit right (file says "
            f"{sweep.units.get('current')!r}) or is this the voltage channel?")


def _check_finite(x: np.ndarray, name: str, sweep: RawSweep) -> None:
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise RecordingError(f"{where(sweep)}: {name} has {bad.size} NaN or infinite samples, the first at sample "
                             f"{bad[0]} (t = {bad[0] * sweep.dt:.6g} s)")


def _check_voltage(v: np.ndarray, sweep: RawSweep) -> None:
    unit = sweep.units.get("voltage")
    peak, median = float(np.abs(v).max()), float(np.median(v))
    if peak > MAX_VOLTAGE:
        problem = f"reaches {peak * 1e3:.4g} mV, beyond the +-{MAX_VOLTAGE * 1e3:.0f} mV of a membrane potential"
    elif peak < MIN_VOLTAGE_SWING:
        problem = f"never leaves +-{MIN_VOLTAGE_SWING * 1e3:.0f} mV (largest |v| {peak * 1e3:.3g} mV)"
    elif not MEDIAN_VOLTAGE_RANGE[0] <= median <= MEDIAN_VOLTAGE_RANGE[1]:
        low, high = (x * 1e3 for x in MEDIAN_VOLTAGE_RANGE)
        problem = f"sits at {median * 1e3:.4g} mV (median), outside the {low:.0f}..{high:.0f} mV of a neuron"
    else:
        return
    raise RecordingError(f"{where(sweep)}: voltage {problem}; is the unit right (file says {unit!r}) "
                         "or is this the current channel?")


def _windows(sweeps: list, opts: LoadOptions) -> dict:
    """The stimulus window of each sweep (by id), detected per protocol and time base."""
    from .stimulus_processing import StimulusWindow, detect_window

    if opts.window is None:
        return {id(s): None for s in sweeps}
    if opts.window != "detect":
        given = StimulusWindow(*opts.window, "given")
        for s in sweeps:
            if given.stop > s.v.size * s.dt + 1e-12:
                raise RecordingError(f"{where(s)}: window {opts.window} s ends after the sweep ({s.v.size * s.dt:g} s)")
        return {id(s): given for s in sweeps}
    groups: dict = {}
    for s in sweeps:
        groups.setdefault((s.protocol, s.v.size, s.dt), []).append(s)
    windows = {}
    for (_, _, dt), group in groups.items():
        window = detect_window(np.array([s.current for s in group]), dt)
        windows.update({id(s): window for s in group})
    return windows


def _trace(sweep: RawSweep, window, opts: LoadOptions, cell: str | None) -> Trace:
    from .stimulus_processing import ideal_step, smooth_current, step_levels

    holding = amplitude = None
    if window is not None and window.is_step:
        holding, amplitude = step_levels(sweep.current, sweep.dt, window.start, window.stop)
    current = np.asarray(sweep.current, dtype=float)
    if opts.stimulus == "smoothed":
        current = smooth_current(current, sweep.dt, opts.smooth_width)
    elif opts.stimulus == "ideal_step":
        if amplitude is None:
            kind = "no window" if window is None else f"a {window.kind}, not a step"
            raise RecordingError(f"{where(sweep)}: stimulus='ideal_step' needs a step protocol, but the stimulus "
                                 f"of protocol {sweep.protocol!r} has {kind}")
        current = ideal_step(current.size, sweep.dt, window.start, window.stop, holding, amplitude)
    ljp = opts.ljp or 0.0
    spikes = None if opts.spike_threshold is None else detect_spikes(sweep.v, sweep.dt, opts.spike_threshold)
    stimulus = Stimulus(current, sweep.dt,
                        None if window is None else window.start, None if window is None else window.stop,
                        {"protocol": sweep.protocol, "amplitude": amplitude, "holding": holding,
                         "window": None if window is None else window.kind,
                         "origin": sweep.current_origin, "mode": opts.stimulus})
    metadata = {
        "cell": cell, "source": sweep.source, "sweep": sweep.index,
        "sweep_name": sweep.name, "protocol": sweep.protocol, "sampling_rate": 1.0 / sweep.dt,
        "units": dict(sweep.units), "current_origin": sweep.current_origin, "ljp_applied": ljp,
        "stimulus_mode": opts.stimulus, "spike_threshold": opts.spike_threshold, **sweep.metadata,
    }
    return Trace(np.asarray(sweep.v, dtype=float) - ljp, stimulus, spikes, metadata)


def _warn_repairs(sweeps: list, windows: dict, opts: LoadOptions) -> None:
    if opts.stimulus == "recorded" or not sweeps:
        return
    source = sweeps[0].source if len({s.source for s in sweeps}) == 1 else "the files"
    if opts.stimulus == "smoothed":
        warnings.warn(f"{source}: stimulus of {len(sweeps)} sweeps smoothed (running median 1 ms, running mean "
                      f"{opts.smooth_width * 1e3:g} ms); the file's current is not used as recorded", stacklevel=4)
        return
    kinds = sorted({windows[id(s)].kind for s in sweeps})
    warnings.warn(f"{source}: stimulus of {len(sweeps)} sweeps rebuilt as ideal steps from the window "
                  f"({', '.join(kinds)}) and the holding and step levels; the file's current is not used, and any "
                  "other part of the protocol (prepulse, second step) is dropped", stacklevel=4)


def _recording_metadata(raw: RawRecording, sweeps: list, opts: LoadOptions) -> dict:
    metadata = {"cell": None, "species": None, "cell_type": None, **raw.metadata}
    if opts.cell is not None:
        metadata["cell"] = opts.cell
    for key, value in (opts.metadata or {}).items():
        if metadata.get(key) not in (None, value):
            raise ValueError(f"{metadata.get('source')}: metadata {key}={value!r} contradicts the file's "
                             f"{key}={metadata[key]!r}")
        metadata[key] = _jsonable(value)
    protocols = []
    for s in sweeps:
        if s.protocol not in protocols:
            protocols.append(s.protocol)
    metadata.update(protocols=protocols, n_sweeps=len(sweeps), ljp_applied=opts.ljp or 0.0,
                    stimulus_mode=opts.stimulus, options=opts.changed())
    return metadata


# Options that process what a file holds, and so do not apply to a Recording written by spikefit.
_PROCESSING_OPTIONS = ("ljp", "stimulus", "smooth_width", "window", "spike_threshold", "max_current", "cell",
                       "metadata")


def select_written(recording: Recording, opts: LoadOptions, source: str) -> Recording:
    """The sweeps asked for of a Recording that spikefit wrote; it was processed when it was loaded."""
    defaults = {f.name: f.default for f in fields(LoadOptions)}
    given = [name for name in _PROCESSING_OPTIONS if getattr(opts, name) != defaults[name]]
    if given:
        raise RecordingError(f"{source}: holds a Recording written by spikefit, processed when it was first loaded "
                             f"(ljp_applied={recording.metadata.get('ljp_applied')}, stimulus_mode="
                             f"{recording.metadata.get('stimulus_mode')!r}); option {given[0]} does not apply")
    if opts.sweeps is None and opts.protocol is None:
        return recording
    raw = RawRecording([RawSweep(t.v, t.current, t.dt, str(t.metadata.get("sweep_name", i)), t.metadata.get("protocol"),
                                 source, {}, "", i, {"trace": t}) for i, t in enumerate(recording)],
                       {"source": source})
    chosen = [s.metadata["trace"] for s in select_sweeps(raw, opts)]
    return Recording(tuple(chosen), recording.metadata)
