"""Refine: polish a fit's best trial, and its start, with Nelder-Mead (scipy) in the unit box of the
search space, at two scales."""
from __future__ import annotations

import time
import warnings

import numpy as np

from .space import feasible

SIMPLEX_STEPS = (0.05, 0.002)
"""Initial simplex steps (unit box) of the polish: a Nelder-Mead run from the best trial at each,
with an equal share of the budget; the better end is kept. At 0.05 alone (before) the simplex
shrank too slowly in 9-11 dimensions for a fit near its estimate: Izhikevich v_peak ended 2-5 %
off on nine presets whose estimate is within 0.1 %. At 0.002 alone, fits far from a minimum (AdEx
on the Hodgkin-Huxley references) lost the large steps that improved them (benchmarks/RESULTS.md,
"The polish at two scales")."""


START_RATIO = 2.0
"""The start is polished too when its objective is within this factor of the best trial's. In
the default comparison (seed 0) the start's polish ended below the best's on 3 of 32 fits, its
objective 1.3, 1.6 and 4.7 times the best's, never above 5 (17 of 32 fits within 5, 7 within 2;
the one lost at 4.7, hh_fs AdEx, is superseded by its held search), and polishing every start
added 31-36 s of fit time, these 7 17-22 s; Izhikevich fs_2003's estimate, within 0.4 % of the
truth, scores 1.5 times the trial CMA-ES ends on (benchmarks/RESULTS.md, "Recovery: the polish
runs from the start too")."""


def polish(run, best, refine, *, also=()) -> tuple[dict, float | tuple, bool, int]:
    """The full parameters (SI) and score of the best trial, polished by Nelder-Mead when that is
    better, whether it was, and the number of the trial they come from.

    ``run`` is the fit's loop (``search.Run``: model, space, objective, ``evaluate``, timings);
    ``refine`` is False, True (200 evaluations) or a budget of evaluations, spent from ``best``
    and again from each trial of ``also`` (the fit's start: CMA-ES can leave the basin of an
    estimate for a wider one beside it) that scores within ``START_RATIO`` of ``best``; the
    lowest polished score wins.
    """
    if not refine:
        x0 = np.array([best.params[n] for n in run.space.names])
        return _full(run, x0), _score(np.asarray(best.values, dtype=float)), False, best.number
    t0 = time.perf_counter()
    budget = 200 if refine is True else int(refine)
    kept = dict(run.timings)  # the search's own breakdown, without the polish
    near = [t for t in also if np.sum(t.values) <= START_RATIO * np.sum(best.values)]
    ends = [_polish_one(run, trial, budget) for trial in (best, *near)]
    run.timings.update(kept, refine=time.perf_counter() - t0)
    trial, x, values, refined = min(ends, key=lambda end: end[2].sum())  # the first of equals
    if refined:
        run.study.set_user_attr("refined", {"params": dict(zip(run.space.names, map(float, x))),
                                            "values": [float(v) for v in values], "from_trial": trial.number})
    return _full(run, x), _score(values), refined, trial.number


def _polish_one(run, trial, budget):
    """(trial, x, values, refined): the polish's end where it improves on every objective."""
    x0 = np.array([trial.params[n] for n in run.space.names])
    values0 = np.asarray(trial.values, dtype=float)
    x, values = refine_point(run, x0, budget)
    if values.sum() < values0.sum() and np.all(values <= values0 + 1e-12):
        return trial, x, values, True
    return trial, x0, values0, False


def _full(run, x: np.ndarray) -> dict:
    """Every parameter of the model (SI), in its order: the searched ones at ``x``, the fixed."""
    return _ordered(run.model, {**run.space.fixed, **dict(zip(run.space.names, x.tolist()))})


def refine_point(run, x0: np.ndarray, budget: int) -> tuple[np.ndarray, np.ndarray]:
    """Nelder-Mead (scipy) in the unit box from ``x0`` (SI), once at each step of ``SIMPLEX_STEPS``
    with its share of ``budget``; the best point seen and its scores."""
    from scipy.optimize import minimize

    best = {"x": x0, "values": np.full(run.spec.n_objectives, np.inf)}

    def cost(u):
        x = run.space.from_unit(u)
        if not feasible(run.model, run.space, x[None, :])[0][0]:
            return 1e12
        values = run.evaluate(x[None, :])[0][0]
        if values.sum() < best["values"].sum():
            best.update(x=x, values=values)
        return float(values.sum())

    u0 = run.space.to_unit(x0)
    for step in SIMPLEX_STEPS:
        simplex = [u0] + [np.clip(u0 + step * np.eye(len(u0))[i] * (1 if u0[i] < 0.95 else -1), 0, 1)
                          for i in range(len(u0))]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            minimize(cost, u0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(u0),
                     options={"maxfev": budget // len(SIMPLEX_STEPS), "initial_simplex": np.array(simplex),
                              "xatol": step / 500, "fatol": 1e-6})
    return best["x"], best["values"]


def _score(values: np.ndarray):
    return float(values[0]) if values.size == 1 else tuple(float(v) for v in values)


def _ordered(model, params: dict) -> dict:
    return {p.name: float(params[p.name]) for p in model.parameters}
