"""eFEL's peaks: the spike times (ms, on eFEL's grid) that eFEL's features count.

A peak is eFEL's: the first maximum between an upward and the next downward crossing of
``Threshold`` on the trace interpolated at ``interp_step``. ``detected_peaks`` finds them in
voltages, as eFEL does; ``drawn_peaks`` computes them from a reset model's spike times without
the voltage (each spike is drawn as one sample, see ``spikefit.features.efel_features``).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..models.kernel_tools import SAMPLE_ROUNDING
from . import efel_edge


def drawn_peaks(spike_times: np.ndarray, counts: np.ndarray, dt: float, n_samples: int,
                step_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """eFEL's peak times (ms) of reset-model traces, from their spike times (s).

    Each spike is drawn in the first sample at or after it; drawn samples that are the same
    or adjacent make one peak (the first), and a peak needs a sample after it.
    """
    n, width = spike_times.shape
    if width == 0:
        return np.full((n, 0), np.nan), np.zeros(n, np.int64)
    with np.errstate(invalid="ignore"):
        # the kernels stamp no spike within 2 SAMPLE_ROUNDING samples after a step's start
        sample = np.ceil(spike_times / dt - SAMPLE_ROUNDING)
    position = np.arange(width)
    drawn = (position < counts[:, None]) & (sample <= n_samples - 1)
    # a run of drawn samples without a gap is one crossing of the threshold: one peak, at its
    # first sample, if a sample after the run brings the voltage back down
    start = drawn & (np.diff(sample, axis=1, prepend=-np.inf) >= 2)
    next_start = np.minimum.accumulate(np.where(start, position, width)[:, ::-1], axis=1)[:, ::-1]
    run_end = np.minimum(np.c_[next_start[:, 1:], np.full(n, width)] - 1, drawn.sum(axis=1, keepdims=True) - 1)
    end_sample = np.take_along_axis(sample, np.clip(run_end, 0, None), axis=1)
    keep = start & (end_sample <= n_samples - 2)
    grid = efel_edge.interp_grid(n_samples, dt, step_ms)
    ratio = efel_edge.grid_ratio(dt, step_ms)
    index = np.where(keep, sample, 0).astype(np.int64) * ratio
    times = np.where(keep, grid[index], np.nan)
    return _compact(times, keep)


def detected_peaks(v: np.ndarray, dt: float, step_ms: float, threshold_mv: float):
    """eFEL's peak times (ms) of traces ``v`` (V, (n, n_samples)) found as eFEL does."""
    v_mv = efel_edge.interpolate(v * 1e3, dt, step_ms)
    above = v_mv > threshold_mv
    cap = int(((above[:, 1:]) & (v_mv[:, :-1] < threshold_mv)).sum(axis=1).max(initial=0))
    index = np.zeros((len(v_mv), cap), np.int64)
    counts = np.zeros(len(v_mv), np.int64)
    _efel_peak_indices(v_mv, threshold_mv, index, counts)
    keep = np.arange(cap) < counts[:, None]
    grid = efel_edge.interp_grid(v.shape[1], dt, step_ms)
    return np.where(keep, grid[index], np.nan), counts


@njit(cache=True)
def _efel_peak_indices(v, threshold, index, counts):
    """eFEL's ``__peak_indices`` row by row: first maximum between paired crossings."""
    n, m = v.shape
    ups = np.empty(m, np.int64)
    downs = np.empty(m, np.int64)
    for r in range(n):
        n_up = 0
        n_down = 0
        for i in range(1, m):
            if v[r, i] > threshold and v[r, i - 1] < threshold:
                ups[n_up] = i
                n_up += 1
            elif v[r, i] < threshold and v[r, i - 1] > threshold:
                downs[n_down] = i
                n_down += 1
        counts[r] = 0
        if n_up == 0 or n_down == 0:
            continue
        first_down = 0  # downward crossings before the first upward one belong to no spike
        while first_down < n_down and downs[first_down] < ups[0]:
            first_down += 1
        for p in range(min(n_up, n_down - first_down)):
            best = -1e9
            at = -1
            for j in range(ups[p], downs[first_down + p] + 1):
                if best < v[r, j]:
                    best = v[r, j]
                    at = j
            if at >= 0:
                index[r, counts[r]] = at
                counts[r] += 1


def _compact(times: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move the kept entries of each row to its front, NaN after them."""
    counts = keep.sum(axis=1)
    out = np.full((len(times), int(counts.max(initial=0))), np.nan)
    rows, cols = np.nonzero(keep)
    out[rows, np.cumsum(keep, axis=1)[rows, cols] - 1] = times[rows, cols]
    return out, counts
