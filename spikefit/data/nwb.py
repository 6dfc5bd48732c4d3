"""NWB 2 intracellular electrophysiology (.nwb), read and written with pynwb.

Reading takes every current-clamp series of the acquisition and pairs it with its stimulus series:
through the intracellular-recordings table where the file has one, else by sweep number and
electrode. Series descriptions are kept as the file gives them but never used to pair or to scale
(in the Lantyer 2018 conversion they are shifted by one sweep). Values are ``data * conversion +
offset`` in the series' unit, which must be volts for the response and amperes for the stimulus.

An NWB file that spikefit wrote (``write_nwb``) carries its Recording's description in the file's
notes and reads back identical.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import serialize
from .raw import RawRecording, RawSweep, RecordingError, WrittenRecording, unit_factor

_NOTES_MARK = "spikefit recording, described as JSON:\n"


def read_nwb(path, opts):
    """Current-clamp sweeps of an NWB file in SI units; or, for a file spikefit wrote, its description and arrays."""
    path = Path(path)
    from pynwb import NWBHDF5IO

    try:
        io = NWBHDF5IO(str(path), "r", load_namespaces=True)
    except Exception as error:  # h5py and hdmf raise OSError, KeyError, ValueError...
        raise _unreadable(path, error) from None
    try:
        try:
            nwb = io.read()
        except Exception as error:
            raise _unreadable(path, error) from None
        if (nwb.notes or "").startswith(_NOTES_MARK):
            return _read_written(nwb, path)
        return RawRecording(_sweeps(nwb, path), _cell(nwb, path))
    finally:
        io.close()


def _unreadable(path: Path, error: Exception) -> RecordingError:
    return RecordingError(f"{path}: not a readable NWB file ({str(error)[:160]}); is it truncated or corrupt?")


def _sweeps(nwb, path: Path) -> list:
    from pynwb.icephys import CurrentClampSeries

    responses = [s for s in nwb.acquisition.values() if isinstance(s, CurrentClampSeries)]
    if not responses:
        kinds = sorted({type(s).__name__ for s in nwb.acquisition.values()}) or ["nothing"]
        raise RecordingError(f"{path}: no current-clamp series in the acquisition (found {', '.join(kinds)})")
    responses.sort(key=lambda s: (s.sweep_number if s.sweep_number is not None else np.inf, s.name))
    stimuli = _stimulus_of(nwb, responses, path)
    return [_sweep(response, stimuli[response.name], path, index) for index, response in enumerate(responses)]


def _stimulus_of(nwb, responses: list, path: Path) -> dict:
    """Response name -> its stimulus series."""
    table = getattr(nwb, "intracellular_recordings", None)
    if table is not None and len(table) > 0:
        pairs = {}
        stimuli = table.category_tables["stimuli"]["stimulus"].data[:]
        for stim_ref, resp_ref in zip(stimuli, table.category_tables["responses"]["response"].data[:]):
            (start, _, stimulus), (_, _, response) = tuple(stim_ref), tuple(resp_ref)  # (idx_start, count, series)
            if response is not None and stimulus is not None and start >= 0:
                pairs[response.name] = stimulus
    else:
        from pynwb.icephys import CurrentClampStimulusSeries

        candidates = [s for s in nwb.stimulus.values() if isinstance(s, CurrentClampStimulusSeries)]
        pairs = {}
        for response in responses:
            match = [s for s in candidates if s.sweep_number == response.sweep_number
                     and s.electrode is response.electrode]
            if len(match) > 1:
                raise RecordingError(f"{path}: sweep {response.name}: {len(match)} stimulus series share its sweep "
                                     f"number {response.sweep_number}")
            if match:
                pairs[response.name] = match[0]
    for response in responses:
        if response.name not in pairs:
            raise RecordingError(f"{path}: sweep {response.name}: no current-clamp stimulus series pairs with it "
                                 f"(sweep number {response.sweep_number})")
    return pairs


def _sweep(response, stimulus, path: Path, index: int) -> RawSweep:
    where = f"{path}: sweep {response.name}"
    dt = _dt(response, where)
    if abs(_dt(stimulus, where) - dt) > 1e-9 * dt or _start(stimulus) != _start(response):
        raise RecordingError(f"{where}: its stimulus {stimulus.name} is sampled on another time base")
    metadata = {"stimulus_series": stimulus.name, "sweep_number": _int(response.sweep_number),
                "nwb_description": response.description}
    return RawSweep(
        _values(response, "voltage", where), _values(stimulus, "current", where), dt, response.name,
        response.stimulus_description, str(path),
        {"voltage": response.unit, "current": stimulus.unit, "time": "seconds"}, "command", index, metadata)


def _values(series, quantity: str, where: str) -> np.ndarray:
    factor = unit_factor(series.unit, quantity, f"{where} ({series.name})")
    data = np.asarray(series.data[:], dtype=float)
    return (data * series.conversion + (getattr(series, "offset", 0.0) or 0.0)) * factor


def _dt(series, where: str) -> float:
    if series.rate is not None:
        return 1.0 / float(series.rate)
    times = np.asarray(series.timestamps[:], dtype=float)
    steps = np.diff(times)
    if times.size < 2 or np.abs(steps - steps.mean()).max() > 1e-3 * steps.mean():
        raise RecordingError(f"{where}: {series.name} is not sampled at a fixed rate")
    return float(steps.mean())


def _start(series) -> float:
    return float(series.starting_time) if series.rate is not None else float(series.timestamps[0])


def _int(value):
    return None if value is None else int(value)


def _cell(nwb, path: Path) -> dict:
    subject = nwb.subject
    metadata = {"cell": nwb.session_description or path.stem, "source": str(path), "format": "nwb",
                "species": getattr(subject, "species", None), "cell_type": None,
                "nwb_identifier": nwb.identifier, "session_start_time": nwb.session_start_time.isoformat()}
    for key in ("genotype", "age", "sex", "subject_id"):
        value = getattr(subject, key, None)
        if value:
            metadata[key] = str(value)
    electrodes = list(nwb.icephys_electrodes.values())
    if len(electrodes) == 1:
        for key in ("location", "cell_id"):
            value = getattr(electrodes[0], key, None)
            if value:
                metadata[key] = str(value)
    if nwb.institution:
        metadata["institution"] = nwb.institution
    return metadata


# ----------------------------------------------------------------------------------------- write


def write_nwb(recording, path) -> Path:
    """Write ``recording`` as NWB 2 (a current-clamp and a stimulus series per sweep); reads back identical."""
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.file import Subject
    from pynwb.icephys import CurrentClampSeries, CurrentClampStimulusSeries

    path = Path(path)
    cell = recording.metadata.get("cell") or "cell"
    species = recording.metadata.get("species")
    nwb = NWBFile(session_description=f"spikefit recording of {cell}", identifier=str(uuid.uuid4()),
                  session_start_time=datetime.now(timezone.utc), notes=_NOTES_MARK + serialize.dumps(recording),
                  subject=Subject(subject_id=str(cell), species=species) if species else None)
    device = nwb.create_device(name="amplifier", description="as recorded")
    electrode = nwb.create_icephys_electrode(name="electrode", description="as recorded", device=device)
    for i, trace in enumerate(recording):
        common = dict(starting_time=0.0, rate=1.0 / trace.dt, electrode=electrode, gain=1.0, sweep_number=np.uint32(i))
        protocol = str(trace.metadata.get("protocol") or trace.stimulus.metadata.get("protocol") or "N/A")
        stimulus = CurrentClampStimulusSeries(name=f"stimulus_{i:04d}", data=trace.current,
                                              stimulus_description=protocol, **common)
        response = CurrentClampSeries(name=f"sweep_{i:04d}", data=trace.v, stimulus_description=protocol, **common)
        nwb.add_intracellular_recording(electrode=electrode, stimulus=stimulus, response=response)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


def _read_written(nwb, path: Path) -> WrittenRecording:
    description = serialize.loads(nwb.notes[len(_NOTES_MARK):], str(path))
    arrays = []
    for i in range(len(description["sweeps"])):
        try:
            response, stimulus = nwb.acquisition[f"sweep_{i:04d}"], nwb.stimulus[f"stimulus_{i:04d}"]
        except KeyError:
            raise RecordingError(f"{path}: sweep {i} described but its series are missing") from None
        arrays.append((np.asarray(response.data[:], dtype=float), np.asarray(stimulus.data[:], dtype=float)))
    return WrittenRecording(description, arrays, str(path))
