"""Electrophysiological features of sweeps, with eFEL's definitions and names.

``extract_features`` hands each sweep to eFEL (ms and mV at that edge) and returns a table in
SI units, one row a sweep and one column a feature. What spikefit adds to calling eFEL:

* Settings are passed per call in SI units (``Threshold=-0.02``, ``interp_step=1e-4``),
  applied to eFEL's global state for that call only, and restored afterwards.
* Features that eFEL returns per spike (``AP_amplitude``, ``AP_width``...) are averaged over
  the spikes of the sweep, as eFEL's ``get_mean_feature_values`` does.
* Values are converted from eFEL's unit (``efel.units``) to SI: ms -> s, mV -> V,
  nA -> A, MOhm -> Ohm; Hz, V/s (= mV/ms) and dimensionless values are unchanged.
  ``df.attrs["units"]`` maps every column to its SI unit.
* An undefined feature is NaN, never a number, and ``df.attrs["reasons"]`` maps
  ``(sweep, feature)`` to why: too few spikes (eFEL's minimum for that feature), no spike
  shape (see below), no stimulus window, a trace that is not finite (a diverged
  simulation), or eFEL's own message.

Model traces. Reset models (LIF, Izhikevich, AdEx: ``spike_drawing="reset"`` in the trace's
metadata) reset instead of firing an action potential. Their simulated traces draw every spike
as one sample at ``max(cut or peak, +20 mV)``, the first sample after the spike
(``spikefit.models.kernel_tools.DRAWN_SPIKE_PEAK``), with the reset value in the next sample; so eFEL's threshold (-20 mV) counts every spike the model fired,
and eFEL's spike time is that sample's time (the true spike time rounded up to the sample
grid). Two spikes in one sample or in consecutive samples are one threshold crossing for
eFEL. Spike-shape features (eFEL's SpikeShape group: ``AP_amplitude``, ``AP_width``,
``spike_half_width``, ``peak_voltage``...) of such a trace would measure
the drawing, not the neuron: spikefit returns NaN for them, with the reason "no spike shape",
except for ``RESET_MEASURABLE`` (the trough between spikes, which the reset and what follows it
draw: eFEL computes them). The models with spikes of their own (``hh``, ``hh_rs``, ``hh_fs``:
``spike_drawing="shape"``) get every feature.

eFEL keeps global state: do not call ``extract_features`` from several threads at once.
"""
from __future__ import annotations

import math
import re
import warnings
from contextlib import contextmanager
from dataclasses import asdict
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ..data import Recording, Trace
from . import efel_edge

FIRING_FEATURES = ("spike_count", "mean_frequency", "time_to_first_spike", "ISI_CV", "adaptation_index2")
"""Default features of the spike train (eFEL names)."""

SUBTHRESHOLD_FEATURES = ("voltage_base", "steady_state_voltage_stimend",
                         "decay_time_constant_after_stim", "sag_ratio1")
"""Default features of the membrane potential between spikes (eFEL names)."""

SHAPE_FEATURES = ("AP_amplitude", "AP_width", "spike_half_width", "AHP_depth_abs")
"""Default features of the action-potential shape (eFEL names); NaN for reset models but
``AHP_depth_abs`` (see ``RESET_MEASURABLE``)."""

DEFAULT_FEATURES = FIRING_FEATURES + SUBTHRESHOLD_FEATURES + SHAPE_FEATURES

RESET_MEASURABLE = frozenset({"AHP_depth_abs", "AHP_depth"})
"""Spike-shape features that a reset model's trace defines: the minimum between two peaks (and
its depth below ``voltage_base``) is the reset and the model's own recovery from it, not the
drawn sample, so eFEL's value is the model's."""

# eFEL unit (efel/units/units.json) -> (SI unit, factor from eFEL's value to SI)
_TO_SI = {
    "constant": ("1", 1.0), "mV": ("V", 1e-3), "ms": ("s", 1e-3), "Hz": ("Hz", 1.0),
    "V/s": ("V/s", 1.0), "nA": ("A", 1e-9), "MΩ": ("Ohm", 1e6), "1/(ms)": ("1/s", 1e3),
    "s": ("s", 1.0),
}
# Features that eFEL's unit table leaves out, or gets wrong (it lists ms for the slopes of
# log ISI, which have no unit).
_UNIT_FIXES = {"ISI_log_slope": "constant", "ISI_log_slope_skip": "constant",
               "ISI_semilog_slope": "constant", "ISIs": "ms", "Spikecount": "constant",
               "Spikecount_stimint": "constant", "is_not_stuck": "constant", "depol_block": "constant",
               "trace_check": "constant"}
_NOT_SWEEP_FEATURES = {"voltage", "time", "current"}
_NEEDS_CURRENT = {"current_base", "steady_state_current_stimend", "impedance"}

# Features that read neither stim_start nor stim_end (eFEL 5.7 sources), computed for a
# sweep without a stimulus window; eFEL gets the whole trace as its window then.
WINDOW_FREE = frozenset({
    "spike_count", "Spikecount", "peak_time", "peak_voltage", "AP_height", "AP1_peak",
    "AP2_peak", "AP2_AP1_peak_diff", "amp_drop_first_second", "amp_drop_first_last",
    "amp_drop_second_last", "max_amp_difference", "all_ISI_values", "ISIs", "ISI_values",
    "ISI_CV", "doublet_ISI", "inv_ISI_values", "inv_first_ISI", "inv_second_ISI",
    "inv_third_ISI", "inv_fourth_ISI", "inv_fifth_ISI", "inv_last_ISI", "irregularity_index",
    "single_burst_ratio", "ISI_log_slope", "ISI_semilog_slope",
})

# Spikes eFEL needs for a feature: (count, counted inside the stimulus window only).
_MIN_SPIKES = {
    "mean_frequency": (1, False), "time_to_first_spike": (1, False),
    "inv_time_to_first_spike": (1, False), "time_to_second_spike": (2, False),
    "time_to_last_spike": (1, False), "doublet_ISI": (2, False), "all_ISI_values": (2, False),
    "inv_first_ISI": (2, False), "inv_second_ISI": (3, False), "inv_third_ISI": (4, False),
    "inv_fourth_ISI": (5, False), "inv_fifth_ISI": (6, False), "inv_last_ISI": (2, False),
    "adaptation_index2": (4, True), "AP_amplitude": (1, True),
}


# --- names, units and groups ---------------------------------------------------------
@lru_cache(maxsize=1)
def efel_feature_names() -> tuple[str, ...]:
    """Every feature name eFEL knows (its C++ and Python features)."""
    import efel

    return tuple(dict.fromkeys(efel.get_feature_names()))


@lru_cache(maxsize=1)
def _groups() -> dict[str, str]:
    """eFEL feature -> its C++ group (SpikeEvent, SpikeShape, Subthreshold, BasicFeatures)."""
    path = efel_edge.efel_defaults()["dependencyfile_path"]
    groups = {}
    with open(path) as handle:
        for line in handle:
            head = line.split("#")[0].split()
            if head and ":" in head[0]:
                group, name = head[0].split(":", 1)
                groups[name] = group
    return groups


def is_shape_feature(name: str) -> bool:
    """True for eFEL's spike-shape features (its SpikeShape group and ``phaseslope_max``)."""
    return _groups().get(name) == "SpikeShape" or name == "phaseslope_max"


def feature_unit(name: str) -> tuple[str, float]:
    """The SI unit of a feature and the factor from eFEL's value to it."""
    from efel.units import _units

    unit = _UNIT_FIXES.get(name) or _units.get(name, "constant")
    return _TO_SI[unit]


def check_names(names: Iterable[str] | str | None) -> tuple[str, ...]:
    """The requested feature names, checked against eFEL's; DEFAULT_FEATURES for None.

    Raises
    ------
    ValueError
        For an unknown name (with the nearest names eFEL knows), a raw trace (``voltage``,
        ``time``, ``current``) or an index into eFEL's interpolated trace (``*_indices``).
    """
    if names is None:
        return DEFAULT_FEATURES
    names = (names,) if isinstance(names, str) else tuple(names)
    if not names:
        raise ValueError("names must hold at least one feature name, got an empty sequence")
    known = efel_feature_names()
    for name in names:
        if name not in known:
            raise efel_edge.unknown_name_error("eFEL feature", name, known)
        if name in _NOT_SWEEP_FEATURES or name.endswith("_indices"):
            raise ValueError(
                f"{name!r} is not a feature of a sweep (it is a trace or an index into eFEL's "
                f"interpolated trace); ask for a time or value feature instead"
            )
    return tuple(dict.fromkeys(names))


# --- sweeps --------------------------------------------------------------------------
def as_sweeps(data) -> list[Trace]:
    """A Trace, a Recording or a sequence of Traces as a list of Traces."""
    if isinstance(data, Trace):
        return [data]
    if isinstance(data, (Recording, Sequence)) and all(isinstance(s, Trace) for s in data):
        if len(data) == 0:
            raise ValueError("the recording must hold at least one sweep, got 0")
        return list(data)
    raise TypeError(f"expected a Trace, a Recording or a sequence of Traces, got {type(data).__name__}")


def sweep_window(sweep: Trace, window, index: int) -> tuple[float, float] | None:
    """The stimulus window (s) features use: ``window`` if given, else the stimulus's."""
    if window is None:
        start, stop = sweep.stimulus.start, sweep.stimulus.stop
        return None if start is None else (start, stop)
    start, stop = (float(x) for x in window)
    duration = sweep.stimulus.duration
    if not 0 <= start < stop <= duration + 1e-12:
        raise ValueError(
            f"0 <= start < stop <= duration must hold for the window, got window=({start}, "
            f"{stop}) s and duration={duration} s in sweep {index}"
        )
    return start, stop


def check_sweep(sweep: Trace, index: int, step_ms: float) -> None:
    """Raise for a sweep eFEL cannot use: too short, or a reset model's drawn spikes lost."""
    n = sweep.v.size
    if n < 3 or (n - 1) * sweep.dt * 1e3 < 2 * step_ms:
        raise ValueError(
            f"a sweep must hold at least 3 samples and span at least two interpolation steps "
            f"({2 * step_ms:g} ms), got {n} samples of {sweep.dt} s in sweep {index}"
        )
    if is_reset_model(sweep):
        error = efel_edge.reset_model_step_error(sweep.dt, step_ms, f"sweep {index}")
        if error is not None:
            raise error


def is_reset_model(sweep: Trace) -> bool:
    """True for a trace simulated by a reset model (its spikes are drawn, not shaped), as the
    model declared in the trace's metadata (``spike_drawing``, see ``Model.spike_drawing``)."""
    return sweep.metadata.get("spike_drawing") == "reset"


def _efel_trace(sweep: Trace, window: tuple[float, float], with_current: bool) -> dict:
    start, stop = efel_edge.window_ms(*window)
    # lists, not arrays: eFEL copies every value in a Python loop, faster over floats
    trace = {"T": efel_edge.time_ms(sweep.v.size, sweep.dt).tolist(), "V": (sweep.v * 1e3).tolist(),
             "stim_start": [start], "stim_end": [stop]}
    if with_current:
        trace["I"] = (sweep.current * 1e9).tolist()  # eFEL's current unit is nA
    return trace


# --- eFEL's global settings, per call ------------------------------------------------
@contextmanager
def efel_settings(settings: dict):
    """Apply eFEL settings (eFEL's units) for the duration of a block, then restore.

    Inside the block eFEL runs on its defaults plus ``settings``, whatever was set globally
    before; afterwards the global state is what it was, even if the block raised. (eFEL is
    reset only when the state has to change: a reset reloads its dependency file.)
    """
    import efel

    before = asdict(efel.get_settings())
    wanted = {**efel_edge.efel_defaults(), **settings}
    changed = before != wanted
    if changed:
        _set_efel_state(wanted)
    try:
        yield
    finally:
        if changed or asdict(efel.get_settings()) != before:
            _set_efel_state(before)


def _set_efel_state(state: dict) -> None:
    """eFEL's settings made equal to ``state``: reset to defaults, then set what differs."""
    import efel

    efel.reset()
    defaults = efel_edge.efel_defaults()
    for name, value in state.items():
        if name not in defaults or value != defaults[name]:
            efel.set_setting(name, value)


_EFEL_MESSAGE = re.compile(r"Error while calculating (\w+), (.*)", re.S)
# Sentences eFEL's accumulated error string carries over from other features.
_EFEL_NOISE = re.compile(r"Parameter \[offset\] is missing in the map\.[^\n]*function|"
                         r"An error occurred while computing the feature, feature is not found\.")


def _run_efel(trace: dict, names: list[str]) -> tuple[dict, dict]:
    """eFEL's values for one trace, and eFEL's error message per failed feature."""
    import efel

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = efel.get_feature_values([trace], names, raise_warnings=True)[0]
    messages = {}
    for item in caught:
        match = _EFEL_MESSAGE.match(str(item.message))
        if match:
            lines = [line for line in _EFEL_NOISE.sub(" ", match.group(2)).splitlines() if line.strip()]
            messages[match.group(1)] = " ".join(lines[-1].split()) if lines else ""
    return values, messages


# --- the public function -------------------------------------------------------------
def extract_features(trace_or_recording, names=None, *, window=None, **settings) -> pd.DataFrame:
    """Features of every sweep, with eFEL's definitions and names, in SI units.

    Parameters
    ----------
    trace_or_recording : Trace, Recording or sequence of Trace
    names : str or sequence of str, optional
        eFEL feature names; ``DEFAULT_FEATURES`` (``FIRING_FEATURES``,
        ``SUBTHRESHOLD_FEATURES`` and ``SHAPE_FEATURES``) by default.
    window : (float, float), optional
        Stimulus window (s) to use instead of each sweep's stimulus window.
    **settings
        eFEL settings by eFEL's name, in SI units: ``Threshold`` (V, default -0.02),
        ``interp_step`` (s, default 1e-4), ``DerivativeThreshold`` (V/s), ``ignore_first_ISI``,
        ``voltage_base_start_perc``... They apply to this call only.

    Returns
    -------
    pandas.DataFrame
        One row a sweep (index ``sweep``), one column a feature, SI units;
        ``attrs["units"]``: feature -> SI unit; ``attrs["reasons"]``: (sweep, feature) ->
        why the value is NaN.

    Raises
    ------
    ValueError
        Unknown feature or setting names (with suggestions), a window outside a sweep, a
        sweep too short for eFEL, a reset-model sweep sampled off eFEL's grid.

    Examples
    --------
    >>> import spikefit
    >>> trace = spikefit.get_model("adex").simulate(None, spikefit.step(0.8e-9, 0.1, 0.9, 1.0))
    >>> df = extract_features(trace, ["spike_count", "mean_frequency", "AP_width"])
    >>> int(df.loc[0, "spike_count"])
    14
    >>> df.attrs["reasons"][(0, "AP_width")][:14]
    'no spike shape'
    """
    sweeps = as_sweeps(trace_or_recording)
    names = check_names(names)
    converted = efel_edge.settings_to_efel(settings)
    step_ms = converted.get("interp_step", efel_edge.efel_defaults()["interp_step"])
    windows = [sweep_window(s, window, i) for i, s in enumerate(sweeps)]
    for i, sweep in enumerate(sweeps):
        check_sweep(sweep, i, step_ms)
    units = {name: feature_unit(name)[0] for name in names}
    rows, reasons = [], {}
    with efel_settings(converted):
        for i, (sweep, win) in enumerate(zip(sweeps, windows)):
            row, why = _sweep_features(sweep, win, names, converted)
            rows.append(row)
            reasons.update({(i, name): text for name, text in why.items()})
    table = pd.DataFrame(rows, columns=list(names), index=pd.RangeIndex(len(sweeps), name="sweep"), dtype=float)
    table.attrs["units"] = units
    table.attrs["reasons"] = reasons
    return table


def _sweep_features(sweep: Trace, window, names, settings) -> tuple[dict, dict]:
    """One sweep's features (SI) and the reason for each NaN."""
    values, reasons = {}, {}
    if not np.all(np.isfinite(sweep.v)):
        return {}, {name: "the membrane potential is not finite (a diverged simulation?)" for name in names}
    strict = bool(settings.get("strict_stiminterval", False))
    todo = []
    for name in names:
        if is_reset_model(sweep) and is_shape_feature(name) and name not in RESET_MEASURABLE:
            reasons[name] = (f"no spike shape: {sweep.metadata['model']} resets instead of firing an "
                             f"action potential, its spikes are drawn as one sample")
        elif window is None and (strict or name not in WINDOW_FREE):
            reasons[name] = "no stimulus window: the sweep's stimulus has no start and stop; pass window="
        else:
            todo.append(name)
    if not todo:
        return values, reasons
    extra = [n for n in ("spike_count", "spike_count_stimint") if n not in todo]
    trace = _efel_trace(sweep, window or (0.0, sweep.stimulus.duration), bool(_NEEDS_CURRENT & set(todo)))
    raw, messages = _run_efel(trace, todo + extra)
    n_spikes, n_inside = int(raw["spike_count"][0]), int(raw["spike_count_stimint"][0])
    for name in todo:
        value = _reduce(raw[name])
        if math.isnan(value):
            reasons[name] = _why(name, raw[name], n_spikes, n_inside, messages.get(name), settings)
        else:
            values[name] = value * feature_unit(name)[1] + 0.0  # eFEL gives -0.0 at times
    return values, reasons


def _reduce(value) -> float:
    """eFEL's array of values as one number: the mean over spikes; NaN for None or empty."""
    if value is None or len(value) == 0:
        return math.nan
    return float(np.mean(value))


def _why(name, raw, n_spikes, n_inside, message, settings) -> str:
    """Why eFEL gave no value for ``name``."""
    needed, inside = _MIN_SPIKES.get(name, (0, False))
    if name == "ISI_CV":
        needed = 4 if settings.get("ignore_first_ISI", True) else 3
    have = n_inside if inside else n_spikes
    if have < needed:
        where = " inside the stimulus window" if inside else ""
        unit = "spike" if needed == 1 else "spikes"
        return f"too few spikes: {name} needs at least {needed} {unit}{where}, the sweep has {have}"
    if n_spikes == 0 and _groups().get(name) != "Subthreshold":
        return "too few spikes: the sweep has no spike"
    if message and "voltage_deflection is positive" in message:
        return f"no sag: {name} needs a hyperpolarising step, this one depolarises"
    if raw is not None and len(raw) and np.isnan(raw).any():
        return f"eFEL returned NaN for {name}"
    return f"eFEL could not compute {name}: {message or 'no value returned'}"
