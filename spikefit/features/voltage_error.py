"""Subthreshold voltage error: how far a model's membrane potential is from the data's, spikes
left out (../shared/reference/REFERENCE.md section 5). Argument order ``(model, data)``.
"""
from __future__ import annotations

import math

import numpy as np

from ..data import Trace
from ..data.units import require_positive, to_si

__all__ = ["subthreshold_error"]


def subthreshold_error(model, data, windows=None, dt: float | None = None,
                       spike_margin: tuple[float, float] = (2e-3, 5e-3)) -> float:
    """RMS difference (V) between two membrane potentials over windows, spikes left out.

    Parameters
    ----------
    model, data : Trace or array of float
        Membrane potentials (V) on the same time base. Traces bring their ``dt`` and spike
        times; arrays need ``dt`` and have no spikes to exclude.
    windows : sequence of (start, stop), optional
        Time windows in s to compare (whole trace by default); each within the trace.
    dt : float, optional
        Sampling interval (s) for arrays.
    spike_margin : (before, after)
        Samples from ``before`` s before to ``after`` s after any spike of either trace are
        left out, so that spike shape (absent in reset models) does not dominate.

    Returns
    -------
    float
        RMS error in V.

    Raises
    ------
    ValueError
        Mismatched lengths, a window outside the trace or with start >= stop, or windows
        that leave no sample once spikes are excluded.
    """
    v_model, v_data, dt, spikes = _voltages(model, data, dt)
    n = v_model.size
    duration = n * dt
    keep = np.zeros(n, bool)
    for start, stop in windows if windows is not None else [(0.0, duration)]:
        start, stop = float(to_si(start, "s", "start")), float(to_si(stop, "s", "stop"))
        if not 0 <= start < stop <= duration + 1e-12:
            raise ValueError(
                f"0 <= start < stop <= duration must hold for each window, got ({start}, {stop}) s "
                f"and duration={duration} s"
            )
        keep[int(math.ceil(start / dt - 1e-9)):int(math.ceil(stop / dt - 1e-9))] = True
    before, after = (float(x) for x in spike_margin)
    time = np.arange(n) * dt
    for t in spikes:
        keep[(time >= t - before) & (time <= t + after)] = False
    if not keep.any():
        raise ValueError("the windows hold no sample once the spikes and their margins are left out")
    return float(np.sqrt(np.mean((v_model[keep] - v_data[keep]) ** 2)))


def _voltages(model, data, dt):
    spikes = []
    arrays = []
    for name, x in (("model", model), ("data", data)):
        if isinstance(x, Trace):
            dt = x.dt if dt is None else dt
            if not math.isclose(dt, x.dt, rel_tol=1e-9):
                raise ValueError(f"model and data must share dt, got {dt} and {x.dt} s")
            spikes.extend([] if x.spike_times is None else x.spike_times)
            arrays.append(x.v)
        else:
            arrays.append(np.asarray(to_si(x, "V", name), dtype=float))
    if dt is None:
        raise ValueError("dt (s) must be given when model and data are arrays")
    dt = require_positive(to_si(dt, "s", "dt"), "dt")
    v_model, v_data = arrays
    if v_model.shape != v_data.shape or v_model.ndim != 1:
        raise ValueError(f"model and data must be 1-D of equal length, got {v_model.shape} and {v_data.shape}")
    return v_model, v_data, dt, spikes
