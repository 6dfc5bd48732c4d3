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
from .brian2_equations import Brian2Equations
from .kernel_tools import NO_EVENT, NOT_FINITE, SPIKE
from .parameters import Parameter, less, less_equal, positive
from .reset_kernels import FASTMATH, by_batch_size, integrate_block, n_blocks, parameter_rows

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


ROW = parameter_rows(PARAMETERS)


@njit(inline="always")
def _coefficients(P, lo, hi, dt):
    """Per-set constants of sets ``lo`` to ``hi - 1`` (see ``reset_kernels``); no refractory."""
    constants = (
        dt / P[ROW.C, lo:hi],
        P[ROW.k, lo:hi].copy(),
        P[ROW.v_r, lo:hi].copy(),
        P[ROW.v_t, lo:hi].copy(),
        P[ROW.v_peak, lo:hi].copy(),
        dt * P[ROW.a, lo:hi],
        P[ROW.b, lo:hi].copy(),
        P[ROW.c, lo:hi].copy(),
        P[ROW.d, lo:hi].copy(),
    )
    return constants, constants[4], np.zeros(hi - lo, np.int64)


@njit(inline="always")
def _step(constants, x, ref, n_ref, flag, I):
    """One forward-Euler step of every set of the block, both variables from the old state;
    flags each set's event and returns how many sets had one."""
    dt_C, k_, v_r, v_t, v_peak, dt_a, b, c, d = constants
    v = x[0]
    u = x[1]
    n_events = 0
    for j in range(flag.size):
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
    return n_events


@njit(cache=True, fastmath=FASTMATH)
def izhikevich_block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged, blk):
    """Integrate block ``blk`` of the sets; called alone, the kernel without a thread pool."""
    integrate_block(_coefficients, _step, P, current, dt, substeps, record_v, state0, v_out,
                    spikes, counts, diverged, blk)


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def izhikevich_kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
    for blk in prange(n_blocks(P.shape[1])):
        # prange counts in uint64: as int64, the block compiles once for both paths
        izhikevich_block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged,
                         np.int64(blk))


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
    _kernel = staticmethod(by_batch_size(izhikevich_kernel, izhikevich_block))

    # The same model for the Brian 2 backend (brian2_backend.py).
    brian2 = Brian2Equations(
        equations="""
            dv/dt = (k*(v - v_r)*(v - v_t) - u + I)/C : volt
            du/dt = a*(b*(v - v_r) - u) : amp
        """,
        threshold="v >= v_peak",
        reset="v = c; u += d",
        refractory=False,
        method="euler",
        spike_peak="v_peak",
    )

    @property
    def presets(self):
        from .presets import IZHIKEVICH_PRESETS

        return IZHIKEVICH_PRESETS

    def _initial_state(self, matrix):
        return np.stack([matrix[ROW.v_r], np.zeros(matrix.shape[1])], axis=1)

