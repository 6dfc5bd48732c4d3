"""Leaky integrate-and-fire neuron.

    C dV/dt = -g_L (V - E_L) + I
    V > V_th:  V <- V_reset,  V held at V_reset for t_ref

Integrated exactly over each step (the current is constant within a step), as Brian 2's
``exact`` method, and the spike at the exact crossing of V_th within its step (closed form);
V is reset there and held for t_ref exactly, also where it ends within a step
(``reset_kernels``).
The model starts at V = E_L.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .base import Model
from .brian2_equations import HOLD_FOR_T_REF, Brian2Equations
from .kernel_tools import NO_EVENT, NOT_FINITE, SPIKE, hold_after_spike
from .parameters import Parameter, less, non_negative, positive
from .reset_kernels import (ERROR_MODEL, FASTMATH, by_batch_size, constant_rows, integrate_block, n_blocks,
                            parameter_rows)

PARAMETERS = (
    Parameter("C", "F", 200e-12, 20e-12, 1000e-12, True, "membrane capacitance"),
    Parameter("g_L", "S", 10e-9, 1e-9, 100e-9, True, "leak conductance"),
    Parameter("E_L", "V", -70e-3, -90e-3, -50e-3, False, "leak reversal (resting potential)"),
    Parameter("V_th", "V", -50e-3, -65e-3, -30e-3, False, "spike threshold"),
    Parameter("V_reset", "V", -60e-3, -80e-3, -40e-3, False, "reset potential"),
    Parameter("t_ref", "s", 2e-3, 0.0, 10e-3, False, "refractory period (V held at V_reset)"),
)


ROW = parameter_rows(PARAMETERS)


K = constant_rows("decay inv_gL E_L V_th V_reset tau t_ref release_decay")
"""Rows of the kernel's constants; ``release_decay`` is written by ``_fire``: the decay of
V - V_inf over the free part of the step in which the refractory period ends."""


@njit(inline="always")
def _coefficients(P, lo, hi, dt):
    """Per-set constants of sets ``lo`` to ``hi - 1`` (see ``reset_kernels``)."""
    C = np.empty((len(K), hi - lo))
    tau = P[ROW.C, lo:hi] / P[ROW.g_L, lo:hi]
    decay = np.exp(-dt / tau)  # of V - V_inf over a step (a vector exp, as the kernel always had)
    for j in range(hi - lo):  # element by element: see kernel_tools.copy_into
        i = lo + j
        C[K.tau, j] = tau[j]
        C[K.decay, j] = decay[j]
        C[K.inv_gL, j] = 1.0 / P[ROW.g_L, i]
        C[K.E_L, j] = P[ROW.E_L, i]
        C[K.V_th, j] = P[ROW.V_th, i]
        C[K.V_reset, j] = P[ROW.V_reset, i]
        C[K.t_ref, j] = P[ROW.t_ref, i]
        C[K.release_decay, j] = 1.0
    return C, C[K.V_th]


@njit(inline="always")
def _step(C, x, ref, flag, I):
    """One exact step of every set of the block: v held while refractory, free after the
    period where it ends within the step; a set that crossed V_th keeps its start state for
    ``_fire``. Flags each set's event and returns the sum of the flags."""
    decay, inv_gL, E_L, V_th, release_decay = C[K.decay], C[K.inv_gL], C[K.E_L], C[K.V_th], C[K.release_decay]
    v = x[0]
    n_events = 0
    for j in range(flag.size):
        vj = v[j]
        v_inf = E_L[j] + I * inv_gL[j]
        held = ref[j]
        frozen = held >= 1.0
        releasing = (held > 0.0) & ~frozen
        v_new = vj if frozen else v_inf + (vj - v_inf) * (release_decay[j] if releasing else decay[j])
        finite = abs(v_new) < np.inf
        fired = finite & (v_new > V_th[j])
        v[j] = vj if fired else v_new
        ref[j] = held if fired else max(held - 1.0, 0.0)  # _fire reads where v was held
        event = SPIKE if fired else NO_EVENT
        flag[j] = event if finite else NOT_FINITE
        n_events += flag[j]
    return n_events


@njit(inline="always")
def _fire(C, x, ref, j, I, dt):
    """Spike of set ``j`` at its exact crossing: how long (s) before the step's end; resets
    there, holds v for t_ref and integrates the rest of the step (see ``reset_kernels``)."""
    tau, V_th = C[K.tau, j], C[K.V_th, j]
    v_inf = C[K.E_L, j] + I * C[K.inv_gL, j]
    # v free from ref[j] steps into the step (a period ending there); V - V_inf decays from
    # v0 - V_inf to V_th - V_inf, both negative, as v crossed V_th
    v0 = x[0, j]
    offset = ref[j] * dt + (tau * math.log((v0 - v_inf) / (V_th - v_inf)) if v0 < V_th else 0.0)
    rest = dt - min(max(offset, 0.0), dt)
    hold, left = hold_after_spike(C[K.t_ref, j], rest, dt)
    ref[j] = left
    # the period ends within a later step (left > 0): v free over the rest of that step
    C[K.release_decay, j] = math.exp(-(1.0 - (left - math.floor(left))) * dt / tau)
    x[0, j] = v_inf + (C[K.V_reset, j] - v_inf) * math.exp(-(rest - hold) / tau)
    return rest


@njit(inline="always")
def _release(C, x, ref, j, I, dt):
    """Never called: ``_step`` ends the refractory periods itself."""


@njit(cache=True, fastmath=FASTMATH, error_model=ERROR_MODEL)
def lif_block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged, blk):
    """Integrate block ``blk`` of the sets; called alone, the kernel without a thread pool."""
    integrate_block(_coefficients, _step, _fire, _release, P, current, dt, substeps, record_v,
                    state0, v_out,
                    spikes, counts, diverged, blk)


@njit(parallel=True, cache=True, fastmath=FASTMATH, error_model=ERROR_MODEL)
def lif_kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
    for blk in prange(n_blocks(P.shape[1])):
        # prange counts in uint64: as int64, the block compiles once for both paths
        lif_block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged,
                  np.int64(blk))


class LIF(Model):
    """Leaky integrate-and-fire neuron with an absolute refractory period."""

    name = "lif"
    parameters = PARAMETERS
    rules = (*positive("C", "g_L"), *non_negative("t_ref"), less("V_reset", "V_th"))
    presets = {}
    state_names = ("v",)
    spike_drawing = "reset"
    reset_parameter = "V_reset"
    _kernel = staticmethod(by_batch_size(lif_kernel, lif_block))

    # The same model for the Brian 2 backend (brian2_backend.py).
    brian2 = Brian2Equations(
        equations="dv/dt = (g_L*(E_L - v) + I)/C : volt (unless refractory)",
        threshold="v > V_th",
        reset="v = V_reset",
        refractory=HOLD_FOR_T_REF,  # v held round(t_ref/dt) steps after the spike step
        method="exact",
        spike_peak="V_th",
    )

    def _initial_state(self, matrix):
        return matrix[ROW.E_L][:, None].copy()


    def rate(self, params, current) -> np.ndarray:
        """Closed-form firing rate (Hz) under constant ``current`` (A), for continuous time.

        rate = 1 / (t_ref + tau ln((V_inf - V_reset) / (V_inf - V_th))), V_inf = E_L + I/g_L,
        and 0 when V_inf <= V_th.
        """
        p = self.table(params).iloc[0]
        current = np.asarray(current, dtype=float)
        tau = p.C / p.g_L
        v_inf = p.E_L + current / p.g_L
        with np.errstate(divide="ignore", invalid="ignore"):
            period = p.t_ref + tau * np.log((v_inf - p.V_reset) / (v_inf - p.V_th))
            return np.where(v_inf > p.V_th, 1.0 / period, 0.0)
