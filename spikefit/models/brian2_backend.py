"""Brian 2 backend: the models' equations run by Brian 2, the reference at a fine step.

A model gives its equations as ``model.brian2``, a ``Brian2Equations``
(brian2_equations.py), and its initial state through ``model.brian2_initial(params)`` (the
initial value, SI, of each state variable, one per parameter set); this module builds one
``NeuronGroup`` of one neuron per parameter set from them. Brian integrates with the method
of the kernels' full steps (LIF exact, Izhikevich and AdEx heun) but cannot interpolate a
threshold crossing within a step, so at the same dt its spikes fall at step ends and differ
from the kernels' by up to about 1 ms over 1 s; at 1 us it is the model the kernels are
tested against (tests/models/test_brian2_backend.py, test_reset_kernels_accuracy.py).

Conventions:

- The current of stimulus sample ``k`` is written into ``I`` at the start of the step that
  begins at ``k * stimulus.dt`` and held over all integration substeps of that sample.
- Brian stamps a spike with the start of the step in which the threshold was crossed; spike
  times here are Brian's plus one integration step (the first time the state was seen above
  threshold), rebuilt from the step index as ``step * dt``.
- ``v`` is recorded at ``k * stimulus.dt`` before sample ``k`` is integrated.
- A set is diverged once a state variable is not finite after a step; the spikes before
  that are kept, none after, as in the kernels.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.units import BRIAN2_UNITS
from .kernel_tools import DRAWN_SPIKE_PEAK

CODEGEN_TARGETS = ("numpy", "cython")

_DIVERGED = "diverged"  # boolean variable added to every group; set once a state is not finite


def run(model, params: pd.DataFrame, stimulus, dt: float, record_v: bool,
        codegen_target: str = "numpy"):
    """Simulate every parameter set of ``params`` under one stimulus in Brian 2.

    Parameters
    ----------
    model : Model
        A model with ``brian2`` (a ``Brian2Equations``) and ``brian2_initial``.
    params : pandas.DataFrame
        One row per parameter set, every parameter of the model, SI units.
    stimulus : Stimulus
    dt : float
        Integration step (s); divides ``stimulus.dt`` a whole number of times.
    record_v : bool
        Also return the membrane potential (V) at the stimulus's sampling.
    codegen_target : {"numpy", "cython"}
        Brian's code-generation target: "numpy" needs no compiler, "cython" runs faster
        once compiled.

    Returns
    -------
    spike_times : float array (n_sets, max count)
        Spike times (s), NaN after each set's last spike.
    counts : int64 array (n_sets,)
    diverged : bool array (n_sets,)
    v : float array (n_sets, n_samples), or an empty (0, 0) array without ``record_v``
    """
    import brian2 as b2

    substeps = int(round(stimulus.dt / dt))
    codeobj_class = _code_object_class(codegen_target)
    group = _neuron_group(b2, model, params, dt, codeobj_class)
    _drive(b2, group, stimulus)
    spikes = b2.SpikeMonitor(group, record=True, codeobj_class=codeobj_class)
    objects = [group, spikes]
    if record_v:
        voltage = b2.StateMonitor(group, "v", record=True, dt=stimulus.dt * b2.second,
                                  when="start", codeobj_class=codeobj_class)
        objects.append(voltage)
    network = b2.Network(*objects)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        network.run(stimulus.n_samples * stimulus.dt * b2.second, namespace={})
    steps = np.rint(np.asarray(spikes.t_) / dt).astype(np.int64) + 1  # end of the spike step
    indices = np.asarray(spikes.i_, dtype=np.int64)
    diverged = np.asarray(group.variables[_DIVERGED].get_value(), dtype=bool).copy()
    spike_times, counts = _spike_table(indices, steps * dt, len(params))
    if not record_v:
        return spike_times, counts, diverged, np.empty((0, 0))
    v = np.array(voltage.v_, dtype=float)
    _draw_spikes(v, model, params, indices, steps, substeps)
    return spike_times, counts, diverged, v


def _code_object_class(target: str):
    """Brian's code-object class for a target, chosen per object so no global pref changes."""
    if target == "numpy":
        from brian2.codegen.runtime.numpy_rt import NumpyCodeObject

        return NumpyCodeObject
    if target == "cython":
        from brian2.codegen.runtime.cython_rt import CythonCodeObject

        return CythonCodeObject
    raise ValueError(f"codegen_target must be one of {', '.join(CODEGEN_TARGETS)}, got {target!r}")


def _equations(b2, model):
    """The model's equations plus declarations of ``I`` and of every parameter they lack."""
    equations = b2.Equations(model.brian2.equations)
    declared = set(equations.names)
    lines = [] if "I" in declared else ["I : amp"]
    lines += [f"{p.name} : {BRIAN2_UNITS[p.unit]}" for p in model.parameters if p.name not in declared]
    return equations + b2.Equations("\n".join(lines)) if lines else equations


def _neuron_group(b2, model, params: pd.DataFrame, dt: float, codeobj_class):
    """One neuron per parameter set, parameters and initial state set, divergence watched."""
    equations = _equations(b2, model)
    states = list(equations.diff_eq_names)
    group = b2.NeuronGroup(
        len(params), equations + b2.Equations(f"{_DIVERGED} : boolean"),
        # a diverged set fires no more: the kernels record no spike after divergence
        threshold=f"({model.brian2.threshold}) and not {_DIVERGED}",
        reset=model.brian2.reset, refractory=model.brian2.refractory,
        method=model.brian2.method, dt=dt * b2.second, namespace={},
        codeobj_class=codeobj_class, name=f"spikefit_{model.name}*",
    )
    _set_values(group, {name: params[name].to_numpy(float) for name in params.columns}, model.name)
    _set_values(group, model.brian2_initial(params), model.name)
    for s in states:  # infinity in each state's unit, for Brian's unit check
        group.namespace[f"infinite_{s}"] = b2.Quantity(np.inf, dim=equations[s].dim)
    finite = " and ".join(f"abs({s}) < infinite_{s}" for s in states)
    # after the state update and before the threshold, which would reset an infinite v
    group.run_regularly(f"{_DIVERGED} = {_DIVERGED} or not ({finite})", when="thresholds", order=-1)
    return group


def _drive(b2, group, stimulus) -> None:
    """Write stimulus sample k into ``I`` at ``k * stimulus.dt``, held over its substeps."""
    group.namespace["stimulus_current"] = b2.TimedArray(stimulus.current * b2.amp,
                                                        dt=stimulus.dt * b2.second)
    # when="start": I changes before the step is integrated and is a plain variable, not a
    # function of t, so the equations stay autonomous (Brian's "exact" method needs that).
    group.run_regularly("I = stimulus_current(t)", dt=stimulus.dt * b2.second, when="start")


def _set_values(group, values: dict, model_name: str) -> None:
    """Write SI arrays into the group's variables by name."""
    for name, value in values.items():
        if name not in group.variables:
            raise ValueError(
                f"the Brian 2 equations of model {model_name!r} must declare {name!r}, "
                f"got variables {', '.join(sorted(k for k in group.variables if not k.startswith('_')))}"
            )
        group.variables[name].set_value(np.asarray(value, dtype=float))


def _spike_table(indices: np.ndarray, times: np.ndarray, n_sets: int):
    """Spike times per set, NaN-padded to the largest count, and the counts."""
    counts = np.bincount(indices, minlength=n_sets).astype(np.int64)
    table = np.full((n_sets, int(counts.max()) if n_sets else 0), np.nan)
    order = np.argsort(indices, kind="stable")  # the monitor records in time order
    first = np.cumsum(counts) - counts
    column = np.arange(indices.size) - np.repeat(first, counts)
    table[indices[order], column] = times[order]
    return table, counts


def _draw_spikes(v: np.ndarray, model, params: pd.DataFrame, indices, steps, substeps: int) -> None:
    """Draw each spike at the first sample after its step, as the kernels' ``record_sample``."""
    peak_name = model.brian2.spike_peak
    if peak_name is None or indices.size == 0:
        return
    sample = -(-steps // substeps)  # the sample whose recording follows the spike step
    inside = sample < v.shape[1]
    peak = np.maximum(params[peak_name].to_numpy(float), DRAWN_SPIKE_PEAK)
    v[indices[inside], sample[inside]] = peak[indices[inside]]
