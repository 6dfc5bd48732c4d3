"""Spike detection on a recorded membrane potential: upward crossings of a threshold.

The threshold defaults to eFEL's (-20 mV), and on every recording in the shared collection the
count equals eFEL's ``spike_count`` (tests/data/test_real_recordings.py checks it).
"""
from __future__ import annotations

import numpy as np

from ..defaults import SPIKE_THRESHOLD


def detect_spikes(v, dt: float, threshold: float = SPIKE_THRESHOLD) -> np.ndarray:
    """Spike times (s): upward crossings of ``threshold`` (V), interpolated between samples.

    Parameters
    ----------
    v : array of float
        Membrane potential in V, sampled every ``dt`` s from time 0.
    dt : float
        Sampling interval in s.
    threshold : float
        Crossing level in V.

    Examples
    --------
    >>> detect_spikes([-0.07, -0.03, 0.01, -0.06, 0.02], dt=1e-3).round(5).tolist()
    [0.00125, 0.0035]
    """
    v = np.asarray(v, dtype=float)
    before, after = v[:-1], v[1:]
    index = np.flatnonzero((before < threshold) & (after >= threshold))
    fraction = (threshold - before[index]) / (after[index] - before[index])
    return (index + fraction) * dt


def count_spikes(v, threshold: float = SPIKE_THRESHOLD) -> int:
    """Number of upward crossings of ``threshold`` (V) in ``v`` (V)."""
    v = np.asarray(v, dtype=float)
    return int(np.count_nonzero((v[:-1] < threshold) & (v[1:] >= threshold)))
