"""Summaries of a network's spike trains: rates, persistence, irregularity, synchrony.

Pure functions of spike times (s). A population's spikes come either as a list of per-cell
spike-time arrays (a "train" per cell) or as the pair (times, indices) a Brian 2
``SpikeMonitor`` gives; ``split_trains`` turns the second into the first.

- ``population_rate``: mean firing rate per cell (Hz) in time bins.
- ``persistence``: how long activity outlives a kick (s after the kick ends).
- ``isi_cv``: mean coefficient of variation of the inter-spike intervals over cells with
  at least 3 spikes (irregularity: ~0 for clock-like firing, ~1 for Poisson firing).
- ``synchrony_chi``: Golomb's chi (Golomb and Rinzel 1993; Golomb 2007, Scholarpedia 2:1347)
  on binned spike counts (synchrony: ~1/sqrt(n) for independent cells, 1 for identical ones).
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

DEFAULT_BIN = 5e-3
"""Bin width (s) for population rates and synchrony: 5 ms, about one excitatory time constant."""


def split_trains(times, indices, n: int) -> list[np.ndarray]:
    """Per-cell spike-time arrays (s, sorted) from a monitor's flat ``times`` and ``indices``.

    Parameters
    ----------
    times : array-like of float
        Spike times (s).
    indices : array-like of int
        Cell of each spike, in ``[0, n)``.
    n : int
        Number of cells; silent cells get an empty array.
    """
    times = np.asarray(times, dtype=float)
    indices = np.asarray(indices, dtype=np.int64)
    if times.shape != indices.shape:
        raise ValueError(f"times and indices must have the same shape, got {times.shape} and {indices.shape}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got n={n}")
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        raise ValueError(f"indices must lie in [0, n={n}), got {indices.min()}..{indices.max()}")
    order = np.lexsort((times, indices))
    counts = np.bincount(indices, minlength=n)
    return [np.asarray(a) for a in np.split(times[order], np.cumsum(counts)[:-1])] if n else []


def _window(t_start: float, t_stop: float) -> tuple[float, float]:
    t_start, t_stop = float(t_start), float(t_stop)
    if not (math.isfinite(t_start) and math.isfinite(t_stop)) or t_stop <= t_start:
        raise ValueError(f"t_start < t_stop must hold (finite, s), got t_start={t_start}, t_stop={t_stop}")
    return t_start, t_stop


def _bins(t_start: float, t_stop: float, bin_width: float) -> np.ndarray:
    if not bin_width > 0:
        raise ValueError(f"bin_width must be > 0 (s), got bin_width={bin_width}")
    n_bins = max(int(math.floor((t_stop - t_start) / bin_width + 1e-9)), 1)
    return t_start + bin_width * np.arange(n_bins + 1)


def population_rate(times, n_cells: int, t_start: float, t_stop: float,
                    bin_width: float = DEFAULT_BIN) -> tuple[np.ndarray, np.ndarray]:
    """Hz: mean firing rate per cell of a population, in bins of ``bin_width`` (s).

    Parameters
    ----------
    times : array-like of float
        All spike times of the population (s), in any order.
    n_cells : int
        Size of the population (> 0).
    t_start, t_stop : float
        Window (s); whole bins from ``t_start``, a partial last bin dropped.
    bin_width : float
        Bin width (s).

    Returns
    -------
    centres : float array
        Bin centres (s).
    rate : float array
        Spikes per cell per second in each bin.
    """
    if n_cells <= 0:
        raise ValueError(f"n_cells must be > 0, got n_cells={n_cells}")
    t_start, t_stop = _window(t_start, t_stop)
    edges = _bins(t_start, t_stop, bin_width)
    counts, _ = np.histogram(np.asarray(times, dtype=float), bins=edges)
    return 0.5 * (edges[:-1] + edges[1:]), counts / (n_cells * bin_width)


def persistence(times, kick_end: float, duration: float, tail: float = 0.05) -> float:
    """s: how long spiking outlives a kick that ends at ``kick_end``.

    The last spike time minus ``kick_end`` (0 when nothing fires after the kick); when the
    last spike falls within ``tail`` (s) of the end of the run, the activity is taken to be
    still going and the whole time after the kick, ``duration - kick_end``, is returned.

    Parameters
    ----------
    times : array-like of float
        Spike times (s) of the network (all populations, kick sources excluded).
    kick_end : float
        When the external kick stops (s).
    duration : float
        Length of the run (s), > ``kick_end``.
    tail : float
        Final stretch (s) in which a spike counts as "still active".
    """
    kick_end, duration = _window(kick_end, duration)
    if tail < 0:
        raise ValueError(f"tail must be >= 0 (s), got tail={tail}")
    times = np.asarray(times, dtype=float)
    if times.size == 0:
        return 0.0
    last = float(times.max())
    if last >= duration - tail:
        return duration - kick_end
    return max(last - kick_end, 0.0)


def isi_cv(trains: Sequence[np.ndarray], min_spikes: int = 3,
           t_start: float = -math.inf, t_stop: float = math.inf) -> float:
    """Mean coefficient of variation (std/mean) of inter-spike intervals over cells.

    Only cells with at least ``min_spikes`` spikes in ``[t_start, t_stop)`` count (two
    intervals at least, so that a spread exists). ~0 for regular firing, ~1 for Poisson
    firing, > 1 for bursty firing. NaN when no cell qualifies.

    Parameters
    ----------
    trains : sequence of float arrays
        Spike times (s) per cell.
    min_spikes : int
        Fewest spikes (>= 3) for a cell to count.
    t_start, t_stop : float
        Window (s) whose spikes are used.
    """
    if min_spikes < 3:
        raise ValueError(f"min_spikes must be >= 3 (two intervals), got min_spikes={min_spikes}")
    cvs = []
    for train in trains:
        train = np.sort(np.asarray(train, dtype=float))
        train = train[(train >= t_start) & (train < t_stop)]
        if train.size < min_spikes:
            continue
        isi = np.diff(train)
        mean = isi.mean()
        if mean > 0:
            cvs.append(isi.std() / mean)
    return float(np.mean(cvs)) if cvs else math.nan


def synchrony_chi(trains: Sequence[np.ndarray], t_start: float, t_stop: float,
                  bin_width: float = DEFAULT_BIN) -> float:
    """Golomb's synchrony measure chi on spike counts in bins of ``bin_width`` (s).

    ``chi**2 = var_t(mean_i s_i(t)) / mean_i var_t(s_i(t))``, where ``s_i(t)`` is cell i's
    spike count in bin t; only cells that fire in the window count. chi is 1 when all
    cells fire together and about ``1/sqrt(n)`` for ``n`` independent cells, so it is
    comparable between networks only at similar sizes. NaN when fewer than two cells fire.

    Parameters
    ----------
    trains : sequence of float arrays
        Spike times (s) per cell.
    t_start, t_stop : float
        Window (s).
    bin_width : float
        Bin width (s).
    """
    t_start, t_stop = _window(t_start, t_stop)
    edges = _bins(t_start, t_stop, bin_width)
    counts = np.array([np.histogram(np.asarray(t, dtype=float), bins=edges)[0] for t in trains],
                      dtype=float).reshape(len(trains), len(edges) - 1)
    counts = counts[counts.sum(axis=1) > 0]
    if counts.shape[0] < 2:
        return math.nan
    single = counts.var(axis=1).mean()
    if single == 0:
        return math.nan
    return float(math.sqrt(counts.mean(axis=0).var() / single))
