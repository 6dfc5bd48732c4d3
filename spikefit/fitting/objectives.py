"""Objectives of a fit: how far a batch of simulated parameter sets is from a target.

An objective is a plain function ``objective(result, target) -> Scores``: ``result`` is a
``BatchResult`` of many parameter sets under the target's stimuli, ``target`` a ``Target``
(a recording prepared once: its features, their spread, its spikes and subthreshold
voltage). ``Scores.values`` holds one score per parameter set, lower is better;
``Scores.missing`` counts, per set, what the model could not produce (a feature the target
has, a defined Gamma). The registered objectives (``OBJECTIVES``):

``features``
    Mean absolute z-score of the model's features against the target's, over every sweep
    and feature (those neither side defines score 0; ``PHASE_DEPENDENT`` features are left
    out of sweeps where the target fires): ``z = (model - target) / spread``, ``|z|`` capped at
    ``MAX_Z``. ``spread`` is the standard deviation across repeats of a stimulus where the
    target has repeats, else ``DEFAULT_SPREAD`` (never below its absolute floor). A feature
    the target has and the model cannot produce (too few spikes, a diverged simulation)
    scores ``MAX_Z`` and is counted as missing; one the model produces and the target
    lacks scores ``MAX_Z`` too (not counted: the model did not fail, it differs).
``firing``, ``subthreshold``
    The same, restricted to one group of features (``FEATURE_GROUPS``): one objective per
    group for a multi-objective fit.
``spikes``
    ``1 - Gamma``, Gamma the coincidence factor (``metrics.gamma_factor``, window
    ``target.delta``) clipped to [-1, 1], averaged over sweeps and their repeats: 0 for
    identical spike trains, 1 for chance, 2 at worst. A sweep where neither fires scores 0;
    one where Gamma is undefined (model rate so high that ``2 rate delta >= 1``) or the
    simulation diverged scores 2 and is counted as missing.
``trace``
    RMS voltage error over the subthreshold samples (spikes of either trace and
    ``target.spike_margin`` around them left out), in units of ``target.v_scale`` (1 mV by
    default), capped at ``MAX_TRACE``: as ``metrics.subthreshold_error`` per sweep, then the
    RMS over sweeps. A diverged sweep, or one with no sample left, scores ``MAX_TRACE`` and
    is counted as missing.

``parse_objective`` turns what ``fit`` accepts (a name, a mapping of names to weights, or a
sequence of those for a multi-objective fit) into an ``ObjectiveSpec``.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from typing import Callable, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
from numba import njit

from ..data import Recording, Stimulus, Trace
from ..data.spikes import detect_spikes
from . import _efel
from .features import FIRING_FEATURES

SUBTHRESHOLD = ("voltage_base", "steady_state_voltage_stimend")
FEATURES = FIRING_FEATURES + SUBTHRESHOLD
"""Default features of the ``features`` objective (all on spikefit's fast path)."""

FEATURE_GROUPS = {"firing": FIRING_FEATURES, "subthreshold": SUBTHRESHOLD}
"""Feature groups, each an objective of its own in a multi-objective fit."""

PHASE_DEPENDENT = ("steady_state_voltage_stimend",)
"""Features not scored on sweeps where the target fires: there they average the voltage over
a window whose spikes fall anywhere, and jump with the phase of the last spike."""

MAX_Z = 20.0
"""Cap of a feature's |z-score|, and the score of a feature one side cannot produce."""

MAX_TRACE = 50.0
"""Cap of the ``trace`` objective (units of ``v_scale``), and the score of a diverged sweep."""

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


class Scores(NamedTuple):
    """What an objective returns: a score per parameter set and what each could not produce."""

    values: np.ndarray  # (n_sets,) lower is better
    missing: np.ndarray  # (n_sets,) int: features or sweeps the model could not produce


# --- the target ----------------------------------------------------------------------
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
    delta: float = 4e-3
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
                 delta: float = 4e-3, spike_margin=(2e-3, 5e-3), v_scale: float = 1e-3,
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
    from .fast_features import FAST_FEATURES

    names = FEATURES if names is None else ((names,) if isinstance(names, str) else tuple(names))
    if not names:
        raise ValueError("features must name at least one feature, got none")
    for name in names:
        if name not in FAST_FEATURES:
            raise _efel.unknown_name_error("feature for a fit (the fast path's)", name, FAST_FEATURES)
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
        off_grid = [dt for dt in dts if _efel.reset_model_step_error(dt, 0.1, "") is not None]
        if off_grid:
            if len(dts) > 1:
                raise ValueError(f"sweeps sampled at several intervals {sorted(dts)} s, one off eFEL's "
                                 f"0.1 ms grid: pass interp_step explicitly")
            settings["interp_step"] = off_grid[0]
    return settings


def _target_features(sweeps: Recording, names, settings) -> pd.DataFrame:
    """Features of every sweep: the fast path for model traces, eFEL for recordings."""
    from .fast_features import fast_extract_features
    from .features import extract_features

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
    return detect_spikes(sweep.v, sweep.dt, settings.get("Threshold", -0.02))


def _keep_mask(n: int, dt: float, spikes, margin) -> np.ndarray:
    """True for samples farther than the margin from every spike (as subthreshold_error)."""
    keep = np.ones(n, bool)
    time = np.arange(n) * dt
    before, after = margin
    for t in spikes:
        keep[(time >= t - before) & (time <= t + after)] = False
    return keep


# --- features ------------------------------------------------------------------------
_FEATURE_CACHE: dict = {}


def model_features(result, target: Target) -> np.ndarray:
    """Features (SI) of every set under every stimulus, shape (n_sets, n_stimuli, n_features).

    The fast path's feature functions (``fast_features.FAST_FEATURES``, eFEL's definitions)
    without ``batch_features``' table and reasons, which cost more than the features in a
    fit; computed once per BatchResult, so that several feature objectives share them.
    """
    key = id(result)
    cached = _FEATURE_CACHE.get(key)
    if cached is not None and cached[0]() is result and cached[1] is target:
        return cached[2]
    values = feature_values(result, list(target.features.columns), target.settings)
    _FEATURE_CACHE.clear()
    _FEATURE_CACHE[key] = (weakref.ref(result), target, values)
    return values


def feature_values(result, names: Sequence[str], settings: Mapping) -> np.ndarray:
    """Fast features (SI) of a BatchResult as an array (n_sets, n_stimuli, n_features); NaN
    where undefined or diverged. Equal to ``batch_features(result, names, **settings)``."""
    from .fast_features import FAST_FEATURES, Sweeps, _fast_settings, detected_peaks, drawn_peaks
    from .features import WINDOW_FREE

    config = _fast_settings(dict(settings))
    reset = result.model in _efel.RESET_MODELS
    out = np.full((result.n_sets, len(result.stimuli), len(names)), np.nan)
    for j, stim in enumerate(result.stimuli):
        v = None if result.v is None else result.v[j]
        if reset:
            peaks, counts = drawn_peaks(result.spike_times[j], result.spike_counts[:, j], stim.dt,
                                        stim.n_samples, config["interp_step"])
        else:
            peaks, counts = detected_peaks(v, stim.dt, config["interp_step"], config["Threshold"])
        window = (None, None) if stim.start is None else _efel.window_ms(stim.start, stim.stop)
        sweeps = Sweeps(peaks, counts, *window, v, stim.dt, config)
        for k, name in enumerate(names):
            if window[0] is not None or name in WINDOW_FREE:
                out[:, j, k] = FAST_FEATURES[name](sweeps)[0]
        out[result.diverged[:, j], j, :] = np.nan
    return out


def feature_distance(result, target: Target, names: Sequence[str] | None = None) -> Scores:
    """Mean |z| (dimensionless) of the model's features against the target's; see module doc."""
    columns = list(target.features.columns)
    index = [columns.index(n) for n in (names or columns) if n in columns]
    if not index:
        return Scores(np.zeros(result.n_sets), np.zeros(result.n_sets, np.int64))
    model = model_features(result, target)[:, :, index]
    wanted = target.features.to_numpy()[:, index]
    spread = target.spread.to_numpy()[:, index]
    have_t, have_m = np.isfinite(wanted), np.isfinite(model)
    with np.errstate(invalid="ignore"):
        z = np.minimum(np.abs(model - wanted) / spread, MAX_Z)
    scored = target.scored.to_numpy()[:, index]
    z = np.where(have_t & have_m, z, np.where(have_t | have_m, MAX_Z, 0.0)) * scored
    missing = (have_t & ~have_m & scored).sum(axis=(1, 2))
    values = z.sum(axis=(1, 2)) / max(int(scored.sum()), 1)  # the same denominator for every set
    return Scores(values, missing.astype(np.int64))


def firing_distance(result, target: Target) -> Scores:
    """Mean |z| (dimensionless) over the firing features only."""
    return feature_distance(result, target, FEATURE_GROUPS["firing"])


def subthreshold_distance(result, target: Target) -> Scores:
    """Mean |z| (dimensionless) over the subthreshold features only."""
    return feature_distance(result, target, FEATURE_GROUPS["subthreshold"])


# --- spike timing --------------------------------------------------------------------
@njit(cache=True)
def _batch_gamma(data, spikes, counts, delta, duration, out):
    """Gamma of each row of ``spikes`` (first ``counts`` entries) against ``data``; NaN when
    neither fires, -inf when ``2 rate delta >= 1``."""
    for i in range(spikes.shape[0]):
        n_model = counts[i]
        if n_model + data.size == 0:
            out[i] = np.nan
            continue
        rate = n_model / duration
        norm = 1.0 - 2.0 * rate * delta
        if norm <= 0.0:
            out[i] = -np.inf
            continue
        n_coinc = 0
        j = 0
        for t in data:
            while j < n_model and spikes[i, j] < t - delta:
                j += 1
            if j < n_model and spikes[i, j] <= t + delta:
                n_coinc += 1
                j += 1
        expected = 2.0 * rate * delta * data.size
        out[i] = (n_coinc - expected) / (0.5 * (data.size + n_model) * norm)


def gamma_matrix(result, target: Target) -> tuple[np.ndarray, np.ndarray]:
    """Gamma of every set under every stimulus, mean over repeats, clipped to [-1, 1].

    Returns (gamma (n_sets, n_stimuli), undefined (n_sets, n_stimuli) bool); a sweep where
    neither side fires has gamma 1.
    """
    n_sets, n_stim = result.n_sets, len(result.stimuli)
    gamma = np.zeros((n_sets, n_stim))
    undefined = np.zeros((n_sets, n_stim), bool)
    out = np.empty(n_sets)
    for j, (stimulus, trains) in enumerate(zip(result.stimuli, target.spikes)):
        spikes = np.ascontiguousarray(result.spike_times[j])
        counts = np.ascontiguousarray(result.spike_counts[:, j])
        for train in trains:
            _batch_gamma(np.ascontiguousarray(train), spikes, counts, target.delta, stimulus.duration, out)
            bad = np.isneginf(out) | result.diverged[:, j]
            undefined[:, j] |= bad
            gamma[:, j] += np.where(np.isnan(out), 1.0, np.clip(out, -1.0, 1.0)) / len(trains)
        gamma[undefined[:, j], j] = -1.0
    return gamma, undefined


def spike_timing(result, target: Target) -> Scores:
    """1 - Gamma (dimensionless, 0 best, 2 worst), mean over sweeps; see module doc."""
    gamma, undefined = gamma_matrix(result, target)
    return Scores(1.0 - gamma.mean(axis=1), undefined.sum(axis=1).astype(np.int64))


# --- subthreshold trace --------------------------------------------------------------
@njit(cache=True)
def _masked_square_error(v, target, keep, spikes, counts, dt, before, after, sums, n_kept):
    """Sum of squared differences and sample counts over ``keep``, each set's spikes and the
    margin around them left out (samples with ``t - before <= time <= t + after``)."""
    n = target.size
    mask = np.empty(n, np.bool_)
    for i in range(v.shape[0]):
        mask[:] = keep
        for k in range(counts[i]):
            t = spikes[i, k]
            s = max(int(math.floor((t - before) / dt)) - 1, 0)
            while s < n and s * dt <= t + after:  # the same float comparisons as _keep_mask
                if s * dt >= t - before:
                    mask[s] = False
                s += 1
        total = 0.0
        m = 0
        for s in range(n):
            if mask[s]:
                d = v[i, s] - target[s]
                total += d * d
                m += 1
        sums[i] = total
        n_kept[i] = m


def trace_error(result, target: Target) -> Scores:
    """RMS subthreshold voltage error (units of ``target.v_scale``), RMS over sweeps; see module doc."""
    if result.v is None:
        raise ValueError("the trace objective needs the membrane potential: simulate with record_v=True")
    n_sets, n_stim = result.n_sets, len(result.stimuli)
    per_sweep = np.empty((n_sets, n_stim))
    sums, kept = np.empty(n_sets), np.empty(n_sets, np.int64)
    before, after = target.spike_margin
    for j, stimulus in enumerate(result.stimuli):
        _masked_square_error(result.v[j], target.v[j], target.keep[j], np.ascontiguousarray(result.spike_times[j]),
                             np.ascontiguousarray(result.spike_counts[:, j]), stimulus.dt, before, after, sums, kept)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_sweep[:, j] = np.sqrt(sums / kept) / target.v_scale
    bad = ~np.isfinite(per_sweep) | result.diverged
    per_sweep = np.where(bad, MAX_TRACE, np.minimum(per_sweep, MAX_TRACE))
    return Scores(np.sqrt(np.mean(per_sweep ** 2, axis=1)), bad.sum(axis=1).astype(np.int64))


# --- the registry --------------------------------------------------------------------
@dataclass(frozen=True)
class Objective:
    """A registered objective: its function and what it needs from the simulation."""

    name: str
    function: Callable[..., Scores]
    needs_v: bool | Callable[[Target], bool]
    needs_spikes: bool = False

    def record_v(self, target: Target) -> bool:
        """True when the simulation must record voltages for this objective."""
        return self.needs_v(target) if callable(self.needs_v) else self.needs_v


def _uses_subthreshold(target: Target, group: str | None = None) -> bool:
    names = FEATURE_GROUPS[group] if group else target.features.columns
    return any(n in SUBTHRESHOLD for n in names if n in target.features.columns)


OBJECTIVES: dict[str, Objective] = {
    "features": Objective("features", feature_distance, _uses_subthreshold),
    "firing": Objective("firing", firing_distance, lambda t: _uses_subthreshold(t, "firing")),
    "subthreshold": Objective("subthreshold", subthreshold_distance, lambda t: _uses_subthreshold(t, "subthreshold")),
    "spikes": Objective("spikes", spike_timing, False, needs_spikes=True),
    "trace": Objective("trace", trace_error, True),
}
"""The objectives by name."""

MULTI_DEFAULT = ("firing", "subthreshold")
"""What ``objective="multi"`` means: one objective per feature group."""


@dataclass(frozen=True)
class ObjectiveSpec:
    """One or more objectives (several: a multi-objective fit), each a weighted sum of
    registered objectives: ``((("features", 1.0), ("trace", 0.5)),)``."""

    terms: tuple[tuple[tuple[str, float], ...], ...]

    @property
    def n_objectives(self) -> int:
        return len(self.terms)

    @property
    def names(self) -> tuple[str, ...]:
        """Registered objectives used, each once."""
        return tuple(dict.fromkeys(name for term in self.terms for name, _ in term))

    def describe(self) -> list[str]:
        """One readable label per objective: ``features``, ``1*features+0.5*trace``."""
        return [term[0][0] if len(term) == 1 and term[0][1] == 1.0 else
                "+".join(f"{w:g}*{n}" for n, w in term) for term in self.terms]

    def record_v(self, target: Target) -> bool:
        return any(OBJECTIVES[name].record_v(target) for name in self.names)

    def evaluate(self, result, target: Target) -> tuple[np.ndarray, np.ndarray]:
        """Scores (n_sets, n_objectives) and missing counts (n_sets,) of a batch."""
        parts = {name: OBJECTIVES[name].function(result, target) for name in self.names}
        values = np.stack([sum(w * parts[n].values for n, w in term) for term in self.terms], axis=1)
        missing = sum(p.missing for p in parts.values())
        return values, np.asarray(missing, dtype=np.int64)


def parse_objective(objective) -> ObjectiveSpec:
    """An ``ObjectiveSpec`` from a name, ``"multi"``, a mapping name -> weight, or a sequence
    of names or mappings (one objective each: a multi-objective fit)."""
    if isinstance(objective, ObjectiveSpec):
        return objective
    if isinstance(objective, str) and objective == "multi":
        objective = list(MULTI_DEFAULT)
    if isinstance(objective, (str, Mapping)):
        return ObjectiveSpec((_term(objective),))
    if isinstance(objective, Sequence) and len(objective) > 0:
        return ObjectiveSpec(tuple(_term(o) for o in objective))
    raise TypeError(f"objective must be a name, a mapping of names to weights, or a non-empty "
                    f"sequence of those, got {objective!r}")


def _term(item) -> tuple[tuple[str, float], ...]:
    weights = {item: 1.0} if isinstance(item, str) else dict(item)
    if not weights:
        raise ValueError("a weighted objective must name at least one objective, got {}")
    for name, weight in weights.items():
        if name not in OBJECTIVES:
            raise _efel.unknown_name_error("objective", name, list(OBJECTIVES) + ["multi"])
        if not (math.isfinite(float(weight)) and float(weight) > 0):
            raise ValueError(f"an objective's weight must be finite and > 0, got {name}={weight}")
    return tuple((name, float(w)) for name, w in weights.items())


def check_target(spec: ObjectiveSpec, target: Target) -> None:
    """Raise ValueError when the target cannot serve an objective (before any trial runs)."""
    for name in spec.names:
        if OBJECTIVES[name].needs_spikes and target.n_spikes == 0:
            raise ValueError(f"the {name!r} objective needs target spikes, got a target with 0 spikes "
                             f"in {len(target.recording)} sweeps: use 'features' or 'trace'")
        if name in ("features", "firing", "subthreshold"):
            names = FEATURE_GROUPS.get(name, tuple(target.features.columns))
            used = [n for n in names if n in target.features.columns]
            if not used or not np.isfinite(target.features[used].to_numpy()).any():
                raise ValueError(f"the {name!r} objective needs at least one feature the target defines, "
                                 f"got none among {', '.join(names)} (all NaN or not computed)")
