"""Leaky integrate-and-fire neuron.

    C dV/dt = -g_L (V - E_L) + I
    V > V_th:  V <- V_reset,  V held at V_reset for t_ref

Integrated exactly over each step (the current is constant within a step), as Brian 2's
``exact`` method; the model starts at V = E_L.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .base import Model
from .brian2_backend import HOLD_FOR_T_REF
from .kernel_tools import (BLOCK, NO_EVENT, NOT_FINITE, SPIKE, handle_events, record_sample,
                           refractory_steps)
from .parameters import Parameter, less, non_negative, positive

PARAMETERS = (
    Parameter("C", "F", 200e-12, 20e-12, 1000e-12, True, "membrane capacitance"),
    Parameter("g_L", "S", 10e-9, 1e-9, 100e-9, True, "leak conductance"),
    Parameter("E_L", "V", -70e-3, -90e-3, -50e-3, False, "leak reversal (resting potential)"),
    Parameter("V_th", "V", -50e-3, -65e-3, -30e-3, False, "spike threshold"),
    Parameter("V_reset", "V", -60e-3, -80e-3, -40e-3, False, "reset potential"),
    Parameter("t_ref", "s", 2e-3, 0.0, 10e-3, False, "refractory period (V held at V_reset)"),
)


@njit(parallel=True, cache=True, fastmath={"contract", "arcp", "nsz"})
def lif_kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
    n_sets = P.shape[1]
    for blk in prange((n_sets + BLOCK - 1) // BLOCK):
        lo = blk * BLOCK
        m = min(BLOCK, n_sets - lo)
        hi = lo + m
        decay = np.exp(-dt * P[1, lo:hi] / P[0, lo:hi])
        inv_gL = 1.0 / P[1, lo:hi]
        E_L = P[2, lo:hi].copy()
        V_th = P[3, lo:hi].copy()
        V_reset = P[4, lo:hi].copy()
        n_ref = refractory_steps(P[5, lo:hi], dt)
        v = state0[lo:hi, 0].copy()
        ref = np.zeros(m, np.int64)
        flag = np.zeros(m, np.int64)
        pending = np.zeros(m, np.bool_)
        step = 0
        for k in range(current.shape[0]):
            if record_v:
                record_sample(v_out, lo, m, k, v, pending, V_th)
            I = current[k]
            for _ in range(substeps):
                step += 1
                n_events = 0
                for j in range(m):
                    vj = v[j]
                    v_inf = E_L[j] + I * inv_gL[j]
                    frozen = ref[j] > 0
                    v_new = vj if frozen else v_inf + (vj - v_inf) * decay[j]
                    finite = abs(v_new) < np.inf
                    fired = finite & (v_new > V_th[j])
                    v[j] = V_reset[j] if fired else v_new
                    ref[j] = n_ref[j] if fired else max(ref[j] - 1, 0)
                    event = SPIKE if fired else NO_EVENT
                    flag[j] = event if finite else NOT_FINITE
                    n_events += flag[j]
                if n_events:
                    handle_events(flag, lo, m, step * dt, spikes, counts, diverged, pending)


class LIF(Model):
    """Leaky integrate-and-fire neuron with an absolute refractory period."""

    name = "lif"
    parameters = PARAMETERS
    rules = (*positive("C", "g_L"), *non_negative("t_ref"), less("V_reset", "V_th"))
    presets = {}
    state_names = ("v",)
    spike_drawing = "reset"
    reset_parameter = "V_reset"
    _kernel = staticmethod(lif_kernel)

    # The same model for the Brian 2 backend (brian2_backend.py).
    brian2_equations = """
        dv/dt = (g_L*(E_L - v) + I)/C : volt (unless refractory)
    """
    brian2_threshold = "v > V_th"
    brian2_reset = "v = V_reset"
    brian2_refractory = HOLD_FOR_T_REF  # v held round(t_ref/dt) steps, as the kernel
    brian2_method = "exact"
    brian2_spike_peak = "V_th"

    def _initial_state(self, matrix):
        return matrix[2][:, None].copy()


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
