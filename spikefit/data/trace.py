"""Membrane-potential traces and recordings (ordered sweeps of one cell)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping, Sequence

import numpy as np

from .nwb import write_nwb
from .stimulus import Stimulus
from .tabular import write_csv, write_npz

# The writers read a Recording's attributes and import nothing of this module: no circle.
_WRITERS = {".npz": write_npz, ".nwb": write_nwb, ".csv": write_csv}


@dataclass(frozen=True, eq=False)
class Trace:
    """Membrane potential (V) sampled on its stimulus's time base.

    Sample ``i`` of ``v`` is the potential at time ``i * stimulus.dt``.

    Parameters
    ----------
    v : array of float
        Membrane potential in V, as many samples as the stimulus.
    stimulus : Stimulus
        The injected current that produced it.
    spike_times : array of float or None
        Spike times in s, when known (always, for a simulated trace).
    metadata : mapping
        Source, sweep, cell, model, parameters, temperature, liquid-junction potential.
    """

    v: np.ndarray
    stimulus: Stimulus
    spike_times: np.ndarray | None = None
    metadata: Mapping = field(default_factory=dict)

    def __post_init__(self):
        v = np.array(self.v, dtype=float, ndmin=1)
        if v.shape != (self.stimulus.n_samples,):
            raise ValueError(
                f"v must have as many samples as its stimulus ({self.stimulus.n_samples}), "
                f"got shape {v.shape}"
            )
        v.setflags(write=False)
        object.__setattr__(self, "v", v)
        if self.spike_times is not None:
            spikes = np.array(self.spike_times, dtype=float, ndmin=1)
            if spikes.ndim != 1 or np.any(np.diff(spikes) < 0):
                raise ValueError("spike_times must be a sorted 1-D array of times in s")
            spikes.setflags(write=False)
            object.__setattr__(self, "spike_times", spikes)
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    def __reduce__(self):  # a mappingproxy does not pickle: rebuild from a dict (worker processes)
        return (type(self), (self.v, self.stimulus, self.spike_times, dict(self.metadata)))

    @property
    def dt(self) -> float:
        """Sampling interval in s."""
        return self.stimulus.dt

    @property
    def time(self) -> np.ndarray:
        """Sample times in s."""
        return self.stimulus.time

    @property
    def current(self) -> np.ndarray:
        """Injected current in A."""
        return self.stimulus.current

    @property
    def firing_rate(self) -> float:
        """Spikes per second inside the stimulus window (whole trace if it has none), in Hz."""
        if self.spike_times is None:
            raise ValueError("this trace has no spike times: detect them first")
        start = self.stimulus.start if self.stimulus.start is not None else 0.0
        stop = self.stimulus.stop if self.stimulus.stop is not None else self.stimulus.duration
        inside = (self.spike_times >= start) & (self.spike_times < stop)
        return float(inside.sum() / (stop - start))

    def window(self, start, stop) -> "Trace":
        """The trace from ``start`` to ``stop`` (s), its time 0 at ``start``.

        The stimulus is sliced with ``Stimulus.window`` (same samples, window cut and
        shifted), the spike times inside the slice are kept and shifted, and
        ``metadata["offset"]`` (s) records where the slice begins in the original sweep.
        """
        first, last = self.stimulus._slice(start, stop)
        stimulus = self.stimulus.window(start, stop)
        t0 = first * self.dt
        spikes = None
        if self.spike_times is not None:
            inside = (self.spike_times >= t0) & (self.spike_times < last * self.dt)
            spikes = self.spike_times[inside] - t0
        metadata = dict(self.metadata, offset=float(self.metadata.get("offset", 0.0)) + t0)
        return Trace(self.v[first:last], stimulus, spikes, metadata)

    def __repr__(self) -> str:
        n = "?" if self.spike_times is None else len(self.spike_times)
        return f"Trace({self.v.size} samples, dt={self.dt:g} s, {n} spikes)"


@dataclass(frozen=True, eq=False)
class Recording(Sequence):
    """Ordered sweeps (``Trace``) of one cell, with the cell's metadata."""

    sweeps: tuple[Trace, ...]
    metadata: Mapping = field(default_factory=dict)

    def __post_init__(self):
        sweeps = tuple(self.sweeps)
        for i, sweep in enumerate(sweeps):
            if not isinstance(sweep, Trace):
                raise TypeError(f"sweep {i} must be a Trace, got {type(sweep).__name__}")
        object.__setattr__(self, "sweeps", sweeps)
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    def __reduce__(self):
        return (type(self), (self.sweeps, dict(self.metadata)))

    def __len__(self) -> int:
        return len(self.sweeps)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Recording(self.sweeps[index], self.metadata)
        return self.sweeps[index]

    def __iter__(self) -> Iterator[Trace]:
        return iter(self.sweeps)

    @property
    def stimuli(self) -> list[Stimulus]:
        """The stimulus of each sweep."""
        return [sweep.stimulus for sweep in self.sweeps]

    def window(self, start, stop) -> "Recording":
        """Every sweep from ``start`` to ``stop`` (s), as ``Trace.window``; the cell's metadata kept."""
        return Recording([sweep.window(start, stop) for sweep in self.sweeps], self.metadata)

    @property
    def cell(self) -> str | None:
        """Name of the cell, as its loader found it (None when unknown)."""
        return self.metadata.get("cell")

    @property
    def sampling_rates(self) -> list[float]:
        """Sampling rate of each sweep, in Hz."""
        return [1.0 / sweep.dt for sweep in self.sweeps]

    def write(self, path):
        """Write to ``path``: .npz or .nwb read back identical with ``spikefit.load``; .csv keeps the arrays only.

        Returns the path written.
        """
        writer = _WRITERS.get(Path(path).suffix.lower())
        if writer is None:
            raise ValueError(f"path must end in .npz, .nwb or .csv, got {str(path)!r}")
        return writer(self, path)

    def __repr__(self) -> str:
        name = self.metadata.get("cell") or self.metadata.get("model") or "cell"
        return f"Recording({name!s}, {len(self)} sweeps)"
