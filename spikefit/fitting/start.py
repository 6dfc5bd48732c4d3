"""Where a fit starts: the estimate from the voltage trace (``estimation``), or a blind search.

By default ``fit`` starts CMA-ES from the estimate when the target has voltage and current: the
search distribution is centred on the estimate in the unit box of the bounds
(``SearchSpace.to_unit``) with a step per parameter from the estimate's standard error, mapped
to the unit box and held between ``STEP_FLOOR`` and ``STEP_CEILING``. A race decides where
the rest of the trials go (``samplers.BatchCmaEsSampler``): that run takes ``START_SHARE`` of
the trials, then the blind search's own first run takes as many, and the one with the lower
objective goes on. An estimate is of the model fitted to the subthreshold voltage; where the
model is not the cell (an HH reference, a real cell) its spike parameters can sit in a basin
the blind search avoids, and the blind run is there for that case (benchmarks/RESULTS.md,
"Where a fit starts").

* A parameter the estimate flags as not determined (or NaN) starts at the centre of its
  bounds with the blind step ``STEP_CEILING``.
* An estimate outside the bounds starts on the bound it crossed, the nearest value the search
  can draw, with a warning naming the parameter, the bound and the value: never silently; one
  on or inside the bounds is kept as it is. A true value on a bound (d = 0 of the Izhikevich
  2004 patterns class 2, bistability, subthreshold oscillations, rebound burst) is estimated
  just past it (d = -1.7 pA for class 2, range 0-2 nA); a start 2 % of the range inside, as
  before, put d at 40 pA and the fit in another basin (held-out Gamma 0.53-0.77 on seeds 0-4;
  from the bound 1.00, benchmarks/RESULTS.md, "Starts on the rules' boundaries").
* Two start values that break a rule between them (``Model.rules``) that their midpoint meets,
  such as ``v_r <= v_t`` of Izhikevich, both start at that midpoint, with a warning naming the
  rule and the values. Presets sit on that boundary (v_r = v_t at b = 0.26: rz_2003, class_2,
  resonator, bistability, subthreshold oscillations), so their estimates fall on either side of
  it by the regression's last digits (v_t - v_r = -0.003 mV for resonator_2004), and a start
  outside the rules is a trial that fails, at the centre of a search half of whose draws do.
* Parameters not searched (``fixed=`` or left out of ``search=``) keep their given or default
  value, not the estimate's: a user who pins or leaves out a parameter said what it is; the
  estimate of it is still in ``FitResult.estimate`` to compare.
* Without an estimator for the model, without current in the target, or when the estimate
  fails, the fit runs blind and says why, in a warning and in ``FitResult.init_reason``.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

STEP_FLOOR = 0.05
"""Smallest step (unit box): the estimate's stderr assumes independent residuals and the model
being the cell; it understates systematic error (a real cell is not the model, a spike cut or
a reset measured on another kernel), so the search always looks 5 % of the range around it."""

STEP_CEILING = 0.25
"""Largest step (unit box): the blind search's own initial step (``BatchCmaEsSampler``)."""

START_SHARE = 0.25
"""Share of ``n_trials`` each run of the race takes (from the start, then blind) before the one
with the lower objective goes on with the rest: half the trials decide, half refine."""

GIVEN_STEP = 0.1
"""Step (unit box) around start values given without an uncertainty."""

@dataclass(frozen=True)
class Start:
    """The start of a fit: ``init`` "estimate" or "blind", why, and for "estimate" the centre
    and step (unit box) of each searched parameter."""

    init: str
    reason: str = ""
    estimate: object = None
    values: dict = field(default_factory=dict)
    mean: np.ndarray | None = None
    steps: np.ndarray | None = None

    def centre(self, n_trials: int, popsize: int):
        """(mean, steps, generations) for ``BatchCmaEsSampler``: each run of the race takes
        ``START_SHARE`` of ``n_trials`` in generations of ``popsize``; None if blind."""
        if self.mean is None:
            return None
        return self.mean, self.steps, max(1, math.ceil(START_SHARE * n_trials / popsize))


def resolve_start(model, space, target, init) -> Start:
    """The ``Start`` of a fit for ``init``: "estimate" (estimate now), an ``Estimate``, a
    mapping name -> start value (SI; the others start at the centre), or None (blind)."""
    from .estimation import Estimate, estimate

    if init is None:
        return Start("blind", "init=None: blind search asked for")
    if not space.names:
        return Start("blind", "no parameter is searched")
    if isinstance(init, str):
        if init != "estimate":
            raise ValueError(f"init must be 'estimate', an Estimate, a mapping of start values or None, "
                             f"got {init!r}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # out-of-bounds values are warned of below, once
                init = estimate(model, target.recording)
        except (ValueError, TypeError, np.linalg.LinAlgError) as error:
            reason = f"no estimate from the voltage trace ({error}): blind search"
            warnings.warn(f"fit of {model.name}: {reason}", UserWarning, stacklevel=3)
            return Start("blind", reason)
    if isinstance(init, Estimate):
        if init.model != model.name:
            raise ValueError(f"init is an estimate of model {init.model!r}, the fit is of {model.name!r}")
        values = _meet_rules(model, {n: init.params[n] for n in space.names if init.determined[n]})
        errors = {n: init.stderr[n] for n in values}
        return _start(space, values, errors, init, "estimate from the voltage trace")
    if hasattr(init, "items"):
        unknown = sorted(set(init) - set(space.names))
        if unknown:
            raise ValueError(f"init names parameters that are not searched: {unknown}; searched: "
                             f"{list(space.names)}")
        return _start(space, _meet_rules(model, {n: float(v) for n, v in init.items()}), {}, None,
                      "start values given")
    raise TypeError(f"init must be 'estimate', an Estimate, a mapping or None, got {type(init).__name__}")


def _meet_rules(model, values: dict) -> dict:
    """``values`` with each pair that breaks a rule between the two of them moved to their
    midpoint where that meets the rule (see the module's docstring); warned of."""
    out = dict(values)
    for rule in model.rules:
        if len(rule.names) != 2 or not all(n in out for n in rule.names) or rule.check(out):
            continue
        middle = 0.5 * (out[rule.names[0]] + out[rule.names[1]])
        moved = {**out, **dict.fromkeys(rule.names, middle)}
        if rule.check(moved):
            given = ", ".join(f"{n}={out[n]:.6g}" for n in rule.names)
            warnings.warn(f"start values {given} break the rule {rule.text}: both start at their midpoint, "
                          f"{middle:.6g}", UserWarning, stacklevel=4)
            out = moved
    return out


def _start(space, values, errors, est, reason) -> Start:
    mean = np.full(len(space.names), 0.5)
    steps = np.full(len(space.names), STEP_CEILING)
    for i, name in enumerate(space.names):
        value = values.get(name, math.nan)
        if not np.isfinite(value):
            continue
        lo, hi, log = space.low[i], space.high[i], bool(space.log[i])
        u = float(space.to_unit(_row(space, i, value))[i]) if (value > 0 or not log) else -math.inf
        if not lo <= value <= hi:
            bound, u = ("low", 0.0) if value < lo else ("high", 1.0)
            warnings.warn(f"start of {name}: {value:.6g} lies outside its bound "
                          f"{bound}={lo if bound == 'low' else hi:.6g}; the search starts on that bound",
                          UserWarning, stacklevel=4)
        mean[i] = min(max(u, 0.0), 1.0)  # a value on a bound may map a rounding error outside
        err = errors.get(name, math.nan)
        if np.isfinite(err):
            width = math.log(hi / lo) if log else hi - lo
            spread = err / abs(value) if log else err
            steps[i] = min(max(spread / width, STEP_FLOOR), STEP_CEILING)
        else:
            steps[i] = GIVEN_STEP if est is None else STEP_CEILING
    return Start("estimate" if est is not None else "given", reason, est,
                 dict(zip(space.names, space.from_unit(mean).tolist())), mean, steps)


def _row(space, i, value):
    row = (space.low + space.high) / 2
    row[i] = value
    return row


def movement(start: Start, params: dict):
    """How far a fit moved from its estimate, per searched parameter: the estimate, the fitted
    value, the change relative to the estimate and in units of its standard error."""
    import pandas as pd

    est = start.estimate if start is not None else None
    rows = []
    for name in (start.values if start is not None else ()):
        first = est.params[name] if est is not None else start.values[name]
        err = est.stderr[name] if est is not None else math.nan
        fitted = params[name]
        change = fitted - first
        rows.append({"parameter": name, "estimate": first, "fitted": fitted,
                     "relative": change / abs(first) if first else math.nan,
                     "stderrs": change / err if err and np.isfinite(err) else math.nan})
    return pd.DataFrame(rows, columns=["parameter", "estimate", "fitted", "relative", "stderrs"])
