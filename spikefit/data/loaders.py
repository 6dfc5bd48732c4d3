"""Reading recordings: ``load`` picks the reader by what the file is, checks what it read, builds the Recording.

Each reader (``abf``, ``nwb``, ``igor``, ``tabular``) returns the sweeps as the file holds them,
converted to SI units (a ``RawRecording``), or, for a file that spikefit wrote, its description and
arrays (a ``WrittenRecording``). Everything else happens here, once for every format: choosing
sweeps and protocols, the plausibility checks (``checks``), the liquid-junction potential, the
stimulus window and mode, and the spike times. Errors name the file, the sweep and the problem;
a warning says when the stimulus was repaired (smoothed or rebuilt).
"""
from __future__ import annotations

import warnings
from dataclasses import fields
from pathlib import Path
from typing import Sequence

import numpy as np

from .abf import read_abf
from .checks import check_sweep, where
from .igor import read_igor
from .load_options import LoadOptions, check_format_options, jsonable, make_options
from .nwb import read_nwb
from .raw import (ProcessedRecordingError, RawRecording, RawSweep, RecordingError, RecordingNotFoundError,
                  WrittenRecording)
from .spikes import detect_spikes
from .stimulus import Stimulus
from .tabular import read_csv, read_npz
from .trace import Recording, Trace


# --------------------------------------------------------------------------------------------
# The dispatcher


_SUFFIXES = {".abf": "abf", ".nwb": "nwb", ".ibw": "ibw", ".csv": "csv", ".npz": "npz"}
_MAGIC = (
    (b"ABF2", "abf"), (b"ABF ", "abf"), (b"\x89HDF\r\n\x1a\n", "nwb"), (b"PK\x03\x04", "npz"),
    (b"PK\x05\x06", "npz"),
)
_READERS = {"abf": read_abf, "nwb": read_nwb, "ibw": read_igor, "csv": read_csv, "npz": read_npz}


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
    opts = make_options(options)
    fmt = identify(path)
    check_format_options(opts, fmt, path)
    raw = _READERS[fmt](path, opts)
    if isinstance(raw, WrittenRecording):  # written by spikefit: already processed
        return select_written(rebuild(raw), opts, raw.source)
    return build_recording(raw, opts)




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
# From raw sweeps, or a Recording that spikefit wrote, to a Recording


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
        metadata[key] = jsonable(value)
    protocols = []
    for s in sweeps:
        if s.protocol not in protocols:
            protocols.append(s.protocol)
    metadata.update(protocols=protocols, n_sweeps=len(sweeps), ljp_applied=opts.ljp or 0.0,
                    stimulus_mode=opts.stimulus, options=opts.changed())
    return metadata


def rebuild(written: WrittenRecording) -> Recording:
    """The Recording that spikefit wrote, from its description and one (voltage, current) pair per sweep."""
    sweeps, source = written.description["sweeps"], written.source
    if len(written.arrays) != len(sweeps):
        raise RecordingError(f"{source}: {len(sweeps)} sweeps described but {len(written.arrays)} stored")
    traces = []
    for info, (v, current) in zip(sweeps, written.arrays):
        stimulus = Stimulus(current, info["dt"], info["start"], info["stop"], info["stimulus_metadata"])
        traces.append(Trace(v, stimulus, info["spike_times"], info["metadata"]))
    return Recording(tuple(traces), written.description["metadata"])


# Options that process what a file holds, and so do not apply to a Recording written by spikefit.
_PROCESSING_OPTIONS = ("ljp", "stimulus", "smooth_width", "window", "spike_threshold", "max_current", "cell",
                       "metadata")


def select_written(recording: Recording, opts: LoadOptions, source: str) -> Recording:
    """The sweeps asked for of a Recording that spikefit wrote; it was processed when it was loaded."""
    defaults = {f.name: f.default for f in fields(LoadOptions)}
    given = [name for name in _PROCESSING_OPTIONS if getattr(opts, name) != defaults[name]]
    if given:
        raise ProcessedRecordingError(f"{source}: holds a Recording written by spikefit, processed when it was first loaded "
                             f"(ljp_applied={recording.metadata.get('ljp_applied')}, stimulus_mode="
                             f"{recording.metadata.get('stimulus_mode')!r}); option {given[0]} does not apply")
    if opts.sweeps is None and opts.protocol is None:
        return recording
    raw = RawRecording([RawSweep(t.v, t.current, t.dt, str(t.metadata.get("sweep_name", i)), t.metadata.get("protocol"),
                                 source, {}, "", i, {"trace": t}) for i, t in enumerate(recording)],
                       {"source": source})
    chosen = [s.metadata["trace"] for s in select_sweeps(raw, opts)]
    return Recording(tuple(chosen), recording.metadata)
