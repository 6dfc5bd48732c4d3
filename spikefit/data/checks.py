"""Plausibility checks of a raw sweep: what a current-clamp recording of one neuron can hold.

Each check fails with a RecordingError that names the file, the sweep and the problem, and
suggests the likely cause (a wrong unit, the channels swapped).
"""
from __future__ import annotations

import math

import numpy as np

from .raw import RawSweep, RecordingError

# Plausibility limits of what a current-clamp recording of one neuron holds.
MAX_NEURON_CURRENT = 1e-8  # A; 10 nA: whole-cell steps stay below a few nA
MAX_VOLTAGE = 0.2  # V; a membrane potential stays within +-200 mV
MIN_VOLTAGE_SWING = 1e-3  # V; a potential that never leaves +-1 mV is not in V
MEDIAN_VOLTAGE_RANGE = (-0.13, -0.02)  # V; where a neuron sits most of a sweep
DT_RANGE = (1e-6, 1e-2)  # s; 1 MHz to 100 Hz sampling


def where(sweep: RawSweep) -> str:
    """'file: sweep NAME' for error messages."""
    return f"{sweep.source}: sweep {sweep.name}"

def check_sweep(sweep: RawSweep, max_current: float = MAX_NEURON_CURRENT) -> None:
    """Raise RecordingError unless the sweep is a plausible current-clamp recording of a neuron."""
    v, current = np.asarray(sweep.v, dtype=float), np.asarray(sweep.current, dtype=float)
    if v.size == 0 or current.size == 0:
        raise RecordingError(f"{where(sweep)}: empty sweep (voltage has {v.size} samples, current {current.size})")
    if v.ndim != 1 or current.ndim != 1 or v.size != current.size:
        raise RecordingError(f"{where(sweep)}: voltage and current must have the same length, got "
                             f"{v.size} voltage and {current.size} current samples")
    if not (math.isfinite(sweep.dt) and DT_RANGE[0] <= sweep.dt <= DT_RANGE[1]):
        raise RecordingError(f"{where(sweep)}: sampling interval {sweep.dt} s is outside "
                             f"{DT_RANGE[0]}..{DT_RANGE[1]} s; "
                             f"is the time unit right (file says {sweep.units.get('time')!r})?")
    _check_finite(v, "voltage", sweep)
    _check_finite(current, "current", sweep)
    _check_voltage(v, sweep)
    peak = float(np.abs(current).max())
    if peak > max_current:
        raise RecordingError(
            f"{where(sweep)}: current reaches {peak * 1e12:.4g} pA, beyond the +-{max_current * 1e12:.4g} pA "
            f"plausible for a neuron (max_current); is the unit right (file says "
            f"{sweep.units.get('current')!r}) or is this the voltage channel?")


def _check_finite(x: np.ndarray, name: str, sweep: RawSweep) -> None:
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise RecordingError(f"{where(sweep)}: {name} has {bad.size} NaN or infinite samples, the first at sample "
                             f"{bad[0]} (t = {bad[0] * sweep.dt:.6g} s)")


def _check_voltage(v: np.ndarray, sweep: RawSweep) -> None:
    unit = sweep.units.get("voltage")
    peak, median = float(np.abs(v).max()), float(np.median(v))
    if peak > MAX_VOLTAGE:
        problem = f"reaches {peak * 1e3:.4g} mV, beyond the +-{MAX_VOLTAGE * 1e3:.0f} mV of a membrane potential"
    elif peak < MIN_VOLTAGE_SWING:
        problem = f"never leaves +-{MIN_VOLTAGE_SWING * 1e3:.0f} mV (largest |v| {peak * 1e3:.3g} mV)"
    elif not MEDIAN_VOLTAGE_RANGE[0] <= median <= MEDIAN_VOLTAGE_RANGE[1]:
        low, high = (x * 1e3 for x in MEDIAN_VOLTAGE_RANGE)
        problem = f"sits at {median * 1e3:.4g} mV (median), outside the {low:.0f}..{high:.0f} mV of a neuron"
    else:
        return
    raise RecordingError(f"{where(sweep)}: voltage {problem}; is the unit right (file says {unit!r}) "
                         "or is this the current channel?")

