"""Izhikevich simple model in its dimensional form (Izhikevich 2007, chapter 8).

    C dv/dt = k (v - v_r)(v - v_t) - u + I
    du/dt = a (b (v - v_r) - u)
    v >= v_peak:  v <- c,  u <- u + d

Heun steps (explicit trapezoidal rule), and the spike where v crosses v_peak within the step:
1/(v - v_t) is nearly linear in time during the quadratic blow-up, so the crossing is found
by interpolating it (regula falsi, Illinois, on partial RK4 steps from the step's start); v
is reset there and the rest of the step integrated by RK4 from the reset (``reset_kernels``).
Spike times are within 1 ms of the model integrated at 1 us over 1 s of OU noise at
dt = 0.1 ms for the presets of tests/models/test_reset_kernels_accuracy.py, where forward
Euler, or higher-order steps with the spike at the end of its step, drifted by 1-3 ms. RK4
full steps cost 3-4 times Euler's, Heun's about 1.5 times (benchmarks/RESULTS.md).
The model starts at v = v_r, u = 0. Defaults: the book's regular-spiking cell.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .base import Model
from .brian2_equations import Brian2Equations
from .kernel_tools import NO_EVENT, NOT_FINITE, SPIKE
from .parameters import Parameter, less, less_equal, positive
from .reset_kernels import (ERROR_MODEL, FASTMATH, by_batch_size, constant_rows, integrate_block, n_blocks,
                            parameter_rows)

CROSSING_ITERATIONS = 8
"""Most partial steps spent finding a crossing (regula falsi, Illinois); it usually ends
after 2 or 3 (within 10 uV of v_peak)."""

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


K = constant_rows("dt_C k v_r v_t v_peak dt_a b c d")
"""Rows of the kernel's constants."""


@njit(inline="always")
def _coefficients(P, lo, hi, dt):
    """Per-set constants of sets ``lo`` to ``hi - 1`` (see ``reset_kernels``)."""
    C = np.empty((len(K), hi - lo))
    for j in range(hi - lo):  # element by element: see kernel_tools.copy_into
        i = lo + j
        C[K.dt_C, j] = dt / P[ROW.C, i]
        C[K.k, j] = P[ROW.k, i]
        C[K.v_r, j] = P[ROW.v_r, i]
        C[K.v_t, j] = P[ROW.v_t, i]
        C[K.v_peak, j] = P[ROW.v_peak, i]
        C[K.dt_a, j] = dt * P[ROW.a, i]
        C[K.b, j] = P[ROW.b, i]
        C[K.c, j] = P[ROW.c, i]
        C[K.d, j] = P[ROW.d, i]
    return C, C[K.v_peak]


@njit(inline="always")
def _increments(v, u, I, h_C, k_, v_r, v_t, h_a, b):
    """Changes of (v, u) over a step h at the rates of (v, u); h_C = h/C, h_a = h a."""
    return (k_ * (v - v_r) * (v - v_t) - u + I) * h_C, (b * (v - v_r) - u) * h_a


@njit(inline="always")
def _rk4(v, u, I, h_C, k_, v_r, v_t, h_a, b):
    """One RK4 step of (v, u) over h (given as h/C and h a)."""
    k1v, k1u = _increments(v, u, I, h_C, k_, v_r, v_t, h_a, b)
    k2v, k2u = _increments(v + 0.5 * k1v, u + 0.5 * k1u, I, h_C, k_, v_r, v_t, h_a, b)
    k3v, k3u = _increments(v + 0.5 * k2v, u + 0.5 * k2u, I, h_C, k_, v_r, v_t, h_a, b)
    k4v, k4u = _increments(v + k3v, u + k3u, I, h_C, k_, v_r, v_t, h_a, b)
    return (v + (k1v + 2.0 * (k2v + k3v) + k4v) * (1.0 / 6.0),
            u + (k1u + 2.0 * (k2u + k3u) + k4u) * (1.0 / 6.0))


@njit(inline="always")
def _heun(v, u, I, h_C, k_, v_r, v_t, h_a, b):
    """One Heun step (explicit trapezoidal rule) of (v, u) over h (given as h/C and h a)."""
    k1v, k1u = _increments(v, u, I, h_C, k_, v_r, v_t, h_a, b)
    k2v, k2u = _increments(v + k1v, u + k1u, I, h_C, k_, v_r, v_t, h_a, b)
    return v + 0.5 * (k1v + k2v), u + 0.5 * (k1u + k2u)


@njit(inline="always")
def _step(C, x, ref, flag, I):
    """One Heun step of every set of the block; a set that reached v_peak keeps its start
    state for ``_fire``. Flags each set's event and returns the sum of the flags."""
    dt_C, k_, v_r, v_t, v_peak, dt_a, b = (C[K.dt_C], C[K.k], C[K.v_r], C[K.v_t], C[K.v_peak],
                                           C[K.dt_a], C[K.b])
    v = x[0]
    u = x[1]
    n_events = 0
    for j in range(flag.size):
        vj = v[j]
        uj = u[j]
        v_new, u_new = _heun(vj, uj, I, dt_C[j], k_[j], v_r[j], v_t[j], dt_a[j], b[j])
        started_finite = (abs(vj) < np.inf) & (abs(uj) < np.inf)
        # not below v_peak: reached it, or blew up (inf, nan) within the step, a spike too
        fired = started_finite & ~(v_new < v_peak[j])
        v[j] = vj if fired else v_new
        u[j] = uj if fired else u_new
        event = SPIKE if fired else NO_EVENT
        flag[j] = event if started_finite else NOT_FINITE
        n_events += flag[j]
    return n_events


@njit(inline="always")
def _height(v, v_t):
    """1/(v - v_t), nearly linear in time as v blows up; 0 at inf and nan, inf at or below v_t."""
    return 1.0 / (v - v_t) if v > v_t else (0.0 if v != v else np.inf)


@njit(inline="always")
def _fire(C, x, ref, j, I, dt):
    """Spike of set ``j`` within this step: how long (s) before the step's end; resets
    there and integrates the rest of the step (see ``reset_kernels``)."""
    kj, v_rj, v_tj, bj, peak = C[K.k, j], C[K.v_r, j], C[K.v_t, j], C[K.b, j], C[K.v_peak, j]
    dt_Cj, dt_aj = C[K.dt_C, j], C[K.dt_a, j]
    v0, u0 = x[0, j], x[1, j]
    level = _height(peak, v_tj)
    lo, hi = 0.0, 1.0  # fractions of the step: v below v_peak at lo, not below at hi
    z_lo = _height(v0, v_tj)
    v_s, u_s = _rk4(v0, u0, I, dt_Cj, kj, v_rj, v_tj, dt_aj, bj)
    z_hi = _height(v_s, v_tj)
    s, kept = 1.0, 0
    for _ in range(CROSSING_ITERATIONS):
        # v above v_t at lo: interpolate 1/(v - v_t) linearly (Illinois: an end kept twice
        # has its distance to the level halved, against one-sided convergence); else bisect
        # (equal heights, e.g. both ends blown up to 0: no slope to interpolate, bisect)
        s = lo + (hi - lo) * (z_lo - level) / (z_lo - z_hi) if z_lo < np.inf and z_lo != z_hi else 0.5 * (lo + hi)
        v_s, u_s = _rk4(v0, u0, I, s * dt_Cj, kj, v_rj, v_tj, s * dt_aj, bj)
        if abs(v_s - peak) < 1e-5:  # 10 uV: under 0.2 us at the rates near v_peak
            break
        if v_s < peak:
            lo, z_lo = s, _height(v_s, v_tj)
            z_hi = level + 0.5 * (z_hi - level) if kept < 0 else z_hi
            kept = -1
        else:
            hi, z_hi = s, _height(v_s, v_tj)
            z_lo = level + 0.5 * (z_lo - level) if kept > 0 and z_lo < np.inf else z_lo
            kept = 1
    r = 1.0 - s
    x[0, j], x[1, j] = _rk4(C[K.c, j], u_s + C[K.d, j], I, r * dt_Cj, kj, v_rj, v_tj, r * dt_aj, bj)
    return r * dt


@njit(inline="always")
def _release(C, x, ref, j, I, dt):
    """Never called: the model has no refractory period."""


@njit(cache=True, fastmath=FASTMATH, error_model=ERROR_MODEL)
def izhikevich_block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged, blk):
    """Integrate block ``blk`` of the sets; called alone, the kernel without a thread pool."""
    integrate_block(_coefficients, _step, _fire, _release, P, current, dt, substeps, record_v,
                    state0, v_out,
                    spikes, counts, diverged, blk)


@njit(parallel=True, cache=True, fastmath=FASTMATH, error_model=ERROR_MODEL)
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
        method="heun",  # as the kernel's full steps; Brian cannot interpolate the crossing
        spike_peak="v_peak",
    )

    @property
    def presets(self):
        from .presets import IZHIKEVICH_PRESETS

        return IZHIKEVICH_PRESETS

    def _initial_state(self, matrix):
        return np.stack([matrix[ROW.v_r], np.zeros(matrix.shape[1])], axis=1)

