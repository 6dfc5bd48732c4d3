"""The part of a written Recording that is not voltage and current: metadata, windows and spike times as JSON.

NPZ and NWB files written by spikefit carry this description next to the arrays, so that they read
back identical (floats are written with ``repr``, which round-trips exactly). JSON has no tuples:
a tuple in metadata reads back as a list.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np

from .loaders import RecordingError
from .stimulus import Stimulus
from .trace import Recording, Trace

FORMAT = "spikefit-recording"
VERSION = 1


def describe(recording: Recording) -> dict:
    """A JSON-ready description of everything in ``recording`` except the voltage and current arrays."""
    return {
        "format": FORMAT, "version": VERSION, "metadata": _plain(recording.metadata, "recording metadata"),
        "sweeps": [{
            "dt": trace.dt, "start": trace.stimulus.start, "stop": trace.stimulus.stop,
            "stimulus_metadata": _plain(trace.stimulus.metadata, f"sweep {i} stimulus metadata"),
            "metadata": _plain(trace.metadata, f"sweep {i} metadata"),
            "spike_times": None if trace.spike_times is None else trace.spike_times.tolist(),
        } for i, trace in enumerate(recording)],
    }


def dumps(recording: Recording) -> str:
    """``describe(recording)`` as a JSON string."""
    return json.dumps(describe(recording))


def loads(text: str, source: str) -> dict:
    """The description read back from JSON; ``source`` names the file for errors."""
    try:
        description = json.loads(text)
    except json.JSONDecodeError as error:
        raise RecordingError(f"{source}: spikefit description is not valid JSON ({error})") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise RecordingError(f"{source}: not a Recording written by spikefit")
    if description.get("version") != VERSION:
        raise RecordingError(f"{source}: written by spikefit format version {description.get('version')}, "
                         f"this spikefit reads version {VERSION}")
    return description


def rebuild(description: dict, arrays, source: str) -> Recording:
    """The Recording from its description and one (voltage, current) pair of arrays per sweep."""
    sweeps = description["sweeps"]
    if len(arrays) != len(sweeps):
        raise RecordingError(f"{source}: {len(sweeps)} sweeps described but {len(arrays)} stored")
    traces = []
    for info, (v, current) in zip(sweeps, arrays):
        stimulus = Stimulus(current, info["dt"], info["start"], info["stop"], info["stimulus_metadata"])
        traces.append(Trace(v, stimulus, info["spike_times"], info["metadata"]))
    return Recording(tuple(traces), description["metadata"])


def _plain(value, what: str):
    """``value`` as JSON types; numpy scalars and arrays become numbers and lists."""
    if isinstance(value, Mapping):
        return {_key(k, what): _plain(v, what) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, what) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist(), what)
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"{what}: {value!r} of type {type(value).__name__} cannot be written; "
                    "metadata must hold numbers, strings, lists and mappings")


def _key(key, what: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"{what}: key {key!r} must be a string to be written")
    return key
