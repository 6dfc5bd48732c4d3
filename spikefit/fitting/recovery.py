"""Parameter recovery: fit a target simulated from known parameters, compare what comes back.

``recover`` simulates the model with ``true_params`` under a protocol, fits the model to that
target from the estimate of its voltage trace (``init="estimate"``), and returns the true
against the recovered values with their errors (``relative_error``), which parameters the
protocol determines (``identifiable``, and why not), and Gamma of the recovered model against
the true one on a held-out noise current that no fit saw (does the fit behave like the target
even where a parameter is not pinned down?).

The default protocol (``default_protocol``) is five 0.8 s steps at ``RHEOBASE_FACTORS`` times
the rheobase plus one sweep of Ornstein-Uhlenbeck noise (``TRAINING_NOISE``, seed 0); the
held-out current (``heldout_stimulus``) is noise of the same statistics from another seed
(``HELDOUT_NOISE``, seed 1), never part of the protocol.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import Stimulus, ou_noise, step_protocol
from ..data.units import to_display

RHEOBASE_FACTORS = (-0.5, 0.5, 1.5, 2.5, 4.0)
"""Step amplitudes of ``default_protocol``, in units of the rheobase: one hyperpolarising,
one subthreshold, three firing."""

TRAINING_NOISE = (1.5, 1.0, 5e-3, 0)
"""The noise sweep of ``default_protocol``: mean and standard deviation in units of the
rheobase, correlation time (s) and seed. Steps alone show few spikes at few states of the
adaptation; noise shows many, at many."""

HELDOUT_NOISE = (1.5, 1.0, 5e-3)
"""The held-out current of ``recover``: Ornstein-Uhlenbeck noise of mean and standard
deviation in units of the rheobase, and correlation time (s). Fluctuations this strong lock
spikes to the stimulus, so Gamma measures the model and not a drift of phase that a step
accumulates over a second."""

HELDOUT_SEED = 1
"""Seed of the held-out noise; ``TRAINING_NOISE`` uses another."""

DEFAULT_TRIALS = 2000
"""Completed trials of ``recover``'s fit. Measured (Izhikevich rs_2003, seed 0): 1000 leave C, k and b
5-9 % off; 2000 bring them within 1.3 %, for 1 s more of CPU."""

DEFAULT_OBJECTIVE = {"features": 1.0, "trace": 0.1}
"""``recover``'s objective: features, plus the subthreshold trace that pins what the features
see only together (the voltage is the target's, sample by sample)."""

TOLERANCE = 0.02
"""The error (``relative_error``) within which ``recover`` should find a parameter the
protocol determines; also the step of the profile that decides whether it does."""

PROFILE_FLOOR = 1e-3
"""A parameter is not determined by the protocol when moving the recovered value by
``TOLERANCE`` (either way, the others held) changes the objective by less than this (its units:
mean |z| for features, mV for the trace). Measured: LIF t_ref (2 % is 40 us, under the 0.1 ms
step) and Izhikevich v_peak of some 2003/2004 presets (the Euler step jumps past it); the
spread of the best trials does not show them (LIF t_ref 0.00-0.01, as narrow as C's: CMA-ES
narrows every coordinate as it converges)."""

IDENTIFIABLE_SPREAD = 0.1
"""The spread of the best trials (interquartile range, unit box) that ``spikefit recover``
prints as narrow; shown in the table, not used to decide."""

NEAR_ZERO = 0.05
"""A linear parameter's error is relative to ``max(|true|, NEAR_ZERO x width of its search
bounds)``: a true value at or near 0 has no scale of its own, so the bounds give one."""

BOUND_MARGIN = 0.1
"""Where a true value lies outside a parameter's spec bounds, ``recover`` widens that bound
to put it this fraction of the spec's width inside (``Recovery.widened`` says which)."""


@dataclass(frozen=True, eq=False)
class Recovery:
    """What ``recover`` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per searched parameter: ``parameter``, ``unit`` (display), ``true``,
        ``recovered`` (display units), ``relative_error`` (``relative_error``), ``spread``
        (interquartile range of the best trials, as a fraction of the search range),
        ``identifiable`` (the protocol determines it) and ``reason`` (why not, else "").
    fit : FitResult
    true_params : dict
        Every parameter of the target, SI.
    protocol : list of Stimulus
    heldout : Stimulus
        Noise the fit never saw (``heldout_stimulus``), unless ``recover`` was given one.
    heldout_gamma : float
        Gamma of the recovered model's spikes against the true model's on ``heldout``; NaN
        where Gamma is undefined (either train faster than 1 / (2 x its window)).
    bounds : dict
        name -> (low, high), SI: the search bounds of each searched parameter.
    widened : tuple of str
        The parameters whose spec bounds were widened to contain the true value.
    """

    table: pd.DataFrame
    fit: object
    true_params: dict
    protocol: list
    heldout: Stimulus
    heldout_gamma: float
    bounds: dict = field(default_factory=dict)
    widened: tuple = ()

    def errors(self) -> dict[str, float]:
        """Relative error of each searched parameter (``relative_error``)."""
        return dict(zip(self.table["parameter"], self.table["relative_error"]))

    def not_determined(self) -> dict[str, str]:
        """name -> why the protocol does not determine it, for each such searched parameter."""
        rows = self.table[~self.table["identifiable"]]
        return dict(zip(rows["parameter"], rows["reason"]))

    def worst_error(self) -> float:
        """Largest |relative error| over the identifiable parameters (0 if there are none)."""
        errors = self.table.loc[self.table["identifiable"], "relative_error"].abs()
        return float(errors.max()) if len(errors) else 0.0


def rheobase(model, params, duration: float = 1.0, dt: float = 1e-4, high: float = 5e-9) -> float:
    """A (to 1 %): the smallest step (0.1 s to ``duration`` - 0.1 s) that makes ``params`` fire.

    Raises
    ------
    ValueError
        When the model does not fire for steps up to ``high``.
    """
    amplitudes = np.geomspace(1e-12, high, 400)
    stimuli = step_protocol(amplitudes, 0.1, duration - 0.1, duration, dt)
    counts = model.simulate_batch(dict(params), stimuli).spike_counts[0]
    firing = np.flatnonzero(counts > 0)
    if firing.size == 0:
        raise ValueError(f"model {model.name!r} does not fire for steps up to {high} A: "
                         f"no rheobase to build a protocol on; pass protocol=")
    return float(amplitudes[firing[0]])


def rheobase_steps(model, params, duration: float = 1.0, dt: float = 1e-4) -> list[Stimulus]:
    """Steps (A) at ``RHEOBASE_FACTORS`` times the rheobase of ``params``, 0.1 s to duration - 0.1 s."""
    base = rheobase(model, params, duration, dt)
    return step_protocol([f * base for f in RHEOBASE_FACTORS], 0.1, duration - 0.1, duration, dt)


def default_protocol(model, params, duration: float = 1.0, dt: float = 1e-4) -> list[Stimulus]:
    """``rheobase_steps`` (A), then one sweep of ``TRAINING_NOISE`` (never the held-out noise)."""
    base = rheobase(model, params, duration, dt)
    mean, sd, tau, seed = TRAINING_NOISE
    noise = ou_noise(mean * base, sd * base, tau, 0.1, duration - 0.1, duration, dt, seed=seed)
    return rheobase_steps(model, params, duration, dt) + [noise]


def heldout_stimulus(model, params, duration: float = 1.0, dt: float = 1e-4,
                     seed: int = HELDOUT_SEED) -> Stimulus:
    """A noisy current (A) the fit never saw: ``HELDOUT_NOISE`` from 0.1 s to duration - 0.1 s."""
    base = rheobase(model, params, duration, dt)
    mean, sd, tau = HELDOUT_NOISE
    return ou_noise(mean * base, sd * base, tau, 0.1, duration - 0.1, duration, dt, seed=seed)


def recover(model, true_params=None, *, protocol=None, n_trials: int = DEFAULT_TRIALS, seed: int | None = 0,
            search=None, objective=DEFAULT_OBJECTIVE, heldout: Stimulus | None = None, init="estimate",
            **fit_options) -> Recovery:
    """Simulate a target from known parameters, fit it from its estimate, and compare.

    The protocol is ``default_protocol`` unless given: five steps at ``RHEOBASE_FACTORS`` x
    the rheobase plus one noise sweep (``TRAINING_NOISE``, seed 0). The fit starts from the
    estimate of the target's voltage trace (``init="estimate"``) and searches every parameter
    by default. A parameter counts as not determined by the protocol (``identifiable``
    False, with the reason) when the estimate flags it or the objective hardly changes when
    it moves by ``TOLERANCE`` (``PROFILE_FLOOR``); errors of the others say how well it worked.

    Parameters
    ----------
    model : Model or str
    true_params : mapping or str, optional
        The target's parameters (SI; missing ones take their defaults) or a preset's name;
        the model's defaults by default.
    protocol : sequence of Stimulus, optional
        Stimuli of the target; ``default_protocol`` by default.
    n_trials, seed, objective, **fit_options
        As for ``fit``.
    search : sequence of names or mapping, optional
        The parameters to recover (as ``fit``'s ``search``); the others are fixed at their
        true values. Every parameter by default. A spec bound that excludes the true value
        is widened (``BOUND_MARGIN``; ``Recovery.widened``); bounds given that exclude it are
        an error.
    heldout : Stimulus, optional
        The stimulus to compare the recovered and the true model on; ``heldout_stimulus``
        by default.
    init : "estimate", Estimate or None
        As for ``fit``: the estimate by default (an ``Estimate`` of the same target saves
        computing it again; None for the blind search).

    Raises
    ------
    ValueError
        Bounds given in ``search`` that exclude the true value; as ``fit``.
    """
    from ..features.metrics import GammaUndefined, gamma_factor
    from .search import _as_model, fit
    from .space import search_space

    model = _as_model(model)
    truth = _true_params(model, true_params)
    stimuli = list(protocol) if protocol is not None else default_protocol(model, truth)
    target = model.simulate(truth, stimuli)
    names = [p.name for p in model.parameters] if search is None else search
    bounds, widened = _containing_bounds(model, search_space(model, names), names, truth)
    fixed = {k: v for k, v in truth.items() if k not in bounds}
    result = fit(model, target, objective=objective, n_trials=n_trials, seed=seed, search=bounds,
                 fixed=fixed, init=init, **fit_options)
    if heldout is None:
        heldout = heldout_stimulus(model, truth, stimuli[0].duration, stimuli[0].dt)
    true_spikes = model.simulate(truth, heldout).spike_times
    fit_spikes = model.simulate(result.params, heldout).spike_times
    try:
        gamma = gamma_factor(model=fit_spikes, data=true_spikes, duration=heldout.duration)
    except GammaUndefined:  # a train too fast for the window: no Gamma to claim
        gamma = math.nan
    return Recovery(recovery_table(result, truth), result, truth, stimuli, heldout, gamma,
                    bounds, widened)


def _true_params(model, true_params) -> dict:
    if true_params is None:
        return model.defaults()
    if isinstance(true_params, str):
        return model.preset(true_params)
    return model.table(true_params).iloc[0].to_dict()


def _containing_bounds(model, space, search, truth):
    """name -> (low, high) of the search, spec bounds widened to contain the truth."""
    given = {n for n, b in search.items() if b is not None} if hasattr(search, "items") else set()
    bounds, widened = {}, []
    for name, low, high in zip(space.names, space.low.tolist(), space.high.tolist()):
        value = truth[name]
        if not low <= value <= high:
            if name in given:
                raise ValueError(f"the search bounds of {name} must contain its true value, got "
                                 f"[{low:.6g}, {high:.6g}] and {name}={value:.6g}")
            if model.parameter(name).log:  # the margin as a factor
                factor = (high / low) ** BOUND_MARGIN
                low, high = min(low, value / factor), max(high, value * factor)
            else:
                margin = BOUND_MARGIN * (high - low)
                low, high = min(low, value - margin), max(high, value + margin)
            widened.append(name)
        bounds[name] = (low, high)
    return bounds, tuple(widened)


def relative_error(found: float, true: float, low: float, high: float, log: bool) -> float:
    """The error of a recovered value (dimensionless): relative to the true value on a log
    scale; on a linear one relative to ``max(|true|, NEAR_ZERO (high - low))``."""
    scale = abs(true) if log else max(abs(true), NEAR_ZERO * (high - low))
    return (found - true) / scale


def recovery_table(result, truth: dict, best_fraction: float = 0.05) -> pd.DataFrame:
    """True against recovered values, errors, the spread of the best trials and whether the
    protocol determines each parameter (see ``recover``)."""
    spread = best_trial_spread(result, best_fraction)
    change = profile_change(result, truth)
    est = result.estimate
    rows = []
    for i, name in enumerate(result.space.names):
        unit = result.model.parameter(name).unit
        true, found = truth[name], result.params[name]
        error = relative_error(found, true, result.space.low[i], result.space.high[i],
                               bool(result.space.log[i]))
        reason = ""
        if est is not None and not est.determined[name]:
            reason = f"the estimate: {est.reasons[name]}"
        elif not change[name] >= PROFILE_FLOOR:
            reason = (f"moving it by {TOLERANCE:.0%} changes the objective by {change[name]:.2g} "
                      f"(< {PROFILE_FLOOR:g})")
        rows.append({"parameter": name, "unit": to_display(1.0, unit)[1],
                     "true": to_display(true, unit)[0], "recovered": to_display(found, unit)[0],
                     "relative_error": error, "spread": spread[name],
                     "identifiable": not reason, "reason": reason})
    return pd.DataFrame(rows)


def profile_change(result, truth: dict) -> dict[str, float]:
    """Per searched parameter, the larger rise of the objective (its units) when the recovered
    value moves by ``TOLERANCE`` of its error scale (``relative_error``) down or up, the others
    held; a move past a bound or a model rule is left out (NaN where both are)."""
    from .space import feasible

    space = result.space
    best = np.array([result.params[n] for n in space.names])
    rows, owners = [best], []
    for i, name in enumerate(space.names):
        step = TOLERANCE * (abs(truth[name]) if space.log[i] else
                            max(abs(truth[name]), NEAR_ZERO * (space.high[i] - space.low[i])))
        for sign in (-1, 1):
            row = best.copy()
            row[i] += sign * step
            if space.low[i] <= row[i] <= space.high[i]:
                rows.append(row)
                owners.append(name)
    rows = np.array(rows)
    ok = feasible(result.model, space, rows)[0]
    ok[0] = True
    scores = _scores(result, pd.DataFrame(space.table(rows[ok])))
    change = {name: math.nan for name in space.names}
    for name, score in zip(np.array(owners)[ok[1:]], scores[1:]):
        change[name] = np.nanmax([change[name], float(score - scores[0])])
    return change


def _scores(result, table) -> np.ndarray:
    """The fit's objective (summed over objectives) of each parameter set of ``table`` (SI)."""
    batch = result.model.simulate_batch(table, list(result.target.stimuli), record_v=True, check=False)
    values = np.asarray(result.objective.evaluate(batch, result.target)[0], float)
    return values.reshape(len(table), -1).sum(axis=1)


def best_trial_spread(result, best_fraction: float = 0.05) -> dict[str, float]:
    """Interquartile range of each parameter over the best trials, in the unit box of its bounds."""
    table = result.trials[result.trials["state"] == "COMPLETE"]
    score = table.filter(like="value").sum(axis=1)
    n_best = max(int(len(table) * best_fraction), 5)
    best = table.loc[score.nsmallest(n_best).index, list(result.space.names)].to_numpy()
    unit = result.space.to_unit(best)
    q75, q25 = np.percentile(unit, [75, 25], axis=0)
    return dict(zip(result.space.names, (q75 - q25).tolist()))


def format_table(recovery: Recovery) -> str:
    """The recovery table as text, errors in percent."""
    shown = recovery.table.drop(columns="reason")
    shown["relative_error"] = (100 * shown["relative_error"]).map(lambda x: f"{x:+.2f} %")
    shown["spread"] = shown["spread"].map(lambda x: f"{x:.3f}")
    for column in ("true", "recovered"):
        shown[column] = shown[column].map(lambda x: f"{x:.5g}")
    text = shown.to_string(index=False)
    reasons = recovery.not_determined()
    return text + "".join(f"\nnot determined: {name}: {why}" for name, why in reasons.items())
