"""Axon Binary Format (.abf) recordings, read with pyabf: every sweep of one voltage channel.

The stimulus is a recorded current channel when the file has one (an ADC channel in A, pA, ...);
otherwise it is the command waveform that pyabf rebuilds from the protocol's epochs, which is what
the amplifier was told to inject, not a measurement. A protocol whose waveform comes from a second
file (``nWaveformSource`` 2, e.g. a chirp) reads it from beside the ABF, or from ``stimulus_folder``.
"""
from __future__ import annotations

import warnings
from pathlib import Path, PureWindowsPath

import numpy as np

from .raw import RawRecording, RawSweep, RecordingError, unit_factor, unit_quantity


def read_abf(path, opts) -> RawRecording:
    """All sweeps of an ABF file, in SI units."""
    path = Path(path)
    abf = _open(path)
    v_channel = _voltage_channel(abf, path, opts.voltage_channel)
    i_channel = _current_channel(abf, path, v_channel)
    command = None if i_channel is not None else _command_source(abf, path, v_channel, opts.stimulus_folder)
    sweeps = [_sweep(abf, path, number, v_channel, i_channel, command) for number in abf.sweepList]
    metadata = {"cell": path.stem, "source": str(path), "format": "abf", "abf_version": abf.abfVersionString,
                "recorded_at": abf.abfDateTimeString}
    if abf.abfFileComment:
        metadata["abf_comment"] = abf.abfFileComment
    return RawRecording(sweeps, metadata)


def _open(path: Path):
    import pyabf

    try:
        with warnings.catch_warnings():
            # pyabf warns (and fills the command with NaN) when a stimulus file is missing;
            # _command_source checks that with a clearer message.
            warnings.filterwarnings("ignore", message="Could not locate stimulus file")
            abf = pyabf.ABF(str(path))
    except Exception as error:  # pyabf raises struct errors, ValueError, NotImplementedError...
        raise RecordingError(f"{path}: not a readable ABF file ({str(error)[:120]}); "
                             "is it truncated or corrupt?") from None
    expected = abf.dataByteStart + abf.dataPointCount * abf.dataPointByteSize
    if path.stat().st_size < expected:
        raise RecordingError(f"{path}: truncated: {path.stat().st_size} bytes, its header announces {expected}")
    return abf


def _clean(text) -> str:
    # Header strings come NUL-padded from some writers (pyabf's own ABF1 writer among them).
    return str(text).replace("\x00", "").strip()


def _voltage_channel(abf, path: Path, chosen) -> int:
    names, units = [_clean(n) for n in abf.adcNames], [_clean(u) for u in abf.adcUnits]
    listing = ", ".join(f"{n!r} in {u!r}" for n, u in zip(names, units))
    if chosen is not None:
        index = names.index(chosen) if chosen in names else chosen
        if not isinstance(index, int) or not 0 <= index < abf.channelCount:
            raise RecordingError(f"{path}: no ADC channel {chosen!r}; channels are {listing}")
        if unit_quantity(units[index]) != "voltage":
            raise RecordingError(f"{path}: channel {chosen!r} is in {units[index]!r}, not a voltage")
        return index
    found = [i for i, u in enumerate(units) if unit_quantity(u) == "voltage"]
    if not found:
        raise RecordingError(f"{path}: no voltage channel (ADC channels: {listing}); a current-clamp recording "
                             "records the membrane potential in V or mV (is this voltage clamp, or a stimulus file?)")
    if len(found) > 1:
        raise RecordingError(f"{path}: several voltage channels ({listing}); choose one with voltage_channel=")
    return found[0]


def _current_channel(abf, path: Path, v_channel: int) -> int | None:
    found = [i for i, u in enumerate(abf.adcUnits) if unit_quantity(_clean(u)) == "current" and i != v_channel]
    if len(found) > 1:
        names = ", ".join(repr(_clean(abf.adcNames[i])) for i in found)
        raise RecordingError(f"{path}: several recorded current channels ({names}); one expected")
    return found[0] if found else None


def _command_source(abf, path: Path, channel: int, folder) -> dict:
    """Where the command comes from: the epochs, or a waveform file found beside the ABF."""
    dac = min(channel, len(abf.dacUnits) - 1)
    unit = _clean(abf.dacUnits[dac])
    if unit_quantity(unit) != "current":
        raise RecordingError(f"{path}: the command (DAC {_clean(abf.dacNames[dac])!r}) is in {unit!r}, not a "
                             "current: not a current-clamp protocol, or a file without its command")
    source = {"dac": dac, "unit": unit, "file": None}
    if _waveform_source(abf, dac) != 2:
        return source
    name = _stimulus_file_name(abf, dac)
    folder = Path(folder) if folder is not None else path.parent
    if name is None or not (folder / name).is_file():
        raise RecordingError(f"{path}: its protocol reads the stimulus waveform from {name!r}, which must sit "
                             f"beside it (looked in {folder}) or be given with stimulus_folder=")
    import pyabf

    # As pyabf does, the waveform is the first sweep of the stimulus file, in the DAC's unit; read
    # from the file found here, not by pyabf's own search (which tries the working folder first).
    source["file"] = folder / name
    source["waveform"] = np.array(pyabf.ABF(str(folder / name)).sweepY, dtype=float)
    return source


def _waveform_source(abf, dac: int) -> int:
    section = getattr(abf, "_dacSection", None) or getattr(abf, "_headerV1", None)
    if not section.nWaveformEnable[dac]:
        return 0
    return section.nWaveformSource[dac]


def _stimulus_file_name(abf, dac: int) -> str | None:
    try:
        index = abf._dacSection.lDACFilePathIndex[dac]
        return PureWindowsPath(abf._stringsSection._indexedStrings[index]).name or None
    except (AttributeError, IndexError):
        return None


def _sweep(abf, path: Path, number: int, v_channel: int, i_channel, command) -> RawSweep:
    abf.setSweep(number, channel=v_channel)
    v_unit = _clean(abf.adcUnits[v_channel])
    v = np.array(abf.sweepY, dtype=float) * unit_factor(v_unit, "voltage", str(path))
    metadata = {"voltage_channel": _clean(abf.adcNames[v_channel])}
    if i_channel is not None:
        abf.setSweep(number, channel=i_channel)
        current, unit, origin = np.array(abf.sweepY, dtype=float), _clean(abf.adcUnits[i_channel]), "recorded"
        metadata["current_channel"] = _clean(abf.adcNames[i_channel])
    else:
        current, unit, origin = _command(abf, number, command), command["unit"], "command"
        metadata["current_channel"] = _clean(abf.dacNames[command["dac"]])
        if command["file"] is not None:
            metadata["stimulus_file"] = str(command["file"])
    current = current * unit_factor(unit, "current", str(path))
    return RawSweep(v, current, float(abf.dataSecPerPoint), str(number), abf.protocol or None, str(path),
                    {"voltage": v_unit, "current": unit, "time": "s"}, origin, number, metadata)


def _command(abf, number: int, command: dict) -> np.ndarray:
    if command["file"] is not None:
        return command["waveform"]
    abf.setSweep(number, channel=command["dac"])
    return np.array(abf.sweepC, dtype=float)
