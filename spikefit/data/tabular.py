"""CSV and NPZ recordings with named columns and explicit units, and the NPZ and CSV that spikefit writes.

CSV: a header names the columns ``time``, ``voltage``, ``current`` (and optionally ``sweep`` and
``protocol``), each with its unit in brackets: ``time [ms], voltage [mV], current [pA]``; or the
units come from ``units={"time": "ms", ...}``. One row per sample; rows of a sweep are consecutive.

NPZ: arrays ``voltage`` and ``current`` (one sweep per row, or 1-D for one sweep), ``time`` (shared
1-D or one row per sweep) or ``dt`` given to ``load``, units in ``voltage_unit``, ``current_unit``,
``time_unit`` or ``units=``; optionally ``sweep_names`` and ``protocol``. An NPZ that spikefit
wrote (``write_npz``) holds the whole Recording and reads back identical.
"""
from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import numpy as np

from . import serialize
from .raw import RawRecording, RawSweep, RecordingError, WrittenRecording, unit_factor

_HEADER = re.compile(r"^\s*([A-Za-z_]+)\s*(?:[\[(]\s*([^\])]*?)\s*[\])])?\s*$")
_QUANTITIES = ("time", "voltage", "current")
_CSV_COLUMNS = (*_QUANTITIES, "sweep", "protocol")
_NPZ_KEYS = ("voltage", "current", "time", "voltage_unit", "current_unit", "time_unit", "sweep_names", "protocol")
_WRITTEN_KEY = "spikefit"


# ------------------------------------------------------------------------------------------ CSV


def read_csv(path, opts) -> RawRecording:
    """Sweeps of a CSV file with named columns and explicit units, in SI units."""
    import pandas as pd

    path = Path(path)
    try:
        header = _csv_header(path)
        table = pd.read_csv(path, comment="#", skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as error:
        raise RecordingError(f"{path}: not a readable CSV table ({str(error).strip()[:120]})") from None
    columns, units = _csv_columns(header, path, opts.units)
    table.columns = header
    values = {q: _numeric(table[columns[q]], path, columns[q]) for q in _QUANTITIES}
    labels = table[columns["sweep"]] if "sweep" in columns else pd.Series(np.zeros(len(table), dtype=int))
    sweeps = []
    for index, (label, rows) in enumerate(labels.groupby(labels, sort=False).groups.items()):
        rows = np.asarray(rows)
        protocol = str(table[columns["protocol"]].iloc[rows[0]]) if "protocol" in columns else None
        sweep = _sweep(values["time"][rows], values["voltage"][rows], values["current"][rows], units,
                       _name(label), protocol, str(path), index)
        sweeps.append(sweep)
    return RawRecording(sweeps, {"cell": path.stem, "source": str(path), "format": "csv"})


def _csv_header(path: Path) -> list[str]:
    # Read here rather than by pandas, which renames a repeated column ("voltage.1").
    with open(path, newline="") as f:
        for row in csv.reader(f, skipinitialspace=True):
            if row and not row[0].lstrip().startswith("#"):
                return row
    raise csv.Error("no header row")


def _csv_columns(header, path, given_units) -> tuple[dict, dict]:
    columns, units = {}, {}
    for raw in header:
        match = _HEADER.match(str(raw))
        name = match.group(1).lower() if match else None
        if name not in _CSV_COLUMNS:
            raise RecordingError(f"{path}: column {raw!r} is not one of {', '.join(_CSV_COLUMNS)} "
                                 "(with units: 'voltage [mV]')")
        if name in columns:
            raise RecordingError(f"{path}: column {name!r} given twice")
        columns[name] = raw
        if name in _QUANTITIES:
            units[name] = match.group(2) or None
    missing = [q for q in _QUANTITIES if q not in columns]
    if missing:
        raise RecordingError(f"{path}: no {missing[0]!r} column; columns must be time, voltage and current, with units")
    return columns, _merge_units(units, given_units, path)


def _merge_units(found: dict, given, path) -> dict:
    """Units of time, voltage and current: the file's, or the caller's where the file gives none."""
    given = dict(given or {})
    unknown = set(given) - set(_QUANTITIES)
    if unknown:
        raise ValueError(f"units keys must be time, voltage and current, got {sorted(unknown)}")
    units = {}
    for q in _QUANTITIES:
        if found.get(q) and given.get(q) and found[q] != given[q]:
            raise RecordingError(f"{path}: {q} is in {found[q]!r} according to the file but units says {given[q]!r}")
        unit = found.get(q) or given.get(q)
        if not unit:
            raise RecordingError(f"{path}: the unit of {q} must be explicit: in the file (CSV header "
                                 f"'{q} [unit]', NPZ array '{q}_unit') or units={{'{q}': ...}}")
        unit_factor(unit, q, f"{path}: {q}")
        units[q] = unit
    return units


def _numeric(column, path, name) -> np.ndarray:
    import pandas as pd

    values = pd.to_numeric(column, errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy() & column.notna().to_numpy())
    if bad.size:
        raise RecordingError(f"{path}: column {name!r} holds {column.iloc[bad[0]]!r} at data row {bad[0] + 1}, "
                             "not a number")
    return values.to_numpy(dtype=float)


def _name(label) -> str:
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return str(int(label))
    return str(label)


def _sweep(time, v, current, units, name, protocol, source, index) -> RawSweep:
    """One sweep from its time, voltage and current columns (in the file's units)."""
    where = f"{source}: sweep {name}"
    time = np.asarray(time, dtype=float) * unit_factor(units["time"], "time", where)
    if time.size < 2:
        raise RecordingError(f"{where}: {time.size} samples; at least 2 are needed to tell the sampling interval")
    steps = np.diff(time)
    dt = (time[-1] - time[0]) / (time.size - 1)
    if not np.all(np.isfinite(steps)) or dt <= 0 or np.abs(steps - dt).max() > 1e-3 * dt:
        raise RecordingError(f"{where}: time must increase in even steps; its steps run from "
                             f"{np.nanmin(steps):.6g} to {np.nanmax(steps):.6g} s")
    metadata = {"t0": float(time[0])} if time[0] != 0 else {}
    return RawSweep(np.asarray(v, dtype=float) * unit_factor(units["voltage"], "voltage", where),
                    np.asarray(current, dtype=float) * unit_factor(units["current"], "current", where),
                    float(dt), name, protocol, source, dict(units), "recorded", index, metadata)


def write_csv(recording, path) -> Path:
    """Write voltage and current in SI units, one row per sample: ``sweep,time [s],voltage [V],current [A]``.

    Only the arrays are kept (no metadata, windows or spike times): write NPZ or NWB for those.
    """
    path = Path(path)
    with open(path, "w") as f:
        f.write(f"# spikefit recording of {recording.metadata.get('cell') or 'a cell'}; SI units\n")
        f.write("sweep,time [s],voltage [V],current [A]\n")
        for i, trace in enumerate(recording):
            rows = np.column_stack([np.full(trace.v.size, i), trace.time, trace.v, trace.current])
            np.savetxt(f, rows, fmt=["%d", "%.17g", "%.17g", "%.17g"], delimiter=",")
    return path


# ------------------------------------------------------------------------------------------ NPZ


def read_npz(path, opts):
    """Sweeps of an NPZ file with named arrays; or, for an NPZ that spikefit wrote, its description and arrays."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as error:
        raise RecordingError(f"{path}: not a readable NPZ file ({str(error)[:120]}); "
                             "is it truncated or corrupt?") from None
    if _WRITTEN_KEY in arrays:
        return _read_written(arrays, path)
    return _read_columns(arrays, path, opts)


def _read_written(arrays: dict, path: Path) -> WrittenRecording:
    description = serialize.loads(str(arrays[_WRITTEN_KEY]), str(path))
    n = len(description["sweeps"])
    missing = [f"{k}_{i}" for i in range(n) for k in ("v", "current") if f"{k}_{i}" not in arrays]
    if missing:
        raise RecordingError(f"{path}: array {missing[0]!r} is missing")
    return WrittenRecording(description, [(arrays[f"v_{i}"], arrays[f"current_{i}"]) for i in range(n)], str(path))


def _read_columns(arrays: dict, path: Path, opts) -> RawRecording:
    unknown = sorted(set(arrays) - set(_NPZ_KEYS))
    if unknown:
        raise RecordingError(f"{path}: array {unknown[0]!r} is not one of {', '.join(_NPZ_KEYS)}")
    for key in ("voltage", "current"):
        if key not in arrays:
            raise RecordingError(f"{path}: no {key!r} array; an NPZ recording needs voltage, current and time (or dt)")
    found = {q: str(arrays[f"{q}_unit"]) for q in _QUANTITIES if f"{q}_unit" in arrays}
    if "time" not in arrays:
        if opts.dt is None:
            raise RecordingError(f"{path}: no 'time' array; store the time, or pass dt (s)")
        found.setdefault("time", "s")
    units = _merge_units(found, opts.units, path)
    voltage, current = _rows(arrays["voltage"], path, "voltage"), _rows(arrays["current"], path, "current")
    if len(voltage) != len(current):
        raise RecordingError(f"{path}: {len(voltage)} voltage sweeps but {len(current)} current sweeps")
    times = _times(arrays, opts, voltage, path)
    names = [str(n) for n in arrays.get("sweep_names", range(len(voltage)))]
    protocols = np.broadcast_to(arrays["protocol"], (len(voltage),)) if "protocol" in arrays else [None] * len(voltage)
    sweeps = [_npz_sweep(t, v, i, units, name, None if p is None else str(p), str(path), k)
              for k, (t, v, i, name, p) in enumerate(zip(times, voltage, current, names, protocols))]
    return RawRecording(sweeps, {"cell": path.stem, "source": str(path), "format": "npz"})


def _rows(array: np.ndarray, path, name) -> list:
    array = np.asarray(array)
    if array.dtype.kind not in "fiu":
        raise RecordingError(f"{path}: {name} holds {array.dtype} values, not numbers")
    if array.ndim == 1:
        return [array.astype(float)]
    if array.ndim == 2:
        return [row.astype(float) for row in array]
    raise RecordingError(f"{path}: {name} has shape {array.shape}; one sweep (1-D) or sweeps x samples (2-D) expected")


def _times(arrays, opts, voltage, path) -> list:
    if "time" in arrays:
        times = _rows(arrays["time"], path, "time")
        if len(times) == 1:
            return times * len(voltage)
        if len(times) != len(voltage):
            raise RecordingError(f"{path}: {len(times)} time rows for {len(voltage)} sweeps")
        return times
    return [opts.dt] * len(voltage)


def _npz_sweep(time, v, current, units, name, protocol, source, index) -> RawSweep:
    """One sweep; ``time`` is its time array, or its sampling interval (s) when the file has none."""
    if np.ndim(time) == 0 or v.size == 0:  # an empty sweep is refused with the other checks
        dt = float(time) if np.ndim(time) == 0 else 1.0
        return RawSweep(v * unit_factor(units["voltage"], "voltage", source),
                        current * unit_factor(units["current"], "current", source),
                        dt, name, protocol, source, dict(units), "recorded", index)
    if time.size != v.size:
        raise RecordingError(f"{source}: sweep {name}: {time.size} time samples for {v.size} voltage samples")
    return _sweep(time, v, current, units, name, protocol, source, index)


def write_npz(recording, path) -> Path:
    """Write ``recording`` as NPZ (arrays ``v_<k>``, ``current_<k>`` and its description); reads back identical."""
    path = Path(path)
    arrays = {_WRITTEN_KEY: np.array(serialize.dumps(recording))}
    for i, trace in enumerate(recording):
        arrays[f"v_{i}"], arrays[f"current_{i}"] = trace.v, trace.current
    with open(path, "wb") as f:  # a file object keeps numpy from appending .npz
        np.savez_compressed(f, **arrays)
    return path
