"""The target of a fit: a recording prepared once (its features, their spread, its spikes and
subthreshold voltage), so that every batch of trials is scored against the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..data import Recording, Stimulus, Trace
from ..data.spikes import detect_spikes
from ..defaults import EFEL_INTERP_STEP, GAMMA_WINDOW, SPIKE_THRESHOLD
from ..features import efel_edge
from ..features.efel_features import FIRING_FEATURES

SUBTHRESHOLD = ("voltage_base", "steady_state_voltage_stimend")
FEATURES = FIRING_FEATURES + SUBTHRESHOLD
"""Default features of the ``features`` objective (all on spikefit's fast path)."""

PHASE_DEPENDENT = ("steady_state_voltage_stimend",)
"""Features not scored on sweeps where the target fires: there they average the voltage over
a window whose spikes fall anywhere, and jump with the phase of the last spike."""

DEFAULT_SPREAD = {
    "spike_count": (0.05, 1.0),
    "spike_count_stimint": (0.05, 1.0),
    "mean_frequency": (0.05, 1.0),  # Hz
    "time_to_first_spike": (0.05, 2e-3),  # s
    "time_to_last_spike": (0.05, 5e-3),  # s
    "inv_first_ISI": (0.05, 2.0),  # Hz
    "inv_last_ISI": (0.05, 1.0),  # Hz
    "ISI_CV": (0.1, 0.02),
    "adaptation_index2": (0.1, 0.01),
    "voltage_base": (0.0, 1e-3),  # V
    "steady_state_voltage_stimend": (0.0, 1e-3),  # V
}
"""Spread of each feature where the target has no repeats: ``(relative, absolute)``, the
spread being ``max(relative * |value|, absolute)`` in the feature's SI unit. The absolute
part is also the floor of a spread measured across repeats."""


@dataclass(frozen=True, eq=False)
class Target:
    """A recording prepared for a fit, computed once.

    Attributes
    ----------
    recording : Recording
        The sweeps as given.
    stimuli : tuple of Stimulus
        The distinct stimuli, each simulated once; repeats of a stimulus share one.
    repeats : tuple of tuple of int
        The sweeps of ``recording`` behind each stimulus.
    features, spread : pandas.DataFrame
        Mean over repeats and spread of each feature (SI), one row per stimulus.
    spikes : tuple of tuple of float array
        Spike times (s) of each repeat of each stimulus.
    v : tuple of float array
        Membrane potential (V) of each stimulus, the mean over its repeats.
    keep : tuple of bool array
        Subthreshold samples of each stimulus: the target's spikes and ``spike_margin``
        around them left out.
    scored : pandas.DataFrame of bool
        Which (stimulus, feature) the ``features`` objective scores: all but the
        ``PHASE_DEPENDENT`` features of sweeps where the target fires.
    settings : dict
        eFEL settings (SI) the features were computed with; the model's use the same.
    delta : float
        Coincidence window (s) of Gamma.
    spike_margin : (float, float)
        Time (s) before and after each spike left out of the ``trace`` objective.
    v_scale : float
        Voltage (V) that one unit of the ``trace`` objective stands for.
    """

    recording: Recording
    stimuli: tuple
    repeats: tuple
    features: pd.DataFrame
    spread: pd.DataFrame
    spikes: tuple
    v: tuple
    keep: tuple
    scored: pd.DataFrame
    settings: dict = field(default_factory=dict)
    delta: float = GAMMA_WINDOW
    spike_margin: tuple = (2e-3, 5e-3)
    v_scale: float = 1e-3

    @property
    def n_spikes(self) -> int:
        """Spikes in every sweep of the target, all together."""
        return int(sum(train.size for trains in self.spikes for train in trains))

    def fingerprint(self) -> str:
        """A short hash of the stimuli, voltages and settings: the same target, the same string."""
        import hashlib

        digest = hashlib.sha1()
        for stimulus, v in zip(self.stimuli, self.v):
            digest.update(np.ascontiguousarray(stimulus.current).tobytes())
            digest.update(np.ascontiguousarray(v).tobytes())
            digest.update(repr((stimulus.dt, stimulus.start, stimulus.stop)).encode())
        digest.update(repr((sorted(self.settings.items()), list(self.features.columns), self.delta,
                            self.spike_margin, self.v_scale)).encode())
        return digest.hexdigest()[:16]


def build_target(recording, features: Sequence[str] | None = None, *, repeats=None, spread=None,
                 delta: float = GAMMA_WINDOW, spike_margin=(2e-3, 5e-3), v_scale: float = 1e-3,
                 **settings) -> Target:
    """Prepare a recording (or a trace) for a fit; see ``Target``.

    Parameters
    ----------
    recording : Recording, Trace or sequence of Trace
    features : sequence of str, optional
        Feature names among ``spikefit.fitting.FAST_FEATURES``; default ``FEATURES``.
    repeats : sequence of sequence of int, optional
        Which sweeps repeat one stimulus; default: sweeps whose currents are identical.
    spread : mapping of feature name to float, optional
        A spread (SI) to use for that feature instead of the measured or default one.
    delta : float
        Coincidence window (s) of Gamma.
    spike_margin : (float, float)
        Time (s) before and after a spike that the ``trace`` objective leaves out.
    v_scale : float
        Voltage (V) that one unit of the ``trace`` objective stands for.
    **settings
        eFEL settings in SI (``Threshold``, ``interp_step``...). ``interp_step`` defaults to
        0.1 ms, or to the sampling interval when that is not a whole multiple of it.
    """
    if isinstance(recording, Target):
        return recording
    sweeps = _as_recording(recording)
    names = _check_features(features)
    groups = _repeats(sweeps, repeats)
    settings = _feature_settings(sweeps, settings)
    table = _target_features(sweeps, names, settings)
    stimuli = tuple(sweeps[g[0]].stimulus for g in groups)
    means = pd.DataFrame([table.iloc[list(g)].mean(axis=0, skipna=False) for g in groups],
                         columns=list(names))
    spreads = _spread(table, means, groups, dict(spread or {}))
    trains = tuple(tuple(_spike_train(sweeps[i], settings) for i in g) for g in groups)
    voltages = tuple(np.mean([sweeps[i].v for i in g], axis=0) for g in groups)
    keep = tuple(_keep_mask(s.n_samples, s.dt, [t for train in tr for t in train], spike_margin)
                 for s, tr in zip(stimuli, trains))
    scored = pd.DataFrame({name: [not (name in PHASE_DEPENDENT and any(t.size for t in tr)) for tr in trains]
                           for name in names})
    return Target(sweeps, stimuli, tuple(tuple(g) for g in groups), means, spreads, trains,
                  voltages, keep, scored, settings, float(delta), tuple(float(x) for x in spike_margin),
                  float(v_scale))


def _as_recording(data) -> Recording:
    if isinstance(data, Recording):
        if len(data) == 0:
            raise ValueError("the target must hold at least one sweep, got 0")
        return data
    if isinstance(data, Trace):
        return Recording((data,), dict(data.metadata))
    if isinstance(data, Sequence) and data and all(isinstance(s, Trace) for s in data):
        return Recording(tuple(data))
    raise TypeError(f"a target must be a Recording, a Trace or a sequence of Traces, got {type(data).__name__}")


def _check_features(names) -> tuple[str, ...]:
    from ..features.fast import FAST_FEATURES

    names = FEATURES if names is None else ((names,) if isinstance(names, str) else tuple(names))
    if not names:
        raise ValueError("features must name at least one feature, got none")
    for name in names:
        if name not in FAST_FEATURES:
            raise efel_edge.unknown_name_error("feature for a fit (the fast path's)", name, FAST_FEATURES)
    return tuple(dict.fromkeys(names))


def _repeats(sweeps: Recording, repeats) -> list[list[int]]:
    """Groups of sweep indices that share one stimulus."""
    if repeats is not None:
        groups = [sorted(int(i) for i in g) for g in repeats]
        flat = sorted(i for g in groups for i in g)
        if flat != list(range(len(sweeps))) or any(not g for g in groups):
            raise ValueError(f"repeats must put each of the {len(sweeps)} sweeps in exactly one "
                             f"non-empty group, got {repeats!r}")
        for g in groups:
            if any(not same_stimulus(sweeps[g[0]].stimulus, sweeps[i].stimulus) for i in g[1:]):
                raise ValueError(f"repeats must share dt, length and window, got group {g}")
        return groups
    groups: list[list[int]] = []
    for i, sweep in enumerate(sweeps):
        for g in groups:
            first = sweeps[g[0]].stimulus
            if same_stimulus(first, sweep.stimulus) and np.array_equal(first.current, sweep.current):
                g.append(i)
                break
        else:
            groups.append([i])
    return groups


def same_stimulus(a: Stimulus, b: Stimulus) -> bool:
    """True when two stimuli share dt, length and window (so one simulation can serve both)."""
    return a.dt == b.dt and a.n_samples == b.n_samples and (a.start, a.stop) == (b.start, b.stop)


def _feature_settings(sweeps: Recording, settings: dict) -> dict:
    """eFEL settings (SI); interp_step follows a sampling interval off eFEL's 0.1 ms grid."""
    settings = dict(settings)
    if "interp_step" not in settings:
        dts = {s.dt for s in sweeps}
        off_grid = [dt for dt in dts if efel_edge.reset_model_step_error(dt, EFEL_INTERP_STEP * 1e3, "") is not None]
        if off_grid:
            if len(dts) > 1:
                raise ValueError(f"sweeps sampled at several intervals {sorted(dts)} s, one off eFEL's "
                                 f"0.1 ms grid: pass interp_step explicitly")
            settings["interp_step"] = off_grid[0]
    return settings


def _target_features(sweeps: Recording, names, settings) -> pd.DataFrame:
    """Features of every sweep: the fast path for model traces, eFEL for recordings."""
    from ..features.fast import fast_extract_features
    from ..features.efel_features import extract_features

    simulated = all("model" in s.metadata for s in sweeps)
    extract = fast_extract_features if simulated else extract_features
    table = extract(sweeps, list(names), **settings)
    return table.reset_index(drop=True)


def _spread(table: pd.DataFrame, means: pd.DataFrame, groups, given: Mapping) -> pd.DataFrame:
    """Spread of each feature (SI): given, across repeats, or the documented default."""
    for name in given:
        if name not in means.columns:
            raise ValueError(f"spread names feature {name!r}, which the target does not use; "
                             f"its features are {', '.join(means.columns)}")
        if not float(given[name]) > 0:
            raise ValueError(f"a spread must be > 0, got {name}={given[name]}")
    out = pd.DataFrame(index=means.index, columns=means.columns, dtype=float)
    for name in means.columns:
        rel, floor = DEFAULT_SPREAD.get(name, (0.05, 1e-12))
        default = np.maximum(rel * means[name].abs().to_numpy(), floor)
        measured = np.array([table[name].iloc[list(g)].std(ddof=1) if len(g) > 1 else np.nan for g in groups])
        spread = np.where(np.isfinite(measured), np.maximum(measured, floor), default)
        out[name] = float(given[name]) if name in given else spread
    return out


def _spike_train(sweep: Trace, settings: dict) -> np.ndarray:
    """Spike times (s) of a sweep: its own, or upward crossings of the features' threshold."""
    if sweep.spike_times is not None:
        return np.asarray(sweep.spike_times, dtype=float)
    return detect_spikes(sweep.v, sweep.dt, settings.get("Threshold", SPIKE_THRESHOLD))


def _keep_mask(n: int, dt: float, spikes, margin) -> np.ndarray:
    """True for samples farther than the margin from every spike (as subthreshold_error)."""
    keep = np.ones(n, bool)
    time = np.arange(n) * dt
    before, after = margin
    for t in spikes:
        keep[(time >= t - before) & (time <= t + after)] = False
    return keep
