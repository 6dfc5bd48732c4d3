"""Search space: the parameters a fit searches, their bounds, and the values of the others.

``search_space(model, search, fixed)`` checks names and bounds once, at the public boundary
(``fit``); nothing below it checks them again. ``SearchSpace.to_unit`` and ``from_unit`` are
the one map between parameter values (SI) and the unit box that samplers and the polish work
in: linear, or logarithmic where the parameter's spec says.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..data.units import to_si

MAX_INFEASIBLE = 0.99
"""A fit gives up when this fraction of its space (or of 1000+ proposals) breaks a rule."""


@dataclass(frozen=True)
class SearchSpace:
    """The parameters a fit searches, their bounds, and the values of the others (SI)."""

    model_name: str
    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    log: np.ndarray
    fixed: Mapping[str, float]

    def distributions(self) -> dict:
        """Optuna distributions of the searched parameters."""
        from optuna.distributions import FloatDistribution

        return {n: FloatDistribution(float(lo), float(hi), log=bool(lg))
                for n, lo, hi, lg in zip(self.names, self.low, self.high, self.log)}

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Values (SI, (..., n_free)) mapped onto [0, 1], on a log scale where the spec says."""
        lo, hi = self._scaled(self.low), self._scaled(self.high)
        return (self._scaled(x) - lo) / (hi - lo)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """The inverse of ``to_unit`` (SI), ``u`` clipped to [0, 1] and the result to the bounds
        (``exp(log(high))`` may exceed ``high`` by a rounding error)."""
        lo, hi = self._scaled(self.low), self._scaled(self.high)
        y = lo + np.clip(u, 0.0, 1.0) * (hi - lo)
        return np.minimum(np.maximum(np.where(self.log, np.exp(y), y), self.low), self.high)

    def _scaled(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.log, np.log(np.where(self.log, x, 1.0)), x)

    def table(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Complete parameter columns (SI) for rows of searched values, shape (n, n_free)."""
        rows = np.atleast_2d(rows)
        columns = {n: np.full(len(rows), v) for n, v in self.fixed.items()}
        columns.update({n: rows[:, i] for i, n in enumerate(self.names)})
        return columns

    def describe(self) -> dict:
        """JSON-ready description, stored with a study to check a resumed fit."""
        return {"model": self.model_name,
                "params": {n: [float(lo), float(hi), bool(lg)]
                           for n, lo, hi, lg in zip(self.names, self.low, self.high, self.log)},
                "fixed": {n: float(v) for n, v in self.fixed.items()}}


def search_space(model, search=None, fixed=None) -> SearchSpace:
    """The search space of a fit, checked; see ``fit`` for ``search`` and ``fixed``.

    >>> import spikefit
    >>> space = search_space(spikefit.get_model("lif"), {"C": (50e-12, 500e-12), "g_L": None})
    >>> space.names
    ('C', 'g_L')
    >>> round(float(space.from_unit([[0.5, 0.0]])[0, 0]) * 1e12, 3)  # C in pF, on a log scale
    158.114

    Raises
    ------
    ValueError
        An unknown parameter name, a parameter both searched and fixed, bounds with
        ``low >= high``, non-finite bounds or fixed values, a log-scale parameter with
        ``low <= 0``, or a bound outside the physical domain (a rule on one parameter, such
        as ``C > 0``). ``check_region`` checks the rules between parameters.
    """
    fixed = dict(fixed or {})
    for name in fixed:
        model.parameter(name)
    if search is None:
        search = [p.name for p in model.parameters if p.name not in fixed]
    bounds = _bounds(model, search)
    both = sorted(set(bounds) & set(fixed))
    if both:
        raise ValueError(f"a parameter is either searched or fixed, got {', '.join(both)} in both search and fixed")
    if not bounds:
        raise ValueError(f"a fit needs at least one free parameter, got none for model {model.name!r}")
    for name, (low, high, log) in bounds.items():
        _check_bounds(model, name, low, high, log)
    defaults = model.defaults()
    rest = {n: _fixed_value(fixed[n], model.parameter(n).unit, n) if n in fixed else defaults[n]
            for n in defaults if n not in bounds}
    names = tuple(n for n in defaults if n in bounds)  # the model's order
    arrays = [np.array([bounds[n][k] for n in names]) for k in range(3)]
    return SearchSpace(model.name, names, arrays[0].astype(float), arrays[1].astype(float),
                       arrays[2].astype(bool), rest)


def _fixed_value(value, unit: str, name: str) -> float:
    value = float(to_si(value, unit, name))
    if not math.isfinite(value):
        raise ValueError(f"a fixed parameter must be finite, got {name}={value}")
    return value


def _bounds(model, search) -> dict[str, tuple[float, float, bool]]:
    """name -> (low, high, log) from a list of names or a mapping name -> (low, high) or None."""
    if isinstance(search, str):
        search = [search]
    items = search.items() if isinstance(search, Mapping) else ((n, None) for n in search)
    bounds = {}
    for name, given in items:
        spec = model.parameter(name)
        if given is None:
            bounds[name] = (spec.low, spec.high, spec.log)
            continue
        if isinstance(given, str) or len(np.shape(given)) != 1 or len(given) != 2:
            raise ValueError(f"bounds must be (low, high), got {name}={given!r}")
        low, high = (float(to_si(x, spec.unit, name)) for x in given)
        bounds[name] = (low, high, spec.log)
    return bounds


def _check_bounds(model, name: str, low: float, high: float, log: bool) -> None:
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"bounds must be finite, got {name} low={low}, high={high}")
    if not low < high:
        raise ValueError(f"low < high must hold for the bounds of {name}, got low={low}, high={high}")
    if log and low <= 0:
        raise ValueError(f"a log-scale parameter needs low > 0, got {name} low={low}")
    for rule in model.rules:
        if rule.names == (name,):
            ok = rule.check({name: np.array([low, high])})
            if not ok.all():
                bad = low if not ok[0] else high
                raise ValueError(f"the bounds of {name} must lie in its physical domain ({rule.text}), "
                                 f"got {'low' if not ok[0] else 'high'}={bad} for model {model.name!r}")


def feasible(model, space: SearchSpace, rows: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """Which rows (n, n_free) meet every rule and search rule of the model, and the first rule
    each breaks."""
    columns = space.table(rows)
    ok = np.ones(len(rows), bool)
    reasons: list[str | None] = [None] * len(rows)
    for rule in (*model.rules, *model.search_rules):
        with np.errstate(invalid="ignore"):
            passed = np.asarray(rule.check(columns), dtype=bool)
        for i in np.flatnonzero(ok & ~passed):
            reasons[i] = rule.text
        ok &= passed
    return ok, reasons


def check_region(model, space: SearchSpace) -> None:
    """Raise when (almost) no point of the search space meets the model's rules."""
    rng = np.random.default_rng(0)
    rows = space.from_unit(rng.random((4000, len(space.names))))
    ok, reasons = feasible(model, space, rows)
    if ok.mean() < 1 - MAX_INFEASIBLE:
        worst = max(set(r for r in reasons if r), key=reasons.count)
        raise ValueError(
            f"the search space leaves {100 * ok.mean():.2g} % of parameter sets feasible for model "
            f"{model.name!r}: {worst} must hold, and the bounds {space.describe()['params']} with "
            f"fixed {space.describe()['fixed']} break it almost everywhere")
