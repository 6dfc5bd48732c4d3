"""Scores of one fitted model on one cell's training or held-out sweeps, as tidy rows.

``score_split`` simulates the model under the sweeps' stimuli (repeats of a level share one
simulation) and measures, against the recording:

``objective``
    The fit's objective on these sweeps (its units; lower is better).
``gamma``
    Coincidence factor Gamma (``defaults.GAMMA_WINDOW`` = 4 ms), averaged over the repeats of
    each stimulus and over stimuli where either side fires (``gamma_over_repeats``). A model
    firing so fast that Gamma is undefined (``2 rate delta >= 1``) scores -1 there and counts
    as missing.
``gamma_normalized``
    Gamma divided by the recording's intrinsic reliability, over stimuli with repeats only.
``md_star``
    Md* (Naud et al. 2011, as Pozzorini et al. 2015; ``defaults.GAMMA_WINDOW``), over stimuli
    with repeats only.
``reliability``
    The data's own: mean intrinsic reliability of the repeat groups (``reliability``), and
    ``reliable_groups`` how many of them are above chance; the same for every model.
``explained_variance``
    Of Gaussian-smoothed spike trains (Teeter et al. 2018), normalised where repeats exist.
``fi_error``
    Hz: RMS difference of firing rates inside the stimulus window over the step sweeps.
``n_missing``
    Features the recording has and the model cannot produce, plus undefined Gammas.
``feature_z``
    Mean over features of ``feature_z:NAME``: the feature error in units of the recording's
    spread across repeats.
``feature_z:NAME`` and ``feature_error:NAME``
    Each feature's mean |z-score| (capped at ``objectives.MAX_Z``; target spread as in the
    objective) and mean absolute error (SI unit), over stimuli where both sides define it.
"""
from __future__ import annotations

import math

import numpy as np

from ..defaults import GAMMA_WINDOW
from ..features.fast import UNITS
from ..features.metrics import explained_variance, gamma_over_repeats, md_star, normalized_gamma
from ..fitting.objectives import MAX_Z, model_features
from ..fitting.target import build_target, same_stimulus
from .cells import step_amplitude
from .splits import Split

METRIC_UNITS = {"objective": "1", "gamma": "1", "gamma_normalized": "1", "md_star": "1", "explained_variance": "1",
                "fi_error": "Hz", "n_missing": "1", "feature_z": "1", "reliability": "1", "reliable_groups": "1"}

HIGHER_IS_BETTER = {"gamma": True, "gamma_normalized": True, "md_star": True, "explained_variance": True,
                    "objective": False, "fi_error": False, "n_missing": False, "feature_z": False}
"""Which way each headline metric points (feature errors: lower is better)."""


def compatible_groups(recording, groups) -> list[list[int]]:
    """Repeat groups split where sweeps differ in dt, length or window (they cannot share a
    simulation)."""
    out = []
    for group in groups:
        parts: list[list[int]] = []
        for i in group:
            for part in parts:
                if same_stimulus(recording[part[0]].stimulus, recording[i].stimulus):
                    part.append(i)
                    break
            else:
                parts.append([i])
        out += parts
    return out


def score_split(model, params: dict, split: Split, which: str, spec) -> dict[str, float]:
    """Metric name -> value of ``params`` on the ``which`` ("train" or "test") sweeps."""
    sweeps = split.sweeps(which)
    target = build_target(sweeps, repeats=compatible_groups(sweeps, split.groups(which)))
    table = {name: [value] for name, value in params.items()}
    result = model.simulate_batch(table, target.stimuli, record_v=True)  # the features need voltages
    values, missing = spec.evaluate(result, target)
    scores = {"objective": float(values[0].sum())}
    gamma, normalized, undefined = _gammas(result, target)
    scores.update(gamma=gamma, gamma_normalized=normalized, md_star=_md_star(result, target),
                  explained_variance=_explained_variance(result, target))
    scores["fi_error"] = _fi_error(result, target)
    feature_scores, n_missing = _feature_errors(result, target)
    scores["n_missing"] = float(n_missing + undefined)
    scores["feature_z"] = _mean([v for k, v in feature_scores.items() if k.startswith("feature_z:") and math.isfinite(v)])
    groups = split.reliability(which)
    scores["reliability"] = _mean([g.value for g in groups if math.isfinite(g.value)])
    scores["reliable_groups"] = float(sum(g.above_chance for g in groups))
    scores.update(feature_scores)
    return scores


def _md_star(result, target) -> float:
    """Mean Md* over the stimuli with repeats (NaN where nothing coincides anywhere)."""
    values = []
    for j in range(len(target.stimuli)):
        repeats = [np.asarray(r) for r in target.spikes[j]]
        if len(repeats) >= 2:
            values.append(md_star(model=result.spikes(0, j), data=repeats, delta=GAMMA_WINDOW))
    return _mean([v for v in values if math.isfinite(v)])


def _gammas(result, target) -> tuple[float, float, int]:
    """Mean Gamma and normalised Gamma over the stimuli, and the stimuli where Gamma is undefined."""
    plain, normalized, undefined = [], [], 0
    for j, stim in enumerate(target.stimuli):
        repeats = [np.asarray(r) for r in target.spikes[j]]
        gamma, too_fast = gamma_over_repeats(model=result.spike_times[j][:1], counts=result.spike_counts[:1, j],
                                             repeats=repeats, delta=GAMMA_WINDOW, duration=stim.duration)
        if too_fast[0]:  # the model fires so fast that chance fills Gamma's window
            plain.append(-1.0)
            undefined += 1
            continue
        if math.isnan(gamma[0]):  # neither side fires: no timing to score (gamma_over_repeats)
            continue
        plain.append(float(gamma[0]))
        if len(repeats) >= 2:
            with np.errstate(invalid="ignore", divide="ignore"):
                value = normalized_gamma(model=result.spikes(0, j), repeats=repeats, delta=GAMMA_WINDOW,
                                         duration=stim.duration)
            if math.isfinite(value):
                normalized.append(value)
    return _mean(plain), _mean(normalized), undefined


def _explained_variance(result, target) -> float:
    values = []
    for j, stim in enumerate(target.stimuli):
        model, repeats = result.spikes(0, j), [np.asarray(r) for r in target.spikes[j]]
        if model.size == 0 and all(r.size == 0 for r in repeats):
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            values.append(explained_variance(model=model, data=repeats, duration=stim.duration))
    return _mean([v for v in values if math.isfinite(v)])


def _rate(spikes: np.ndarray, stim) -> float:
    inside = (spikes >= stim.start) & (spikes < stim.stop)
    return float(inside.sum() / (stim.stop - stim.start))


def _fi_error(result, target) -> float:
    errors = []
    for j, stim in enumerate(target.stimuli):
        if not math.isfinite(step_amplitude(target.recording[target.repeats[j][0]])):
            continue
        data = np.mean([_rate(np.asarray(r), stim) for r in target.spikes[j]])
        errors.append(_rate(result.spikes(0, j), stim) - data)
    return float(np.sqrt(np.mean(np.square(errors)))) if errors else math.nan


def _feature_errors(result, target) -> tuple[dict[str, float], int]:
    model = model_features(result, target)[0]  # (n_stimuli, n_features)
    wanted, spread = target.features.to_numpy(), target.spread.to_numpy()
    scored = target.scored.to_numpy()
    scores, n_missing = {}, 0
    for k, name in enumerate(target.features.columns):
        both = np.isfinite(model[:, k]) & np.isfinite(wanted[:, k]) & scored[:, k]
        n_missing += int((np.isfinite(wanted[:, k]) & ~np.isfinite(model[:, k]) & scored[:, k]).sum())
        error = np.abs(model[both, k] - wanted[both, k])
        scores[f"feature_error:{name}"] = _mean(error)
        scores[f"feature_z:{name}"] = _mean(np.minimum(error / spread[both, k], MAX_Z))
    return scores, n_missing


def _mean(values) -> float:
    values = np.asarray(values, dtype=float)
    return float(values.mean()) if values.size else math.nan


def metric_unit(metric: str) -> str:
    """The SI unit of a metric's values ("1" for dimensionless)."""
    if metric.startswith("feature_error:"):
        return UNITS.get(metric.split(":", 1)[1], "1")
    return METRIC_UNITS.get(metric, "1")
