"""Step protocols in recorded currents: the stimulus window, the step amplitude, smoothing and the ideal step.

A recorded current is noisy. In the SSCx recordings it carries an amplifier ripple near 22 kHz
(aliased close to the Nyquist frequency at 4 kHz, about +-100-250 pA) and a capacitive transient at
every spike. A running median removes the transients, a running mean the ripple, and levels are
taken as trimmed means, which neither disturbs.

The window of a protocol (one group of sweeps on the same time base) is, in order of preference:

1. ``"varying step"``: the flat step whose amplitude changes from sweep to sweep (the test step of an
   f-I or I-V protocol; a fixed prepulse or test pulse is not the window);
2. ``"step"``: the longest flat departure from the holding current, common to the sweeps;
3. ``"span"``: for a stimulus that is not a step (ramp, chirp), from the first to the last sample
   where it departs from holding by more than 2 % of its largest departure (and more than the noise).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Smoothing of the "smoothed" stimulus mode, in s: a boxcar of 2 ms has a zero near the
# Nyquist frequency at 4 kHz, where the SSCx amplifier ripple aliases.
DEFAULT_SMOOTH_WIDTH = 2e-3
_MEDIAN_WIDTH = 1e-3  # s; longer than a spike's capacitive transient is wide at half height
_TRIM = 0.1  # fraction cut at each end by the trimmed means


@dataclass(frozen=True)
class StimulusWindow:
    """The window (s) of a protocol's stimulus, and how it was found (see the module docstring)."""

    start: float
    stop: float
    kind: str

    @property
    def is_step(self) -> bool:
        """Whether the stimulus is a step in this window (a span is not)."""
        return self.kind != "span"


def smooth_current(current, dt: float, width: float = DEFAULT_SMOOTH_WIDTH) -> np.ndarray:
    """Current (A) without spike transients and ripple: a 1 ms running median, then a running mean over ``width`` s."""
    from scipy.ndimage import median_filter, uniform_filter1d

    current = np.asarray(current, dtype=float)
    median = int(round(_MEDIAN_WIDTH / dt)) | 1
    if median >= 3:
        current = median_filter(current, median, mode="nearest")
    boxcar = int(round(width / dt)) | 1  # odd, so centred: a clean step's edges stay on their samples
    if boxcar >= 3:
        current = uniform_filter1d(current, boxcar, mode="nearest")
    return current


def detection_width(duration: float) -> float:
    """Smoothing width (s) used to find the window of a sweep lasting ``duration`` (s)."""
    return min(10e-3, max(1e-3, duration / 50))


def detect_window(currents, dt: float) -> StimulusWindow | None:
    """The stimulus window (s) of one protocol's sweeps, or None when the current never departs from holding.

    Parameters
    ----------
    currents : array of float, shape (n_sweeps, n_samples) or (n_samples,)
        Currents in A of sweeps on the same time base.
    dt : float
        Sampling interval in s.
    """
    currents = np.atleast_2d(np.asarray(currents, dtype=float))
    duration = currents.shape[1] * dt
    width = detection_width(duration)
    smoothed = np.array([smooth_current(c, dt, width) for c in currents])
    n_base = max(1, int(min(10e-3, duration / 20) / dt))
    departure = smoothed - np.median(smoothed[:, :n_base], axis=1, keepdims=True)
    common, spread = np.abs(departure.mean(axis=0)), departure.std(axis=0)
    if common.max() == 0 and spread.max() == 0:
        return None
    gap = max(1, int(round(width / dt)))
    min_length = max(2 * gap, int(round(1e-3 / dt)))
    if len(currents) > 1 and spread.max() >= 0.25 * common.max():
        run = _longest_run(spread, gap, min_length)
        if run and _is_flat(departure, *run) and _most_depart(departure, *run):
            return StimulusWindow(run[0] * dt, run[1] * dt, "varying step")
    run = _longest_run(common, gap, min_length)
    if run and _is_flat(departure, *run):
        return StimulusWindow(run[0] * dt, run[1] * dt, "step")
    # Not a step: the span of the departure, above 2 % of its peak and above the noise.
    floor = max(0.02 * common.max(), 5 * departure[:, :n_base].mean(axis=0).std())
    above = np.flatnonzero(common > floor)
    return StimulusWindow(above[0] * dt, (above[-1] + 1) * dt, "span")


def _runs(mask: np.ndarray, gap: int, min_length: int) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    merged: list[list[int]] = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if merged and a - merged[-1][1] <= gap:  # a spike transient splits no step
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(int(a), int(b)) for a, b in merged if b - a >= min_length]


def _longest(runs: list) -> tuple[int, int]:
    # The first of the runs as long as the longest (within 5 %): of the two equal steps of
    # a "dual step" protocol, the first.
    longest = max(b - a for a, b in runs)
    return next(r for r in runs if r[1] - r[0] >= 0.95 * longest)


def _longest_run(level: np.ndarray, gap: int, min_length: int) -> tuple[int, int] | None:
    # Half the peak first, then half the plateau of the longest run, so that transients
    # riding on the step do not set the threshold.
    runs = _runs(level > 0.5 * level.max(), gap, min_length)
    if not runs:
        return None
    a, b = _longest(runs)
    runs = _runs(level > 0.5 * np.median(level[a:b]), gap, min_length)
    return _longest(runs) if runs else (a, b)


def _inner(a: int, b: int) -> slice:
    return slice(a + (b - a) // 10, b - (b - a) // 10)


def _is_flat(departure: np.ndarray, a: int, b: int) -> bool:
    inner = departure[:, _inner(a, b)]
    largest = inner[np.argmax(np.abs(inner.mean(axis=1)))]
    low, high = np.percentile(largest, [5, 95])
    return abs(largest.mean()) > 0 and high - low <= 0.5 * abs(largest.mean())


def _most_depart(departure: np.ndarray, a: int, b: int) -> bool:
    amplitudes = np.abs(departure[:, _inner(a, b)].mean(axis=1))
    return np.mean(amplitudes > 0.25 * amplitudes.max()) >= 0.5


def step_levels(current, dt: float, start: float, stop: float) -> tuple[float, float]:
    """Holding current and step amplitude (A) of a step from ``start`` to ``stop`` (s).

    Holding is the trimmed mean over the 100 ms before the step (after it, when the step starts
    at 0); the amplitude is the trimmed mean over the inner 80 % of the step, less holding.
    """
    from scipy.stats import trim_mean

    current = np.asarray(current, dtype=float)
    i0, i1 = int(round(start / dt)), int(round(stop / dt))
    before = current[max(0, i0 - int(round(0.1 / dt))):i0]
    holding = trim_mean(before if before.size else current[i1:], _TRIM)
    return float(holding), float(trim_mean(current[_inner(i0, i1)], _TRIM) - holding)


def ideal_step(n_samples: int, dt: float, start: float, stop: float, holding: float, amplitude: float) -> np.ndarray:
    """Current (A): ``holding`` plus ``amplitude`` from ``start`` to ``stop`` (s)."""
    current = np.full(n_samples, float(holding))
    current[int(round(start / dt)):int(round(stop / dt))] += amplitude
    return current
