"""Options several subcommands share: parameter values, search bounds and objectives as typed."""
from __future__ import annotations

from ..data.units import parse_quantity


def parse_values(model, assignments: list[str]) -> dict[str, float]:
    """``--param NAME=VALUE`` items as parameter values (SI); a unit is allowed: ``C=200pF``."""
    params = {}
    for item in assignments:
        if "=" not in item:
            raise ValueError(f"--param must look like NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        spec = model.parameter(name.strip())
        params[spec.name] = parse_quantity(value, spec.unit, spec.name)
    return params


def parse_search(model, items: list[str]) -> dict[str, tuple[float, float] | None] | None:
    """``--search NAME[=LOW:HIGH]`` items as ``fit``'s ``search``: name -> bounds (SI) or None (the
    spec's bounds); None when no item is given (search every parameter not fixed)."""
    if not items:
        return None
    search = {}
    for item in items:
        name, has_bounds, bounds = (x.strip() for x in item.partition("="))
        spec = model.parameter(name)
        if not has_bounds:
            search[spec.name] = None
            continue
        low, colon, high = bounds.partition(":")
        if not colon:
            raise ValueError(f"--search must look like NAME or NAME=LOW:HIGH (e.g. C=50pF:500pF), got {item!r}")
        search[spec.name] = (parse_quantity(low, spec.unit, f"--search {spec.name} low"),
                             parse_quantity(high, spec.unit, f"--search {spec.name} high"))
    return search


def parse_objective_arg(text: str):
    """``features``, ``multi``, ``features=1,trace=0.1`` (a weighted sum) or ``firing;spikes`` (several).

    >>> parse_objective_arg("features=1,trace=0.1")
    {'features': 1.0, 'trace': 0.1}
    """
    if ";" in text:
        return [parse_objective_arg(part) for part in text.split(";") if part.strip()]
    if "=" not in text:
        return text.strip()
    weights = {}
    for item in text.split(","):
        name, _, weight = item.partition("=")
        try:
            weights[name.strip()] = float(weight)
        except ValueError:
            raise ValueError(f"--objective weights must be numbers, got {item!r}") from None
    return weights
