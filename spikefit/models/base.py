"""The model contract: every model simulates one or many parameter sets the same way."""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..data import Recording, Stimulus, Trace
from ..data.units import require_positive, to_si
from .brian2_equations import Brian2Equations
from .parameters import Parameter, Rule, build_table, unknown_name_error

BACKENDS = ("numba", "brian2")

SPIKE_DRAWINGS = ("reset", "shape")
"""How a model's trace shows a spike: ``"reset"`` draws it as one sample at
``kernel_tools.DRAWN_SPIKE_PEAK`` followed by the reset (LIF, Izhikevich, AdEx), ``"shape"`` is
the model's own action potential (Hodgkin-Huxley)."""

# First capacity of the spike buffer per parameter set and stimulus, per second of stimulus
# (at least one second's worth); sets that fire more are rerun with a buffer that fits, so no
# spike is ever dropped. Proportional to the duration, as a fixed 64 reran every set of a fit to
# 10 s of noise at 16 Hz: the simulation twice (benchmarks/RESULTS.md, "Noise fits in seconds").
_SPIKE_CAPACITY_RATE = 64


class SimulationDiverged(RuntimeError):
    """A simulation ran away (NaN or infinite state); ``trace`` holds what came before."""

    def __init__(self, message: str, trace: Trace | None = None):
        super().__init__(message)
        self.trace = trace


@dataclass(frozen=True, eq=False)
class BatchResult:
    """What ``simulate_batch`` returns: many parameter sets by many stimuli.

    Attributes
    ----------
    params : pandas.DataFrame
        The parameter sets simulated, one row each, all parameters, SI.
    stimuli : tuple of Stimulus
    spike_counts : int array (n_sets, n_stimuli)
    spike_times : tuple of float arrays, one per stimulus, shape (n_sets, max count)
        Spike times in s, padded with NaN after each set's last spike.
    diverged : bool array (n_sets, n_stimuli)
        True where the state stopped being finite; spikes before that are kept.
    v : tuple of float arrays (n_sets, n_samples), one per stimulus, or None
        Membrane potential (V) at the stimulus's sampling, when asked for.
    spike_drawing, reset_parameter : str, str or None
        The model's ``Model.spike_drawing`` and ``Model.reset_parameter``: what features need
        to know about how its traces show a spike.
    """

    model: str
    params: pd.DataFrame
    stimuli: tuple[Stimulus, ...]
    spike_counts: np.ndarray
    spike_times: tuple[np.ndarray, ...]
    diverged: np.ndarray
    v: tuple[np.ndarray, ...] | None = None
    spike_drawing: str = field(kw_only=True)
    reset_parameter: str | None = field(kw_only=True)

    def __post_init__(self):
        if self.spike_drawing not in SPIKE_DRAWINGS:
            raise ValueError(f"spike_drawing must be one of {', '.join(SPIKE_DRAWINGS)}, "
                             f"got spike_drawing={self.spike_drawing!r}")
        if (self.spike_drawing == "reset") != (self.reset_parameter is not None):
            raise ValueError(f"a reset model, and only one, names its reset_parameter, got "
                             f"spike_drawing={self.spike_drawing!r}, reset_parameter={self.reset_parameter!r}")

    @property
    def n_sets(self) -> int:
        return len(self.params)

    def spikes(self, set_index: int, stimulus_index: int = 0) -> np.ndarray:
        """Spike times (s) of one parameter set under one stimulus."""
        n = self.spike_counts[set_index, stimulus_index]
        return self.spike_times[stimulus_index][set_index, :n].copy()

    def trace(self, set_index: int, stimulus_index: int = 0) -> Trace:
        """One simulated trace; needs ``record_v=True``."""
        if self.v is None:
            raise ValueError("this batch was simulated without voltages: pass record_v=True")
        return Trace(
            self.v[stimulus_index][set_index],
            self.stimuli[stimulus_index],
            self.spikes(set_index, stimulus_index),
            {"model": self.model, "params": self.params.iloc[set_index].to_dict(),
             "diverged": bool(self.diverged[set_index, stimulus_index]),
             "sweep": stimulus_index, "spike_drawing": self.spike_drawing,
             "reset_parameter": self.reset_parameter},
        )


class Model(ABC):
    """Base of all single-neuron models: parameters, validation and the batch driver.

    Subclasses give ``name``, ``parameters``, ``rules``, ``presets`` and the numba kernel
    (``_kernel`` and ``_initial_state``); the Brian 2 backend reads their ``brian2``
    (a ``Brian2Equations``).
    """

    name: str = ""
    parameters: tuple[Parameter, ...] = ()
    rules: tuple[Rule, ...] = ()
    search_rules: tuple[Rule, ...] = ()
    """Conditions a fit's parameter sets keep to beyond ``rules``: a set breaking one simulates,
    but no recorded cell behaves like it (``fitting.space.feasible``)."""
    presets: Mapping[str, Mapping[str, float]] = {}
    max_dt: float | None = None
    """Largest integration step (s) the default integrator is accurate at; None: any."""
    state_names: tuple[str, ...] = ("v",)
    """State variables, in the column order of ``_initial_state`` (Brian 2 uses these names)."""
    spike_drawing: str = ""
    """How the model's traces show a spike, one of ``SPIKE_DRAWINGS``; every model sets it."""
    reset_parameter: str | None = None
    """The parameter (V) a reset model resets its voltage to; None for ``"shape"``."""
    brian2: Brian2Equations | None = None
    """The same model for ``backend="brian2"``; None: the model has no Brian 2 form."""

    def __init__(self, backend: str = "numba"):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if backend == "brian2" and self.brian2 is None:
            raise ValueError(f"backend='brian2' needs the model's Brian 2 equations, and model "
                             f"{self.name!r} has none (its brian2 attribute is None)")
        self.backend = backend

    def __repr__(self) -> str:
        return f"{type(self).__name__}(backend={self.backend!r})"

    # --- parameters -------------------------------------------------------------------
    def defaults(self) -> dict[str, float]:
        """Default value of every parameter (SI)."""
        return {p.name: p.default for p in self.parameters}

    def parameter(self, name: str) -> Parameter:
        """The spec of one parameter."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise unknown_name_error("parameter", name, [p.name for p in self.parameters], self.name)

    def preset(self, name: str) -> dict[str, float]:
        """A published parameter set by name, complete (defaults fill what it leaves out)."""
        if name not in self.presets:
            raise unknown_name_error("preset", name, list(self.presets), self.name)
        return {**self.defaults(), **self.presets[name]}

    def table(self, params=None) -> pd.DataFrame:
        """Parameter sets completed with defaults and checked against the model's rules."""
        return build_table(self.parameters, self.rules, params, f"model {self.name!r}")

    # --- simulation -------------------------------------------------------------------
    def simulate(self, params=None, stimulus=None, dt=None):
        """Simulate one parameter set.

        Parameters
        ----------
        params : mapping or None
            Parameter values (SI or brian2 Quantities); missing ones take their defaults.
        stimulus : Stimulus or sequence of Stimulus
        dt : float, optional
            Integration step (s); must divide the stimulus's sampling interval. By default
            the sampling interval itself, or the largest divisor of it within ``max_dt``.

        Returns
        -------
        Trace for one stimulus, Recording for a sequence; sampled like the stimulus.

        Raises
        ------
        SimulationDiverged
            If the state stopped being finite.
        """
        if isinstance(params, pd.DataFrame) and len(params) != 1:
            raise ValueError(f"simulate takes one parameter set, got {len(params)}: use simulate_batch")
        single = isinstance(stimulus, Stimulus)
        stimuli = [stimulus] if single else stimulus
        result = self.simulate_batch(params, stimuli, record_v=True, dt=dt)
        traces = [result.trace(0, j) for j in range(len(result.stimuli))]
        for j, trace in enumerate(traces):
            if result.diverged[0, j]:
                raise SimulationDiverged(
                    f"model {self.name!r} diverged (state no longer finite) under stimulus {j}; "
                    f"parameters {result.params.iloc[0].to_dict()}", trace)
        if single:
            return traces[0]
        return Recording(tuple(traces), {"model": self.name, "params": result.params.iloc[0].to_dict()})

    def simulate_batch(self, table, stimuli, record_v: bool = False, dt=None, *, check: bool = True) -> BatchResult:
        """Simulate many parameter sets under many stimuli in one compiled call each.

        Parameters
        ----------
        table : DataFrame, mapping of name to array, list of mappings, mapping or None
            The parameter sets; missing parameters take their defaults.
        stimuli : Stimulus or sequence of Stimulus
        record_v : bool
            Also return the membrane potential of every set at the stimuli's sampling.
        dt : float, optional
            Integration step (s), as in ``simulate``.
        check : bool
            Complete, convert and check the table against the model's rules (``table``).
            False takes a mapping of every parameter to SI floats as it is: for a caller
            that has checked its sets already (a fit checks its search space once and drops
            proposals that break a rule before it simulates them).
        """
        stimuli = _as_stimuli(stimuli)
        params = self.table(table) if check else pd.DataFrame(
            {p.name: np.asarray(table[p.name], dtype=float) for p in self.parameters})
        steps = [self._integration_step(s, dt) for s in stimuli]
        if self.backend == "brian2":
            from . import brian2_backend

            runs = [brian2_backend.run(self, params, s, dt_int, record_v) for s, dt_int in zip(stimuli, steps)]
        else:
            matrix = np.ascontiguousarray(params.to_numpy().T)
            runs = [self._run_numba(matrix, s, dt_int, record_v) for s, dt_int in zip(stimuli, steps)]
        spike_times, counts, diverged, voltages = zip(*runs)
        return BatchResult(
            model=self.name, params=params, stimuli=tuple(stimuli),
            spike_counts=np.stack(counts, axis=1), spike_times=tuple(spike_times),
            diverged=np.stack(diverged, axis=1), v=tuple(voltages) if record_v else None,
            spike_drawing=self.spike_drawing, reset_parameter=self.reset_parameter,
        )

    def _integration_step(self, stimulus: Stimulus, dt) -> float:
        if dt is None:
            if self.max_dt is None or stimulus.dt <= self.max_dt * (1 + 1e-9):
                return stimulus.dt
            return stimulus.dt / math.ceil(stimulus.dt / self.max_dt - 1e-9)
        dt = require_positive(to_si(dt, "s", "dt"), "dt")
        ratio = stimulus.dt / dt
        if ratio < 1 - 1e-9 or abs(ratio - round(ratio)) > 1e-6:
            raise ValueError(
                f"dt must divide the stimulus's sampling interval {stimulus.dt} s a whole number "
                f"of times, got dt={dt} (ratio {ratio:.6g})"
            )
        return stimulus.dt / round(ratio)

    def _run_numba(self, matrix: np.ndarray, stimulus: Stimulus, dt: float, record_v: bool):
        """Run the kernel; rerun the sets whose spikes overflowed the buffer."""
        n_sets = matrix.shape[1]
        substeps = int(round(stimulus.dt / dt))
        state0 = self._initial_state(matrix)
        counts = np.zeros(n_sets, np.int64)
        diverged = np.zeros(n_sets, np.bool_)
        spikes = np.full((n_sets, _SPIKE_CAPACITY_RATE * max(math.ceil(stimulus.duration - 1e-9), 1)), np.nan)
        v = np.empty((n_sets, stimulus.n_samples) if record_v else (0, 0))
        matrix, current = _read_only(matrix), _read_only(stimulus.current)
        self._kernel(matrix, current, dt, substeps, record_v, state0, v, spikes, counts, diverged)
        over = np.flatnonzero(counts > spikes.shape[1])
        if over.size:
            sub = _read_only(matrix[:, over])
            cap = int(counts[over].max())
            sub_spikes = np.full((over.size, cap), np.nan)
            sub_counts = np.zeros(over.size, np.int64)
            self._kernel(sub, current, dt, substeps, False, state0[over], np.empty((0, 0)),
                         sub_spikes, sub_counts, np.zeros(over.size, np.bool_))
            spikes = np.pad(spikes, ((0, 0), (0, cap - spikes.shape[1])), constant_values=np.nan)
            spikes[over] = sub_spikes
        width = int(counts.max()) if n_sets else 0
        return spikes[:, :width], counts, diverged, v

    def brian2_initial(self, params: pd.DataFrame) -> dict[str, np.ndarray]:
        """Initial state (SI) of every parameter set by state name: the kernels' own start."""
        state = self._initial_state(np.ascontiguousarray(params.to_numpy(float).T))
        return {name: state[:, i] for i, name in enumerate(self.state_names)}

    @abstractmethod
    def _initial_state(self, matrix: np.ndarray) -> np.ndarray:
        """Resting state of every set, shape (n_sets, n_state), from the (n_params, n_sets) matrix."""

    @staticmethod
    @abstractmethod
    def _kernel(matrix, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
        """The numba batch kernel."""


def _read_only(array: np.ndarray) -> np.ndarray:
    """A C-contiguous float64 read-only view (a copy only where needed) of a kernel's input.

    numba compiles a kernel once for each flavour of its arguments, and read-only is one: a
    parameter matrix that was a view of a frame's frozen block in one call and a fresh array
    in the next compiled every kernel twice from a cold cache (LIF 4.3 s, Izhikevich 7.0 s,
    AdEx 8.5 s more, measured). One flavour, one compile.
    """
    view = np.ascontiguousarray(array, dtype=np.float64).view()
    view.flags.writeable = False
    return view


def _as_stimuli(stimuli) -> list[Stimulus]:
    if isinstance(stimuli, Stimulus):
        return [stimuli]
    if isinstance(stimuli, Recording):
        return stimuli.stimuli
    stimuli = list(stimuli) if isinstance(stimuli, Sequence) else None
    if not stimuli or not all(isinstance(s, Stimulus) for s in stimuli):
        raise TypeError("stimuli must be a Stimulus, a Recording or a non-empty sequence of Stimulus")
    return stimuli
