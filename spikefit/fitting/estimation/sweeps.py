"""The samples a regression of dV/dt uses: checked sweeps, spikes, windows and filters.

Discretisation (for the continuous ODE): the recorded current is a zero-order hold, so
over the interval [t_k, t_k+1] the ODE integrates exactly to
``(V[k+1] - V[k]) / dt = mean of f over the interval``. The target of interval k is that
difference quotient, the current the interval's own sample ``I[k]``, and every other
regressor the mean of its samples over the interval by the 4-point rule (fourth order where
the trace is smooth; the trapezoid rule, second order, beside a spike sample). The trapezoid
rule alone left errors of (a dt)^2 / 12 that moved b and d of fast-u Izhikevich cells
(dap_2004, a = 1000/s) by about 1 %.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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

    @cached_property
    def n_used(self) -> int:
        return int(np.count_nonzero(self.used))

    @cached_property
    def target(self) -> np.ndarray:
        """(V[k+1] - V[k]) / dt over the used intervals: the exact mean of dV/dt there."""
        return np.diff(self.v)[self.used] / self.dt

    def means(self, g: np.ndarray) -> np.ndarray:
        """Mean of the sampled quantity ``g`` over each used interval, fourth order.

        The 4-point rule (-g[k-1] + 13 g[k] + 13 g[k+1] - g[k+2]) / 24; the trapezoid rule
        at the ends of the sweep and where the stencil holds a sample that shows a spike.
        """
        if np.ndim(g) == 0:
            return np.full(self.n_used, float(g))
        mean = 0.5 * (g[:-1] + g[1:])
        if g.size >= 4:
            mean[1:-1] = (-g[:-3] + 13 * g[1:-2] + 13 * g[2:-1] - g[3:]) / 24
            for shift in (-2, 1):
                near = self.k_spike + shift
                near = near[(near >= 0) & (near < mean.size)]
                mean[near] = 0.5 * (g[near] + g[near + 1])
        return mean[self.used]


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


def exp_filter(increments: np.ndarray, rate: float, dt: float) -> np.ndarray:
    """F at every sample from the increments of its intervals: F[k+1] = q F[k] + inc[k].

    ``q = exp(-rate dt)``; F[0] = 0.
    """
    q = np.exp(-rate * dt)
    out = np.zeros(increments.size + 1)
    out[1:] = lfilter([1.0], [1.0, -q], increments)
    return out


def filter_increments(x: np.ndarray, rate: float, dt: float, spikes: np.ndarray) -> np.ndarray:
    """Increments of ``int exp(-rate (t_k+1 - s)) x(s) ds`` over each interval [t_k, t_k+1].

    Fourth order (the 4-point rule on the weighted samples, stencil k-1..k+2), so that the
    fast upswing before a spike is integrated right (the trapezoid rule overestimates a
    convex rise by dt^3/12 x''); a 3-point rule next to a sample ``spikes`` that shows a spike
    (its value is not the model's), the trapezoid rule at the ends of the sweep. The two
    intervals beside a spike sample are the caller's (``models.filters``).
    """
    q = np.exp(-rate * dt)
    inc = 0.5 * dt * (q * x[:-1] + x[1:])
    if x.size >= 4:
        inc[1:-1] = dt / 24 * (-q * q * x[:-3] + 13 * q * x[1:-2] + 13 * x[2:-1] - x[3:] / q)
    left = spikes - 2  # interval k-2: stencil k-3, k-2, k-1
    left = left[(left >= 1) & (left < inc.size)]
    inc[left] = dt / 12 * (-q * q * x[left - 1] + 8 * q * x[left] + 5 * x[left + 1])
    right = spikes + 1  # interval k+1: stencil k+1, k+2, k+3
    right = right[right + 2 < x.size]
    inc[right] = dt / 12 * (5 * q * x[right] + 8 * x[right + 1] - x[right + 2] / q)
    return inc


def spike_train_filter(sweep: Sweep, rate: float) -> np.ndarray:
    """sum_j exp(-rate (t - t_j)) over spikes t_j <= t, at every sample (exact)."""
    impulses = np.zeros(sweep.v.size)
    np.add.at(impulses, sweep.k_spike, np.exp(-rate * (sweep.k_spike * sweep.dt - sweep.spikes)))
    q = np.exp(-rate * sweep.dt)
    return lfilter([1.0], [1.0, -q], impulses)
