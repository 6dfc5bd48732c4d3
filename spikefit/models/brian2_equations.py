"""How a model states its equations for Brian 2: one frozen record, read by the backend.

Plain strings only: this module imports nothing of Brian 2, so a model can carry its Brian 2
form without loading Brian 2; ``brian2_backend`` builds the ``NeuronGroup`` from it.
"""
from __future__ import annotations

from dataclasses import dataclass

HOLD_FOR_T_REF = "timestep(t - lastspike, dt) <= floor(t_ref / dt + 0.5)"
"""Refractory condition that holds ``v`` for ``round(t_ref / dt)`` steps after the spike step.

The numba kernels freeze ``v`` for ``n_ref = round(t_ref / dt)`` steps after the step in
which the spike happened. Brian's ``refractory=t_ref`` leaves refractoriness once
``timestep(t - lastspike) >= timestep(t_ref)``; since ``lastspike`` is the *start* of the
spike step, that freezes ``v`` for only ``n_ref - 1`` steps, and every later spike would come
one step early. Brian takes a boolean condition instead ("refractory while true"), which
gives the kernels' count; ``floor(x + 0.5)`` is ``round`` up to exact ties.
"""


@dataclass(frozen=True)
class Brian2Equations:
    """A model in Brian 2's terms, SI units, membrane variable ``v``.

    Attributes
    ----------
    equations : str
        Brian equations. The input ``I : amp`` and every parameter of the model are declared
        by the backend as per-neuron variables, under their spikefit names and with the
        units of their specs (an equation may still declare one itself).
    threshold : str
        Spike condition, as ``NeuronGroup(threshold=...)``.
    reset : str or None
        Reset statements; None or "" for none.
    refractory : str or False
        Refractory condition ("refractory while true", e.g. ``HOLD_FOR_T_REF``), or False.
    method : str
        Brian's integration method ("exact", "euler", "rk4", ...).
    spike_peak : str or None
        Name of the parameter at which a reset model draws its spikes in the recorded trace
        (as the numba kernels, see ``kernel_tools.DRAWN_SPIKE_PEAK``); None draws nothing.
    """

    equations: str
    threshold: str
    reset: str | None
    refractory: str | bool
    method: str
    spike_peak: str | None = None

    def __post_init__(self):
        for name in ("equations", "threshold", "method"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"Brian2Equations {name} must be a non-empty string, got {value!r}")
        if self.refractory is True or not isinstance(self.refractory, (str, bool)):
            raise ValueError(f"Brian2Equations refractory must be a condition (str) or False, "
                             f"got {self.refractory!r}")
        for name in ("reset", "spike_peak"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"Brian2Equations {name} must be a string or None, got {value!r}")
