"""The part of a written Recording that is not voltage and current: metadata, windows and spike times as JSON.

NPZ and NWB files written by spikefit carry this description next to the arrays, so that they read
back identical (floats are written with ``repr``, which round-trips exactly). JSON has no tuples:
a tuple in metadata reads back as a list. It reads a Recording's attributes but imports none of
spikefit's types, so the writers, which ``Recording.write`` calls, stand below ``trace``.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np

from .raw import RecordingError

FORMAT = "spikefit-recording"
VERSION = 1


def describe(recording) -> dict:
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


def dumps(recording) -> str:
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
