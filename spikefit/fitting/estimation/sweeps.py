"""The samples a regression of dV/dt uses: checked sweeps, spikes, windows and filters.

Discretisation (second order, for the continuous ODE): the recorded current is a zero-order
hold, so over the interval [t_k, t_k+1] the ODE integrates exactly to
``(V[k+1] - V[k]) / dt = mean of f over the interval``; the trapezoid rule replaces that
mean by the average of f at the two samples, with error dt^2/12 f''. So the target of
interval k is the difference quotient and each voltage regressor is the average of its
values at samples k and k+1; the current is the interval's own sample ``I[k]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import lfilter

from ...data import Recording, Trace


@dataclass(frozen=True, eq=False)
class Sweep:
    """One sweep ready for the regression.

    ``spikes`` are spike times (s); ``k_spike[j]`` is the first sample at or after spike j,
    the one that shows it; ``used[k]`` says whether interval [k, k+1] enters the regression.
    """

    v: np.ndarray
    current: np.ndarray
    dt: float
    spikes: np.ndarray
    k_spike: np.ndarray
    used: np.ndarray

    @property
    def time(self) -> np.ndarray:
        return np.arange(self.v.size) * self.dt


def as_traces(recording) -> list[Trace]:
    """The sweeps of a Trace or Recording, checked for what a regression needs."""
    if isinstance(recording, Trace):
        traces = [recording]
    elif isinstance(recording, Recording):
        traces = list(recording.sweeps)
    else:
        raise TypeError(f"recording must be a Trace or a Recording, got {type(recording).__name__}")
    if not traces:
        raise ValueError("recording must hold at least one sweep, got 0")
    for i, trace in enumerate(traces):
        if getattr(trace, "stimulus", None) is None:
            raise ValueError(f"sweep {i} has no stimulus: estimate regresses dV/dt on the injected "
                             f"current and needs it recorded")
    dts = sorted({float(t.dt) for t in traces})
    if dts[-1] - dts[0] > 1e-9 * dts[0]:
        raise ValueError(f"all sweeps must share one sampling interval (uniform sampling), got "
                         f"intervals {', '.join(f'{d:g}' for d in dts)} s")
    if not any(np.any(t.current != 0) for t in traces):
        raise ValueError("the injected current is 0 in every sample of every sweep: without a "
                         "current C cannot be told from the other parameters")
    for i, trace in enumerate(traces):
        if not np.all(np.isfinite(trace.v)):
            raise ValueError(f"sweep {i}: v must be finite, got {np.count_nonzero(~np.isfinite(trace.v))} "
                             f"non-finite samples")
    return traces


def spike_times(trace: Trace, threshold: float) -> np.ndarray:
    """Spike times (s): the trace's own, else upward crossings of ``threshold`` (V), at the
    first sample at or above it."""
    if trace.spike_times is not None:
        return np.asarray(trace.spike_times, float)
    above = trace.v >= threshold
    onsets = np.flatnonzero(above[1:] & ~above[:-1]) + 1
    if above[0]:
        onsets = np.concatenate([[0], onsets])
    return onsets * trace.dt


def smooth(x: np.ndarray, width: float | None, dt: float) -> np.ndarray:
    """``x`` smoothed by a Gaussian of standard deviation ``width`` (s); unchanged for None."""
    if width is None:
        return x
    if not width > 0:
        raise ValueError(f"a smoothing width must be > 0 s or None, got {width}")
    return gaussian_filter1d(x, width / dt, mode="nearest")


def prepare(trace: Trace, *, threshold: float, before: float, after: float,
            smooth_current: float | None) -> Sweep:
    """A Sweep with its spikes found and the intervals near them left out (``with_window``)."""
    dt = float(trace.dt)
    v = np.asarray(trace.v, float)
    spikes = spike_times(trace, threshold)
    spikes = spikes[(spikes > 0) & (spikes < (v.size - 1) * dt)]
    k_spike = np.ceil(spikes / dt - 1e-9).astype(np.int64)
    current = smooth(np.asarray(trace.current, float), smooth_current, dt)
    sweep = Sweep(v, current, dt, spikes, k_spike, np.ones(v.size - 1, bool))
    return with_window(sweep, before=before, after=after)


def with_window(sweep: Sweep, *, before: float, after: float) -> Sweep:
    """The same sweep without the intervals that overlap ``[t_s - before, t_s + after]`` of a
    spike at ``t_s`` (``after`` holds any refractory period too)."""
    n = sweep.v.size
    t = sweep.time
    first = np.searchsorted(t, sweep.spikes - before, side="left") - 1
    last = np.searchsorted(t, sweep.spikes + after, side="right") - 1
    cover = np.zeros(n + 1, np.int64)
    np.add.at(cover, np.clip(first, 0, n), 1)
    np.add.at(cover, np.clip(last + 1, 0, n), -1)
    used = np.cumsum(cover)[:n - 1] == 0
    return Sweep(sweep.v, sweep.current, sweep.dt, sweep.spikes, sweep.k_spike, used)


def interval_mean(x: np.ndarray) -> np.ndarray:
    """Trapezoid mean of a sampled quantity over each interval (n - 1 values)."""
    return 0.5 * (x[1:] + x[:-1])


def exp_filter(increments: np.ndarray, rate: float, dt: float) -> np.ndarray:
    """F at every sample from the increments of its intervals: F[k+1] = q F[k] + inc[k].

    ``q = exp(-rate dt)``; F[0] = 0.
    """
    q = np.exp(-rate * dt)
    out = np.zeros(increments.size + 1)
    out[1:] = lfilter([1.0], [1.0, -q], increments)
    return out


def trapezoid_increments(x: np.ndarray, rate: float, dt: float) -> np.ndarray:
    """Increments of ``int exp(-rate (t_k+1 - s)) x(s) ds`` over each interval, trapezoid rule."""
    q = np.exp(-rate * dt)
    return 0.5 * dt * (q * x[:-1] + x[1:])


def spike_train_filter(sweep: Sweep, rate: float) -> np.ndarray:
    """sum_j exp(-rate (t - t_j)) over spikes t_j <= t, at every sample (exact)."""
    impulses = np.zeros(sweep.v.size)
    np.add.at(impulses, sweep.k_spike, np.exp(-rate * (sweep.k_spike * sweep.dt - sweep.spikes)))
    q = np.exp(-rate * sweep.dt)
    return lfilter([1.0], [1.0, -q], impulses)
