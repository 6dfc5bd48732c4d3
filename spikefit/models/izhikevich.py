"""Izhikevich simple model in its dimensional form (Izhikevich 2007, chapter 8).

    C dv/dt = k (v - v_r)(v - v_t) - u + I
    du/dt = a (b (v - v_r) - u)
    v >= v_peak:  v <- c,  u <- u + d

Forward Euler with both variables updated from the old state, as Brian 2's ``euler``;
the model starts at v = v_r, u = 0. Defaults: the book's regular-spiking cell.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .base import Model
from .kernel_tools import BLOCK, NO_EVENT, NOT_FINITE, SPIKE, handle_events, record_sample
from .parameters import Parameter, less, less_equal, positive

PARAMETERS = (
    Parameter("C", "F", 100e-12, 10e-12, 1000e-12, True, "membrane capacitance"),
    Parameter("k", "S/V", 0.7e-6, 0.05e-6, 10e-6, True, "gain of the quadratic term (nS/mV = 1e-6 S/V)"),
    Parameter("v_r", "V", -60e-3, -90e-3, -50e-3, False, "resting potential"),
    Parameter("v_t", "V", -40e-3, -60e-3, -25e-3, False, "instantaneous threshold potential"),
    Parameter("v_peak", "V", 35e-3, 0.0, 50e-3, False, "spike cut-off (peak)"),
    Parameter("a", "1/s", 30.0, 1.0, 1000.0, True, "recovery rate of u"),
    Parameter("b", "S", -2e-9, -50e-9, 50e-9, False, "sensitivity of u to v"),
    Parameter("c", "V", -50e-3, -80e-3, -30e-3, False, "reset potential"),
    Parameter("d", "A", 100e-12, 0.0, 2000e-12, False, "spike-triggered increment of u"),
)


@njit(parallel=True, cache=True, fastmath={"contract", "arcp", "nsz"})
def izhikevich_kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
    n_sets = P.shape[1]
    for blk in prange((n_sets + BLOCK - 1) // BLOCK):
        lo = blk * BLOCK
        m = min(BLOCK, n_sets - lo)
        hi = lo + m
        dt_C = dt / P[0, lo:hi]
        k_ = P[1, lo:hi].copy()
        v_r = P[2, lo:hi].copy()
        v_t = P[3, lo:hi].copy()
        v_peak = P[4, lo:hi].copy()
        dt_a = dt * P[5, lo:hi]
        b = P[6, lo:hi].copy()
        c = P[7, lo:hi].copy()
        d = P[8, lo:hi].copy()
        v = state0[lo:hi, 0].copy()
        u = state0[lo:hi, 1].copy()
        flag = np.zeros(m, np.int64)
        pending = np.zeros(m, np.bool_)
        step = 0
        for kk in range(current.shape[0]):
            if record_v:
                record_sample(v_out, lo, m, kk, v, pending, v_peak)
            I = current[kk]
            for _ in range(substeps):
                step += 1
                n_events = 0
                for j in range(m):
                    vj = v[j]
                    uj = u[j]
                    v_new = vj + (k_[j] * (vj - v_r[j]) * (vj - v_t[j]) - uj + I) * dt_C[j]
                    u_new = uj + (b[j] * (vj - v_r[j]) - uj) * dt_a[j]
                    # a runaway state is not a spike: it must stay non-finite to be seen
                    finite = (abs(v_new) < np.inf) & (abs(u_new) < np.inf)
                    fired = finite & (v_new >= v_peak[j])
                    v[j] = c[j] if fired else v_new
                    u[j] = u_new + d[j] if fired else u_new
                    event = SPIKE if fired else NO_EVENT
                    flag[j] = event if finite else NOT_FINITE
                    n_events += flag[j]
                if n_events:
                    handle_events(flag, lo, m, step * dt, spikes, counts, diverged, pending)


class Izhikevich(Model):
    """Izhikevich simple model, dimensional 2007 form."""

    name = "izhikevich"
    parameters = PARAMETERS
    rules = (
        *positive("C", "k", "a"),
        less_equal("v_r", "v_t"),  # equal for the resonators of the 2003/2004 presets
        less("v_t", "v_peak"),
        less("c", "v_peak"),
    )
    state_names = ("v", "u")
    spike_drawing = "reset"
    reset_parameter = "c"
    _kernel = staticmethod(izhikevich_kernel)

    # The same model for the Brian 2 backend (brian2_backend.py).
    brian2_equations = """
        dv/dt = (k*(v - v_r)*(v - v_t) - u + I)/C : volt
        du/dt = a*(b*(v - v_r) - u) : amp
    """
    brian2_threshold = "v >= v_peak"
    brian2_reset = "v = c; u += d"
    brian2_refractory = False
    brian2_method = "euler"
    brian2_spike_peak = "v_peak"

    @property
    def presets(self):
        from .presets import IZHIKEVICH_PRESETS

        return IZHIKEVICH_PRESETS

    def _initial_state(self, matrix):
        return np.stack([matrix[2], np.zeros(matrix.shape[1])], axis=1)

