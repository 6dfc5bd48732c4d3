"""Parameter recovery: fit a target simulated from known parameters, compare what comes back.

``recover`` simulates the model with ``true_params`` under a protocol, fits the model to that
target, and returns the true against the recovered values with their relative errors, the
spread of the best trials (a parameter whose best trials scatter widely is weakly
identifiable from this protocol), and Gamma of the recovered model against the true one on
a held-out stimulus (does the fit behave like the target even where a parameter is not
pinned down?).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import Stimulus, ou_noise, step_protocol
from ..data.units import to_display

RHEOBASE_FACTORS = (-0.5, 0.5, 1.5, 2.5, 4.0)
"""Step amplitudes of ``default_protocol``, in units of the rheobase: one hyperpolarising,
one subthreshold, three firing."""

IDENTIFIABLE_SPREAD = 0.1
"""A parameter counts as identifiable when its best trials span (interquartile range over
the median, in the unit box of its bounds) less than this."""


@dataclass(frozen=True, eq=False)
class Recovery:
    """What ``recover`` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per searched parameter: ``parameter``, ``unit`` (display), ``true``,
        ``recovered`` (display units), ``relative_error`` (recovered / true - 1; absolute
        difference where the true value is 0), ``spread`` (interquartile range of the best
        trials, as a fraction of the search range) and ``identifiable``.
    fit : FitResult
    true_params : dict
        Every parameter of the target, SI.
    protocol : list of Stimulus
    heldout : Stimulus
        Noise the fit never saw (``heldout_stimulus``), unless ``recover`` was given one.
    heldout_gamma : float
        Gamma of the recovered model's spikes against the true model's on ``heldout``.
    """

    table: pd.DataFrame
    fit: object
    true_params: dict
    protocol: list
    heldout: Stimulus
    heldout_gamma: float

    def errors(self) -> dict[str, float]:
        """Relative error of each searched parameter."""
        return dict(zip(self.table["parameter"], self.table["relative_error"]))


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


def default_protocol(model, params, duration: float = 1.0, dt: float = 1e-4) -> list[Stimulus]:
    """Steps at ``RHEOBASE_FACTORS`` times the rheobase of ``params`` (0.1 s to duration - 0.1 s)."""
    base = rheobase(model, params, duration, dt)
    return step_protocol([f * base for f in RHEOBASE_FACTORS], 0.1, duration - 0.1, duration, dt)


HELDOUT_NOISE = (1.5, 1.0, 5e-3)
"""The held-out current of ``recover``: Ornstein-Uhlenbeck noise of mean and standard
deviation in units of the rheobase, and correlation time (s). Fluctuations this strong lock
spikes to the stimulus, so Gamma measures the model and not a drift of phase that a step
accumulates over a second."""


def heldout_stimulus(model, params, duration: float = 1.0, dt: float = 1e-4, seed: int = 1) -> Stimulus:
    """A noisy current (A) the fit never saw: ``HELDOUT_NOISE`` from 0.1 s to duration - 0.1 s."""
    base = rheobase(model, params, duration, dt)
    mean, sd, tau = HELDOUT_NOISE
    return ou_noise(mean * base, sd * base, tau, 0.1, duration - 0.1, duration, dt, seed=seed)


def recover(model, true_params=None, *, protocol=None, n_trials: int = 2000, seed: int | None = 0,
            search=None, objective="features", heldout: Stimulus | None = None, **fit_options) -> Recovery:
    """Simulate a target from known parameters, fit it, and compare; see the module doc.

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
        true values. Every parameter by default.
    heldout : Stimulus, optional
        The stimulus to compare the recovered and the true model on; ``heldout_stimulus``
        by default.
    """
    from ..features.metrics import gamma_factor
    from .search import _as_model, fit

    model = _as_model(model)
    truth = _true_params(model, true_params)
    stimuli = list(protocol) if protocol is not None else default_protocol(model, truth)
    target = model.simulate(truth, stimuli)
    names = [p.name for p in model.parameters] if search is None else list(search)
    fixed = {k: v for k, v in truth.items() if k not in names}
    result = fit(model, target, objective=objective, n_trials=n_trials, seed=seed,
                 search=search if search is not None else names, fixed=fixed, **fit_options)
    if heldout is None:
        heldout = heldout_stimulus(model, truth, stimuli[0].duration, stimuli[0].dt)
    true_spikes = model.simulate(truth, heldout).spike_times
    fit_spikes = model.simulate(result.params, heldout).spike_times
    gamma = gamma_factor(model=fit_spikes, data=true_spikes, duration=heldout.duration)
    return Recovery(recovery_table(result, truth), result, truth, stimuli, heldout, gamma)


def _true_params(model, true_params) -> dict:
    if true_params is None:
        return model.defaults()
    if isinstance(true_params, str):
        return model.preset(true_params)
    return model.table(true_params).iloc[0].to_dict()


def recovery_table(result, truth: dict, best_fraction: float = 0.05) -> pd.DataFrame:
    """True against recovered values, relative errors and the spread of the best trials."""
    spread = best_trial_spread(result, best_fraction)
    rows = []
    for name in result.space.names:
        unit = result.model.parameter(name).unit
        true, found = truth[name], result.params[name]
        error = found / true - 1 if true != 0 else found - true
        rows.append({"parameter": name, "unit": to_display(1.0, unit)[1],
                     "true": to_display(true, unit)[0], "recovered": to_display(found, unit)[0],
                     "relative_error": error, "spread": spread[name],
                     "identifiable": spread[name] < IDENTIFIABLE_SPREAD})
    return pd.DataFrame(rows)


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
    shown = recovery.table.copy()
    shown["relative_error"] = (100 * shown["relative_error"]).map(lambda x: f"{x:+.2f} %")
    shown["spread"] = shown["spread"].map(lambda x: f"{x:.3f}")
    for column in ("true", "recovered"):
        shown[column] = shown[column].map(lambda x: f"{x:.5g}")
    return shown.to_string(index=False)
