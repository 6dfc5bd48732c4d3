"""Injected-current stimuli and the builders of the usual protocols.

Sample ``i`` of a stimulus is the current (A) held over ``[i*dt, (i+1)*dt)``: a zero-order
hold, which is what a digitised command waveform is. All times are in seconds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np

from .units import require_finite, require_positive, to_si

# Plausibility limit for an injected current into one neuron: 1 uA is far beyond any
# whole-cell protocol and usually means a unit was lost (pA read as A, say).
MAX_PLAUSIBLE_CURRENT = 1e-6


@dataclass(frozen=True, eq=False)
class Stimulus:
    """Injected current (A) sampled at a fixed ``dt`` (s), with its stimulus window.

    Parameters
    ----------
    current : array of float
        Current samples in A; sample ``i`` holds over ``[i*dt, (i+1)*dt)``.
    dt : float
        Sampling interval in s.
    start, stop : float or None
        The stimulus window in s (onset and offset of the step, for example), which
        features such as eFEL's need. ``None`` when the stimulus has no window.
    metadata : mapping
        Free-form description: protocol name, amplitude, seed.
    """

    current: np.ndarray
    dt: float
    start: float | None = None
    stop: float | None = None
    metadata: Mapping = field(default_factory=dict)

    def __post_init__(self):
        current = np.array(to_si(self.current, "A", "current"), dtype=float, ndmin=1)
        if current.ndim != 1:
            raise ValueError(f"current must be 1-D, got shape {current.shape}")
        if current.size == 0:
            raise ValueError("current must hold at least one sample, got 0")
        bad = np.flatnonzero(~np.isfinite(current))
        if bad.size:
            raise ValueError(
                f"current must be finite, got {current[bad[0]]} at sample {bad[0]} "
                f"({bad.size} non-finite samples in all)"
            )
        peak = np.abs(current).max()
        if peak > MAX_PLAUSIBLE_CURRENT:
            raise ValueError(
                f"current must stay within +-{MAX_PLAUSIBLE_CURRENT} A for a neuron, got "
                f"{peak} A: was a current in pA or nA passed as A?"
            )
        current.setflags(write=False)
        dt = require_positive(to_si(self.dt, "s", "dt"), "dt")
        object.__setattr__(self, "current", current)
        object.__setattr__(self, "dt", dt)
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        self._check_window()

    def __reduce__(self):  # a mappingproxy does not pickle: rebuild from a dict (worker processes)
        return (type(self), (self.current, self.dt, self.start, self.stop, dict(self.metadata)))

    def _check_window(self):
        start, stop = self.start, self.stop
        if (start is None) != (stop is None):
            raise ValueError(f"start and stop must be given together, got start={start}, stop={stop}")
        if start is None:
            return
        start = require_finite(to_si(start, "s", "start"), "start")
        stop = require_finite(to_si(stop, "s", "stop"), "stop")
        if not 0 <= start < stop <= self.duration + 1e-12:
            raise ValueError(
                f"0 <= start < stop <= duration must hold, got start={start}, stop={stop}, "
                f"duration={self.duration}"
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "stop", stop)

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return self.current.size

    @property
    def duration(self) -> float:
        """Duration in s."""
        return self.n_samples * self.dt

    @property
    def time(self) -> np.ndarray:
        """Sample times in s, starting at 0."""
        return np.arange(self.n_samples) * self.dt

    def inner_current(self) -> np.ndarray:
        """Current (A) strictly inside the window: its first and last sample left out (the
        edges of a step); empty when there is no window."""
        if self.start is None:
            return self.current[:0]
        return self.current[int(round(self.start / self.dt)) + 1:int(round(self.stop / self.dt)) - 1]

    def window(self, start, stop) -> "Stimulus":
        """The samples from ``start`` to ``stop`` (s) as a Stimulus whose time 0 is ``start``.

        Both ends are rounded to the nearest sample (sample ``i`` holds over
        ``[i*dt, (i+1)*dt)``). The stimulus window is cut to the slice and shifted with it, and is
        ``None`` where the slice misses it; ``metadata["offset"]`` (s) says where the slice
        begins in the original time (added to any earlier offset).

        Raises
        ------
        ValueError
            Unless ``0 <= start < stop <= duration`` and the slice holds at least one sample.
        """
        first, last = self._slice(start, stop)
        t0, t1 = first * self.dt, last * self.dt
        window = (None, None)
        if self.start is not None and self.start < t1 and self.stop > t0:
            window = (max(self.start, t0) - t0, min(self.stop, t1) - t0)
        metadata = dict(self.metadata, offset=float(self.metadata.get("offset", 0.0)) + t0)
        return Stimulus(self.current[first:last], self.dt, *window, metadata)

    def _slice(self, start, stop) -> tuple[int, int]:
        """Sample indices [first, last) of the slice from ``start`` to ``stop`` (s)."""
        start = require_finite(to_si(start, "s", "start"), "start")
        stop = require_finite(to_si(stop, "s", "stop"), "stop")
        if not 0 <= start < stop <= self.duration + 1e-12:
            raise ValueError(f"0 <= start < stop <= duration must hold for a window, got start={start}, "
                             f"stop={stop}, duration={self.duration} s")
        first, last = int(round(start / self.dt)), min(int(round(stop / self.dt)), self.n_samples)
        if last <= first:
            raise ValueError(f"a window must hold at least one sample of dt={self.dt} s, got start={start}, "
                             f"stop={stop} s")
        return first, last

    def __repr__(self) -> str:
        window = "" if self.start is None else f", window=[{self.start:g}, {self.stop:g}] s"
        return (
            f"Stimulus({self.n_samples} samples, dt={self.dt:g} s, "
            f"range=[{self.current.min():.4g}, {self.current.max():.4g}] A{window})"
        )


def _n_samples(duration, dt) -> int:
    duration = require_positive(to_si(duration, "s", "duration"), "duration")
    n = int(round(duration / dt))
    if abs(n * dt - duration) > 1e-9 * max(duration, dt):
        raise ValueError(
            f"duration must be a whole number of samples dt, got duration={duration}, dt={dt}"
        )
    return n


def _index(t, dt, name) -> int:
    return int(round(require_finite(to_si(t, "s", name), name) / dt))


def step(amplitude, start, stop, duration, dt=1e-4, holding=0.0) -> Stimulus:
    """A current step (A) from ``start`` to ``stop`` (s) on a ``holding`` current.

    Examples
    --------
    >>> stim = step(0.5e-9, start=0.1, stop=0.9, duration=1.0)
    >>> float(stim.current.max())
    5e-10
    """
    dt = require_positive(to_si(dt, "s", "dt"), "dt")
    amplitude = require_finite(to_si(amplitude, "A", "amplitude"), "amplitude")
    holding = require_finite(to_si(holding, "A", "holding"), "holding")
    current = np.full(_n_samples(duration, dt), holding)
    current[_index(start, dt, "start"):_index(stop, dt, "stop")] += amplitude
    return Stimulus(current, dt, start, stop, {"protocol": "step", "amplitude": amplitude,
                                               "holding": holding})


def step_protocol(amplitudes: Sequence, start, stop, duration, dt=1e-4, holding=0.0) -> list[Stimulus]:
    """One step stimulus per amplitude (A), as in an f-I protocol."""
    amplitudes = to_si(amplitudes, "A", "amplitudes")
    if np.ndim(amplitudes) != 1 or len(amplitudes) == 0:
        raise ValueError(f"amplitudes must be a non-empty 1-D sequence, got {amplitudes!r}")
    return [step(a, start, stop, duration, dt, holding) for a in amplitudes]


def ramp(amplitude, start, stop, duration, dt=1e-4, initial=0.0) -> Stimulus:
    """A current ramp from ``initial`` at ``start`` to ``amplitude`` (A) at ``stop`` (s)."""
    dt = require_positive(to_si(dt, "s", "dt"), "dt")
    amplitude = require_finite(to_si(amplitude, "A", "amplitude"), "amplitude")
    initial = require_finite(to_si(initial, "A", "initial"), "initial")
    current = np.zeros(_n_samples(duration, dt))
    i0, i1 = _index(start, dt, "start"), _index(stop, dt, "stop")
    current[i0:i1] = np.linspace(initial, amplitude, max(i1 - i0, 0), endpoint=False)
    return Stimulus(current, dt, start, stop, {"protocol": "ramp", "amplitude": amplitude,
                                               "initial": initial})


def pulse_train(amplitude, width, frequency, n_pulses, start, duration, dt=1e-4) -> Stimulus:
    """``n_pulses`` square pulses of ``amplitude`` (A) and ``width`` (s) at ``frequency`` (Hz)."""
    dt = require_positive(to_si(dt, "s", "dt"), "dt")
    amplitude = require_finite(to_si(amplitude, "A", "amplitude"), "amplitude")
    width = require_positive(to_si(width, "s", "width"), "width")
    frequency = require_positive(to_si(frequency, "1/s", "frequency"), "frequency")
    if int(n_pulses) != n_pulses or n_pulses < 1:
        raise ValueError(f"n_pulses must be a positive integer, got n_pulses={n_pulses}")
    if width >= 1.0 / frequency:
        raise ValueError(
            f"width < 1/frequency must hold, got width={width}, 1/frequency={1.0 / frequency}"
        )
    start = require_finite(to_si(start, "s", "start"), "start")
    current = np.zeros(_n_samples(duration, dt))
    onsets = start + np.arange(int(n_pulses)) / frequency
    for onset in onsets:
        current[_index(onset, dt, "onset"):_index(onset + width, dt, "offset")] = amplitude
    stop = onsets[-1] + width
    return Stimulus(current, dt, start, stop, {"protocol": "pulse_train", "amplitude": amplitude,
                                               "frequency": frequency, "n_pulses": int(n_pulses)})


def ou_noise(mean, sigma, tau, start, stop, duration, dt=1e-4, seed=None) -> Stimulus:
    """Ornstein-Uhlenbeck current between ``start`` and ``stop`` (s); zero outside.

    ``mean`` and ``sigma`` (A) are the stationary mean and standard deviation, ``tau`` (s)
    the correlation time. The update is exact for any ``dt``, and the process starts from
    its stationary distribution. ``seed`` (int or ``numpy.random.Generator``) makes it
    reproducible.
    """
    dt = require_positive(to_si(dt, "s", "dt"), "dt")
    mean = require_finite(to_si(mean, "A", "mean"), "mean")
    sigma = require_finite(to_si(sigma, "A", "sigma"), "sigma")
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got sigma={sigma}")
    tau = require_positive(to_si(tau, "s", "tau"), "tau")
    rng = np.random.default_rng(seed)
    current = np.zeros(_n_samples(duration, dt))
    i0, i1 = _index(start, dt, "start"), _index(stop, dt, "stop")
    decay = np.exp(-dt / tau)
    kicks = rng.standard_normal(max(i1 - i0, 0)) * sigma * np.sqrt(1 - decay**2)
    x = rng.standard_normal() * sigma
    for i, kick in enumerate(kicks):
        current[i0 + i] = mean + x
        x = x * decay + kick
    return Stimulus(current, dt, start, stop, {"protocol": "ou_noise", "mean": mean,
                                               "sigma": sigma, "tau": tau,
                                               "seed": seed if isinstance(seed, int) else None})


def from_array(current, dt, start=None, stop=None, **metadata) -> Stimulus:
    """A stimulus from an array of current samples (A) at interval ``dt`` (s)."""
    return Stimulus(current, dt, start, stop, {"protocol": "array", **metadata})
