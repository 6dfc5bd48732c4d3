"""Parameter specifications, the rules between parameters, and parameter tables."""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..data.units import to_si


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its SI unit, default and search bounds.

    ``low`` and ``high`` bound a fit's search, not what a simulation accepts; the model's
    rules say what is physically allowed. ``log`` asks a search to sample on a log scale.
    """

    name: str
    unit: str
    default: float
    low: float
    high: float
    log: bool = False
    doc: str = ""

    def __post_init__(self):
        if not self.low <= self.default <= self.high:
            raise ValueError(
                f"low <= default <= high must hold for {self.name}, got low={self.low}, "
                f"default={self.default}, high={self.high}"
            )
        if self.log and self.low <= 0:
            raise ValueError(f"a log-scale parameter needs low > 0, got {self.name} low={self.low}")


@dataclass(frozen=True)
class Rule:
    """A condition every parameter set must meet, such as ``C > 0`` or ``V_reset < V_th``.

    ``check`` takes a mapping of parameter name to array and returns a boolean array.
    """

    text: str
    names: tuple[str, ...]
    check: Callable[[Mapping[str, np.ndarray]], np.ndarray]


def positive(*names: str) -> list[Rule]:
    """Rules ``name > 0`` for each name."""
    return [Rule(f"{n} > 0", (n,), lambda p, n=n: p[n] > 0) for n in names]


def non_negative(*names: str) -> list[Rule]:
    """Rules ``name >= 0`` for each name."""
    return [Rule(f"{n} >= 0", (n,), lambda p, n=n: p[n] >= 0) for n in names]


def less(a: str, b: str) -> Rule:
    """The rule ``a < b``."""
    return Rule(f"{a} < {b}", (a, b), lambda p: p[a] < p[b])


def less_equal(a: str, b: str) -> Rule:
    """The rule ``a <= b``."""
    return Rule(f"{a} <= {b}", (a, b), lambda p: p[a] <= p[b])


def unknown_name_error(kind: str, name: str, known: Sequence[str], owner: str) -> ValueError:
    """A ValueError for an unknown name, with the nearest known names as suggestions."""
    near = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    return ValueError(f"unknown {kind} {name!r} for {owner}{hint} Known: {', '.join(known)}")


def build_table(parameters: Sequence[Parameter], rules: Sequence[Rule], table, owner: str) -> pd.DataFrame:
    """Complete, convert and check a table of parameter sets.

    Parameters
    ----------
    table : None, mapping, sequence of mappings, or pandas.DataFrame
        One parameter set (mapping of name to value) or many (a DataFrame, a mapping of
        name to array, or a list of mappings). Missing parameters take their defaults.
        Values may be brian2 Quantities of the right dimension.

    Returns
    -------
    pandas.DataFrame
        One row a parameter set, one column a parameter, in the model's order, SI floats.
    """
    specs = {p.name: p for p in parameters}
    columns = _columns(table)
    for name in columns:
        if name not in specs:
            raise unknown_name_error("parameter", name, list(specs), owner)
    n_sets = _n_sets(columns)
    data = {}
    for name, spec in specs.items():
        if name in columns:
            values = np.broadcast_to(to_si(columns[name], spec.unit, name), (n_sets,))
            data[name] = np.asarray(values, dtype=float)
        else:
            data[name] = np.full(n_sets, spec.default)
    check_rules(data, rules, owner)
    return pd.DataFrame(data)


def _columns(table) -> dict:
    if table is None:
        return {}
    if isinstance(table, pd.DataFrame):
        return {str(c): table[c].to_numpy() for c in table.columns}
    if isinstance(table, Mapping):
        return dict(table)
    rows = list(table)
    if not rows or not all(isinstance(r, Mapping) for r in rows):
        raise TypeError("a parameter table must be a mapping, a DataFrame or a non-empty list of mappings")
    names = list(dict.fromkeys(k for r in rows for k in r))
    missing = [(i, n) for i, r in enumerate(rows) for n in names if n not in r]
    if missing:
        i, n = missing[0]
        raise ValueError(f"every row of a parameter table must name the same parameters: row {i} lacks {n}")
    return {n: [r[n] for r in rows] for n in names}


def _n_sets(columns: Mapping) -> int:
    lengths = {np.size(v) for v in columns.values() if np.ndim(v) > 0}
    if len(lengths) > 1:
        raise ValueError(f"all columns of a parameter table must have one length, got lengths {sorted(lengths)}")
    n_sets = lengths.pop() if lengths else 1
    if n_sets == 0:
        raise ValueError("a parameter table must hold at least one parameter set, got 0")
    return n_sets


def check_rules(data: Mapping[str, np.ndarray], rules: Sequence[Rule], owner: str) -> None:
    """Raise ValueError naming the first parameter set that breaks a rule or is not finite."""
    for name, values in data.items():
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValueError(
                f"{name} must be finite for {owner}, got {name}={values[bad[0]]}{_where(bad, values)}"
            )
    for rule in rules:
        with np.errstate(invalid="ignore"):
            ok = np.asarray(rule.check(data), dtype=bool)
        bad = np.flatnonzero(~ok)
        if bad.size:
            i = bad[0]
            given = ", ".join(f"{n}={_fmt(data[n][i])}" for n in rule.names)
            raise ValueError(f"{rule.text} must hold for {owner}, got {given}{_where(bad, data[rule.names[0]])}")


def _where(bad: np.ndarray, values: np.ndarray) -> str:
    if values.size == 1:
        return ""
    return f" in parameter set {bad[0]} ({bad.size} of {values.size} sets break it)"


def _fmt(value: float) -> str:
    return f"{value:.6g}" if math.isfinite(value) else str(value)
