"""Objectives of a fit: how far a batch of simulated parameter sets is from a target.

An objective is a plain function ``objective(result, target) -> Scores``: ``result`` is a
``BatchResult`` of many parameter sets under the target's stimuli, ``target`` a ``Target``
(a recording prepared once: its features, their spread, its spikes and subthreshold
voltage). ``Scores.values`` holds one score per parameter set, lower is better;
``Scores.missing`` counts, per set, what the model could not produce (a feature the target
has, a defined Gamma). The registered objectives (``OBJECTIVES``):

``features``
    Mean absolute z-score of the model's features against the target's, over every sweep
    and feature (those neither side defines score 0; ``target.PHASE_DEPENDENT`` features are
    left out of sweeps where the target fires): ``z = (model - target) / spread``, ``|z|``
    capped at ``MAX_Z``. ``spread`` is the standard deviation across repeats of a stimulus
    where the target has repeats, else ``target.DEFAULT_SPREAD`` (never below its absolute
    floor). A feature the target has and the model cannot produce (too few spikes, a diverged simulation)
    scores ``MAX_Z`` and is counted as missing; one the model produces and the target
    lacks scores ``MAX_Z`` too (not counted: the model did not fail, it differs).
``firing``, ``subthreshold``
    The same, restricted to one group of features (``FEATURE_GROUPS``): one objective per
    group for a multi-objective fit.
``spikes``
    ``1 - Gamma``, Gamma the coincidence factor (``features.metrics.gamma_factor``, window
    ``target.delta``) clipped to [-1, 1], averaged over the repeats and sweeps where either
    side fires (``features.metrics.gamma_over_repeats`` says why the others are left out): 0
    for identical spike trains, 1 for chance, 2 at worst. A sweep where Gamma is undefined
    (model rate so high that ``2 rate delta >= 1``) or the simulation diverged scores 2 and
    is counted as missing.
``trace``
    RMS voltage error over the subthreshold samples (spikes of either trace and
    ``target.spike_margin`` around them left out), in units of ``target.v_scale`` (1 mV by
    default), capped at ``MAX_TRACE``: as ``features.voltage_error.subthreshold_error`` per sweep, then the
    RMS over sweeps. A diverged sweep, or one with no sample left, scores ``MAX_TRACE`` and
    is counted as missing.

``parse_objective`` turns what ``fit`` accepts (a name, a mapping of names to weights, or a
sequence of those for a multi-objective fit) into an ``ObjectiveSpec``.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Callable, Mapping, NamedTuple, Sequence

import numpy as np
from numba import njit

from ..features import efel_edge
from ..features.efel_features import FIRING_FEATURES
from ..features.fast import feature_values
from ..features.metrics import gamma_over_repeats
from ..models.kernel_tools import copy_into
from .target import SUBTHRESHOLD, Target

FEATURE_GROUPS = {"firing": FIRING_FEATURES, "subthreshold": SUBTHRESHOLD}
"""Feature groups, each an objective of its own in a multi-objective fit."""

MAX_Z = 20.0
"""Cap of a feature's |z-score|, and the score of a feature one side cannot produce."""

MAX_TRACE = 50.0
"""Cap of the ``trace`` objective (units of ``v_scale``), and the score of a diverged sweep."""


class Scores(NamedTuple):
    """What an objective returns: a score per parameter set and what each could not produce."""

    values: np.ndarray  # (n_sets,) lower is better
    missing: np.ndarray  # (n_sets,) int: features or sweeps the model could not produce


# --- features ------------------------------------------------------------------------
_FEATURE_CACHE: dict = {}


def model_features(result, target: Target) -> np.ndarray:
    """Features (SI) of every set under every stimulus, shape (n_sets, n_stimuli, n_features).

    ``features.fast.feature_values`` (eFEL's definitions, the fast path's array core) of the
    target's features and settings; computed once per BatchResult, so that several feature
    objectives share them.
    """
    key = id(result)
    cached = _FEATURE_CACHE.get(key)
    if cached is not None and cached[0]() is result and cached[1] is target:
        return cached[2]
    values = feature_values(result, list(target.features.columns), **target.settings)
    _FEATURE_CACHE.clear()
    _FEATURE_CACHE[key] = (weakref.ref(result), target, values)
    return values


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
def gamma_matrix(result, target: Target) -> tuple[np.ndarray, np.ndarray]:
    """Gamma (dimensionless) of every set under every stimulus, shape (n_sets, n_stimuli).

    ``features.metrics.gamma_over_repeats``, each repeat's Gamma clipped to [-1, 1]: NaN where
    neither side fires in any repeat. Returns (gamma, undefined): a sweep where Gamma is
    undefined (``2 rate delta >= 1``) or the simulation diverged has gamma -1 and is undefined.
    """
    gamma = np.empty((result.n_sets, len(result.stimuli)))
    undefined = np.zeros(gamma.shape, bool)
    for j, (stimulus, trains) in enumerate(zip(result.stimuli, target.spikes)):
        gamma[:, j], too_fast = gamma_over_repeats(
            model=result.spike_times[j], counts=result.spike_counts[:, j], repeats=trains,
            delta=target.delta, duration=stimulus.duration, clip=True)
        undefined[:, j] = too_fast | result.diverged[:, j]
    gamma[undefined] = -1.0
    return gamma, undefined


def spike_timing(result, target: Target) -> Scores:
    """1 - Gamma (dimensionless, 0 best, 2 worst), mean over sweeps where either side fires;
    see module doc."""
    gamma, undefined = gamma_matrix(result, target)
    scored = np.isfinite(gamma)
    with np.errstate(invalid="ignore"):
        mean = np.where(scored, gamma, 0.0).sum(axis=1) / scored.sum(axis=1)
    values = np.where(scored.any(axis=1), 1.0 - mean, 0.0)  # nothing fires anywhere: nothing to miss
    return Scores(values, undefined.sum(axis=1).astype(np.int64))


# --- subthreshold trace --------------------------------------------------------------
@njit(cache=True)
def _masked_square_error(v, target, keep, spikes, counts, dt, before, after, sums, n_kept):
    """Sum of squared differences and sample counts over ``keep``, each set's spikes and the
    margin around them left out (samples with ``t - before <= time <= t + after``)."""
    n = target.size
    mask = np.empty(n, np.bool_)
    for i in range(v.shape[0]):
        copy_into(mask, keep)
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
    uses_features: bool = False

    def record_v(self, target: Target, *, spike_drawing: str) -> bool:
        """True when the simulation must record voltages for this objective: when it says so,
        or when it reads features and the model's spikes are found in its voltage
        (``spike_drawing="shape"``, as the fast path's ``batch_sweeps`` needs)."""
        if self.uses_features and spike_drawing == "shape":
            return True
        return self.needs_v(target) if callable(self.needs_v) else self.needs_v


def _uses_subthreshold(target: Target, group: str | None = None) -> bool:
    names = FEATURE_GROUPS[group] if group else target.features.columns
    return any(n in SUBTHRESHOLD for n in names if n in target.features.columns)


OBJECTIVES: dict[str, Objective] = {
    "features": Objective("features", feature_distance, _uses_subthreshold, uses_features=True),
    "firing": Objective("firing", firing_distance, lambda t: _uses_subthreshold(t, "firing"), uses_features=True),
    "subthreshold": Objective("subthreshold", subthreshold_distance, lambda t: _uses_subthreshold(t, "subthreshold"),
                              uses_features=True),
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

    def record_v(self, target: Target, *, spike_drawing: str) -> bool:
        """True when a model that draws spikes so (``Model.spike_drawing``) must record voltages."""
        return any(OBJECTIVES[name].record_v(target, spike_drawing=spike_drawing) for name in self.names)

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
            raise efel_edge.unknown_name_error("objective", name, list(OBJECTIVES) + ["multi"])
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
