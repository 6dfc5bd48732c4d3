"""The edge between spikefit (SI floats) and eFEL (ms, mV, global settings).

What ``efel_features`` (eFEL itself) and ``fast`` (eFEL's definitions in numpy) must share
to agree to the last bit: the time base and window handed to eFEL, eFEL's interpolation grid,
and the settings in SI and their conversion. A reset model's trace (``spike_drawing="reset"``
in its metadata) draws each spike as one sample at ``max(cut or peak, +20 mV)`` in the first
sample after the spike (``spikefit.models.kernel_tools.DRAWN_SPIKE_PEAK``), so eFEL's threshold
(-20 mV) counts every spike; that sample survives eFEL's interpolation only on its grid.
"""
from __future__ import annotations

import difflib
import math
from functools import lru_cache

import numpy as np

# eFEL setting -> factor from spikefit's SI value to eFEL's unit (V -> mV, s -> ms).
# Settings not listed here are dimensionless (fractions, counts, flags, modes).
SETTING_FACTORS = {
    "Threshold": 1e3,
    "DerivativeThreshold": 1.0,  # V/s is mV/ms
    "DownDerivativeThreshold": 1.0,
    "interp_step": 1e3,
    "min_spike_height": 1e3,
    "sahp_start": 1e3,
    "initburst_sahp_start": 1e3,
    "initburst_sahp_end": 1e3,
    "depol_block_min_duration": 1e3,
    "precision_threshold": 1e3,
}
# Plausible magnitudes of the SI settings: outside them a value was almost surely given in
# eFEL's unit (Threshold=-20 meaning mV), which would silently find no spike.
_PLAUSIBLE = {"Threshold": 0.2, "min_spike_height": 0.2, "interp_step": 1e-3}

def unknown_name_error(kind: str, name: str, known) -> ValueError:
    """A ValueError for an unknown name, with the nearest known names as suggestions."""
    near = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    return ValueError(f"unknown {kind} {name!r}{hint}")


@lru_cache(maxsize=1)
def efel_defaults() -> dict:
    """eFEL's default settings (eFEL's units), read from eFEL's Settings class."""
    from dataclasses import asdict

    import efel

    return asdict(efel.Settings())


def settings_to_efel(settings: dict) -> dict:
    """Check spikefit's settings (SI) and convert them to eFEL's units.

    Raises
    ------
    ValueError
        For an unknown setting (with the nearest names), or an SI value so large that it
        was probably given in eFEL's unit.
    """
    known = efel_defaults()
    out = {}
    for name, value in settings.items():
        if name not in known or name == "dependencyfile_path":
            raise unknown_name_error("eFEL setting", name, [k for k in known if k != "dependencyfile_path"])
        if name in _PLAUSIBLE and not abs(float(value)) <= _PLAUSIBLE[name]:
            raise ValueError(
                f"{name} is in SI units (V or s) and must be within +-{_PLAUSIBLE[name]}, "
                f"got {name}={value}: did you pass eFEL's ms or mV?"
            )
        if name == "interp_step" and not float(value) > 0:
            raise ValueError(f"interp_step must be > 0, got interp_step={value}")
        factor = SETTING_FACTORS.get(name)
        if factor is None:
            out[name] = value
        elif isinstance(known[name], int):  # eFEL keeps some times in whole ms
            out[name] = int(round(float(value) * factor))
        else:
            out[name] = float(value) * factor
    return out


def time_ms(n_samples: int, dt: float) -> np.ndarray:
    """Sample times (ms) as handed to eFEL: ``i * (dt * 1000)``."""
    return np.arange(n_samples) * (dt * 1e3)


def window_ms(start: float, stop: float) -> tuple[float, float]:
    """A stimulus window (s) in eFEL's ms, computed once the same way everywhere."""
    return start * 1e3, stop * 1e3


@lru_cache(maxsize=32)
def interp_grid(n_samples: int, dt: float, step_ms: float) -> np.ndarray:
    """eFEL's interpolation grid (ms) of a trace of ``n_samples`` at ``dt`` (s).

    Replicates eFEL's ``LinearInterpolation``: ``ceil((stop - start) / step)`` points from
    the first sample time, built by repeated addition (so it drifts like eFEL's), plus one
    point past the end when the last one falls short of the last sample.
    """
    stop = (n_samples - 1) * (dt * 1e3)
    size = int(math.ceil(stop / step_ms))
    grid = np.add.accumulate(np.r_[0.0, np.full(size, step_ms)])  # size + 1 values
    if grid[size - 1] >= stop:
        grid = grid[:size]
    grid.setflags(write=False)
    return grid


@lru_cache(maxsize=32)
def interp_weights(n_samples: int, dt: float, step_ms: float):
    """Left sample index and slope factor of each grid point, eFEL's way.

    eFEL evaluates ``Y[j] + (Y[j+1] - Y[j]) / (X[j+1] - X[j]) * (x - X[j])`` with ``j`` the
    first index where ``X[j+1] >= x``; past the last sample it takes the last value.
    """
    x = interp_grid(n_samples, dt, step_ms)
    t = time_ms(n_samples, dt)
    j = np.clip(np.searchsorted(t, x, side="left") - 1, 0, n_samples - 2)
    past_end = x > t[-1]
    offset = np.where(past_end, 0.0, x - t[j])
    span = t[j + 1] - t[j]
    j = np.where(past_end, n_samples - 1, j)
    return j, span, offset, past_end


def interpolate(v: np.ndarray, dt: float, step_ms: float, columns=slice(None)) -> np.ndarray:
    """``v`` (any unit, samples on the last axis) on eFEL's grid, at the grid points ``columns``."""
    n = v.shape[-1]
    j, span, offset, past_end = (a[columns] for a in interp_weights(n, dt, step_ms))
    j_next = np.minimum(j + 1, n - 1)
    left, right = v[..., j], v[..., j_next]
    with np.errstate(invalid="ignore"):
        inside = left + (right - left) / span * offset
    return np.where(past_end, left, inside)


@lru_cache(maxsize=64)
def window_weights(n_samples: int, dt: float, step_ms: float, first: int, stop: int):
    """Sample weights whose dot product with ``v`` is the mean of eFEL's grid points ``first:stop``.

    Interpolation is linear in ``v``, so the mean over a window of grid points is one
    matrix-vector product: returns ``(lo, weights)`` for ``v[..., lo:lo + weights.size] @ weights``.
    Agrees with averaging ``interpolate`` to rounding (1e-16 relative).
    """
    j, span, offset, past_end = (a[first:stop] for a in interp_weights(n_samples, dt, step_ms))
    right = np.where(past_end, 0.0, offset / span)
    lo, hi = int(j.min()), int(min(j.max() + 1, n_samples - 1))
    weights = np.zeros(hi - lo + 1)
    np.add.at(weights, j - lo, 1.0 - right)
    np.add.at(weights, np.minimum(j + 1, n_samples - 1) - lo, right)
    weights /= stop - first
    weights.setflags(write=False)
    return lo, weights


def reset_model_step_error(dt: float, step_ms: float, where: str) -> ValueError | None:
    """The error for a reset-model trace whose drawn spikes eFEL's grid would skip, or None.

    A drawn spike is one sample; it survives eFEL's interpolation only where the samples lie
    on the grid, that is where ``dt`` is a whole multiple of ``interp_step``.
    """
    ratio = dt * 1e3 / step_ms
    if ratio >= 1 - 1e-9 and abs(ratio - round(ratio)) <= 1e-6:
        return None
    return ValueError(
        f"the sampling interval of a reset-model trace must be a whole multiple of eFEL's "
        f"interp_step, or eFEL's interpolation skips its one-sample spikes; got dt={dt} s and "
        f"interp_step={step_ms * 1e-3} s in {where}: pass interp_step={dt}"
    )


def grid_ratio(dt: float, step_ms: float) -> int:
    """How many grid steps one sample spans (a reset-model trace's samples lie on the grid)."""
    return int(round(dt * 1e3 / step_ms))
