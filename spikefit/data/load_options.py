"""The options of ``spikefit.load``: validated once, at the boundary, into a frozen ``LoadOptions``.

``load``'s docstring says what each option means; here they are checked (units, ranges, names),
unknown names are refused with a suggestion, and options that apply to one format only are refused
for the others.
"""
from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass, fields
from typing import Mapping

import numpy as np

from .checks import MAX_NEURON_CURRENT
from .spikes import DEFAULT_SPIKE_THRESHOLD
from .stimulus import MAX_PLAUSIBLE_CURRENT
from .units import to_si

MAX_LJP = 0.05  # V

STIMULUS_MODES = ("recorded", "smoothed", "ideal_step")

# Format -> the options that only apply to it.
_FORMAT_OPTIONS = {
    "channel_units": ("ibw",), "dt": ("ibw", "npz"), "units": ("csv", "npz"),
    "voltage_channel": ("abf",), "stimulus_folder": ("abf",),
}


@dataclass(frozen=True)
class LoadOptions:
    """Options of ``spikefit.load``, validated once (see ``load`` for their meaning)."""

    sweeps: object = None
    protocol: object = None
    ljp: float | None = None
    stimulus: str = "recorded"
    smooth_width: float = 2e-3
    window: object = "detect"
    spike_threshold: float | None = DEFAULT_SPIKE_THRESHOLD
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
                out[f.name] = jsonable(value)
        return out


def jsonable(value):
    """``value`` with paths as strings, mappings as dicts, tuples as lists and numpy scalars as numbers."""
    if isinstance(value, os.PathLike):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
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


def make_options(options: dict) -> LoadOptions:
    """The options given to ``load``, validated; an unknown name is refused with the closest known one."""
    known = [f.name for f in fields(LoadOptions)]
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; options are {', '.join(known)}"
            raise TypeError(f"unknown option {name!r} for spikefit.load{hint}")
    return LoadOptions(**options)


def check_format_options(opts: LoadOptions, fmt: str, path) -> None:
    """Raise ValueError if an option given applies to other formats than ``fmt`` (the format of ``path``)."""
    for name, formats in _FORMAT_OPTIONS.items():
        if getattr(opts, name) is not None and fmt not in formats:
            raise ValueError(f"{path}: option {name} applies to {' and '.join(formats)} files, not to {fmt}")
