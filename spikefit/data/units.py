"""Conversion of physical quantities to plain SI floats at the public boundary.

Inside spikefit every quantity is a float in SI units. A public function that takes a
physical quantity also accepts a brian2 ``Quantity``; it is converted here after its
dimension has been checked. brian2 is imported only when such a value is passed, so
``import spikefit`` stays fast.
"""
from __future__ import annotations

import math
import re

import numpy as np

# SI unit symbol -> brian2 unit name, for dimension checks.
BRIAN2_UNITS = {
    "s": "second",
    "V": "volt",
    "A": "amp",
    "S": "siemens",
    "F": "farad",
    "F/m2": "farad / meter ** 2",
    "S/m2": "siemens / meter ** 2",
    "S/V": "siemens / volt",
    "m2": "meter ** 2",
    "1/s": "hertz",
    "degC": "1",
    "1": "1",
}


def _is_quantity(value) -> bool:
    return hasattr(value, "dim") and hasattr(value, "has_same_dimensions")


def to_si(value, unit: str, name: str):
    """Return ``value`` as plain SI float(s) in ``unit``.

    Parameters
    ----------
    value : float, array-like or brian2 Quantity
        A plain number is taken to be in SI units already.
    unit : str
        The SI unit expected, one of the keys of ``BRIAN2_UNITS``.
    name : str
        What the value is, for the error message.
    """
    if _is_quantity(value):
        import brian2

        expected = eval(BRIAN2_UNITS.get(unit, "1"), vars(brian2))  # noqa: S307 - fixed table
        if not brian2.have_same_dimensions(value, expected):
            raise ValueError(
                f"{name} must have the dimension of {unit}, got {value!r}"
            )
        value = np.asarray(value / expected, dtype=float)
        return float(value) if value.ndim == 0 else value
    if isinstance(value, (int, float, np.floating, np.integer)):
        return float(value)
    return np.asarray(value, dtype=float)


def require_finite(value: float, name: str) -> float:
    """Return ``value`` as a float, or raise if it is NaN or infinite."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {name}={value}")
    return value


def require_positive(value: float, name: str) -> float:
    """Return ``value`` as a float, or raise unless it is finite and > 0."""
    value = require_finite(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {name}={value}")
    return value


# SI unit -> (unit people read, factor): tables and figures show ms, mV, pA, nS, pF.
DISPLAY_UNITS = {
    "s": ("ms", 1e3),
    "V": ("mV", 1e3),
    "A": ("pA", 1e12),
    "S": ("nS", 1e9),
    "F": ("pF", 1e12),
    "S/V": ("nS/mV", 1e6),
    "m2": ("um2", 1e12),
    "F/m2": ("uF/cm2", 100.0),
    "S/m2": ("mS/cm2", 0.1),
}


def to_display(value: float, unit: str) -> tuple[float, str]:
    """``value`` in SI ``unit`` converted to the unit tables show (ms, mV, pA, nS, pF, ...)."""
    display, factor = DISPLAY_UNITS.get(unit, (unit, 1.0))
    return value * factor, display


# SI prefixes accepted in typed quantities such as "0.5nA" or "-55mV" (a shell, a config file).
_PREFIXES = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6}
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Zµ/0-9]*)\s*$")


def parse_quantity(text: str, unit: str, name: str) -> float:
    """SI float of a number typed with an optional SI-prefixed unit ("0.5nA", "-55 mV", "2e-3").

    A bare number is taken to be in SI units already. The unit must be ``unit``.

    >>> parse_quantity("200pF", "F", "C")
    2e-10
    >>> parse_quantity("-55 mV", "V", "E_L")
    -0.055
    """
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"{name} must be a number with an optional unit such as 0.5n{unit}, got {text!r}")
    value, suffix = float(match.group(1)), match.group(2)
    if not suffix or suffix == unit:
        return value
    prefix, base = suffix[:-len(unit)], suffix[-len(unit):]
    if base != unit or prefix not in _PREFIXES:
        raise ValueError(f"{name} must be in {unit} (with an SI prefix such as m, u, n, p), got {text!r}")
    return value * _PREFIXES[prefix]
