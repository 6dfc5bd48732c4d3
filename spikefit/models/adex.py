"""Adaptive exponential integrate-and-fire neuron (Brette and Gerstner 2005).

    C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T) - w + I
    tau_w dw/dt = a (V - E_L) - w
    V > V_cut:  V <- V_reset,  w <- w + b,  V held at V_reset for t_ref

Forward Euler, as Brian 2's ``euler`` method; the model starts at V = E_L, w = 0.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .base import Model
from .brian2_equations import HOLD_FOR_T_REF, Brian2Equations
from .kernel_tools import NO_EVENT, NOT_FINITE, SPIKE, exp_simd, refractory_steps
from .parameters import Parameter, less, non_negative, positive
from .reset_kernels import FASTMATH, by_batch_size, integrate_block, n_blocks, parameter_rows

PARAMETERS = (
    Parameter("C", "F", 281e-12, 20e-12, 1000e-12, True, "membrane capacitance"),
    Parameter("g_L", "S", 30e-9, 1e-9, 100e-9, True, "leak conductance"),
    Parameter("E_L", "V", -70.6e-3, -90e-3, -50e-3, False, "leak reversal (rest without adaptation)"),
    Parameter("V_T", "V", -50.4e-3, -65e-3, -30e-3, False, "effective threshold, where the exponential takes over"),
    Parameter("Delta_T", "V", 2e-3, 0.2e-3, 10e-3, True, "slope factor (sharpness of spike onset)"),
    Parameter("tau_w", "s", 144e-3, 5e-3, 1.0, True, "adaptation time constant"),
    Parameter("a", "S", 4e-9, -20e-9, 50e-9, False, "subthreshold adaptation conductance"),
    Parameter("b", "A", 80.5e-12, 0.0, 500e-12, False, "spike-triggered adaptation increment"),
    Parameter("V_reset", "V", -70.6e-3, -80e-3, -40e-3, False, "reset potential"),
    Parameter("V_cut", "V", -40.4e-3, -45e-3, 20e-3, False, "cut-off where a spike is counted (V_T + 5 Delta_T)"),
    # up to LIF's bound: AdEx contains LIF (models.limits), whose fits reach 10 ms on 6 of the 12 default cells
    Parameter("t_ref", "s", 0.0, 0.0, 10e-3, False, "refractory period (V held at V_reset)"),
)


ROW = parameter_rows(PARAMETERS)


@njit(inline="always")
def _coefficients(P, lo, hi, dt):
    """Per-set constants of sets ``lo`` to ``hi - 1`` (see ``reset_kernels``)."""
    g_L = P[ROW.g_L, lo:hi].copy()
    constants = (
        dt / P[ROW.C, lo:hi],
        g_L,
        P[ROW.E_L, lo:hi].copy(),
        P[ROW.V_T, lo:hi].copy(),
        1.0 / P[ROW.Delta_T, lo:hi],
        g_L * P[ROW.Delta_T, lo:hi],
        dt / P[ROW.tau_w, lo:hi],
        P[ROW.a, lo:hi].copy(),
        P[ROW.b, lo:hi].copy(),
        P[ROW.V_reset, lo:hi].copy(),
        P[ROW.V_cut, lo:hi].copy(),
    )
    return constants, constants[10], refractory_steps(P[ROW.t_ref, lo:hi], dt)


@njit(inline="always")
def _step(constants, x, ref, n_ref, flag, I):
    """One forward-Euler step of every set of the block: state (v, w), v frozen while
    refractory. Flags each set's event and returns how many sets had one."""
    dt_C, g_L, E_L, V_T, inv_DT, gL_DT, dt_tauw, a, b, V_reset, V_cut = constants
    v = x[0]
    w = x[1]
    n_events = 0
    for j in range(flag.size):
        vj = v[j]
        wj = w[j]
        spike_current = gL_DT[j] * exp_simd((vj - V_T[j]) * inv_DT[j])
        dv = (g_L[j] * (E_L[j] - vj) + spike_current - wj + I) * dt_C[j]
        w_new = wj + (a[j] * (vj - E_L[j]) - wj) * dt_tauw[j]
        frozen = ref[j] > 0
        v_new = vj if frozen else vj + dv
        # a runaway state is not a spike: it must stay non-finite to be seen
        finite = (abs(v_new) < np.inf) & (abs(w_new) < np.inf)
        fired = finite & (v_new > V_cut[j])
        v[j] = V_reset[j] if fired else v_new
        w[j] = w_new + b[j] if fired else w_new
        ref[j] = n_ref[j] if fired else max(ref[j] - 1, 0)
        event = SPIKE if fired else NO_EVENT
        flag[j] = event if finite else NOT_FINITE
        n_events += flag[j]
    return n_events


@njit(cache=True, fastmath=FASTMATH)
def adex_block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged, blk):
    """Integrate block ``blk`` of the sets; called alone, the kernel without a thread pool."""
    integrate_block(_coefficients, _step, P, current, dt, substeps, record_v, state0, v_out,
                    spikes, counts, diverged, blk)


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def adex_kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
    for blk in prange(n_blocks(P.shape[1])):
        # prange counts in uint64: as int64, the block compiles once for both paths
        adex_block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged,
                   np.int64(blk))


class AdEx(Model):
    """Adaptive exponential integrate-and-fire neuron (Brette and Gerstner 2005)."""

    name = "adex"
    parameters = PARAMETERS
    rules = (
        *positive("C", "g_L", "Delta_T", "tau_w"),
        *non_negative("t_ref"),
        less("V_reset", "V_cut"),
        less("V_T", "V_cut"),
    )
    state_names = ("v", "w")
    spike_drawing = "reset"
    reset_parameter = "V_reset"
    _kernel = staticmethod(by_batch_size(adex_kernel, adex_block))

    # The same model for the Brian 2 backend (brian2_backend.py); w integrates on while v
    # is held, as in the kernel.
    brian2 = Brian2Equations(
        equations="""
            dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w + I)/C : volt (unless refractory)
            dw/dt = (a*(v - E_L) - w)/tau_w : amp
        """,
        threshold="v > V_cut",
        reset="v = V_reset; w += b",
        refractory=HOLD_FOR_T_REF,  # v held round(t_ref/dt) steps, as the kernel
        method="euler",
        spike_peak="V_cut",
    )

    @property
    def presets(self):
        from .presets import ADEX_PRESETS

        return ADEX_PRESETS

    def _initial_state(self, matrix):
        return np.stack([matrix[ROW.E_L], np.zeros(matrix.shape[1])], axis=1)

