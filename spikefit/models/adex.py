"""Adaptive exponential integrate-and-fire neuron (Brette and Gerstner 2005).

    C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T) - w + I
    tau_w dw/dt = a (V - E_L) - w
    V > V_cut:  V <- V_reset,  w <- w + b,  V held at V_reset for t_ref

Heun steps (explicit trapezoidal rule, Brian 2's ``heun``), and the spike where V crosses
V_cut within the step: z = exp(-(V - V_T)/Delta_T) is nearly linear in time during the
exponential blow-up, so the crossing is found by regula falsi (Illinois) on partial Heun
steps in z from the step's start. A step that starts ``Z_STEP_ABOVE`` Delta_T above V_T is
taken in z whether it crosses or not: the step in V lags the blow-up there, and a spike found
by one scheme and placed by the other jumped by up to a step when a parameter moved by a hair.
In z, w is advanced with the mean of V over the step (z linear in time): V is logarithmic in z,
and the trapezoid of V up to the cut overstated w's drive at every spike, an error of first
order in dt (naud_tonic: 0.26 ms at the second spike, now 3 us). V is reset at the crossing
and held for t_ref exactly, also where it ends within a step (``reset_kernels``). Spike times
are within 1 ms of the model integrated at 1 us over 1 s of OU noise at dt = 0.1 ms
(tests/models/test_reset_kernels_accuracy.py, for the presets it lists). A state that
overflows where the exponential at V_cut is itself beyond a float (V_cut far above V_T) is a
divergence, not a spike. The model starts at V = E_L, w = 0.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .base import Model
from .brian2_equations import HOLD_FOR_T_REF, Brian2Equations
from .kernel_tools import _EXP_MAX, NO_CROSSING, NO_EVENT, NOT_FINITE, RELEASE, SPIKE, exp_simd, hold_after_spike
from .parameters import Parameter, Rule, less, non_negative, positive
from .reset_kernels import (ERROR_MODEL, FASTMATH, by_batch_size, constant_rows, integrate_block, n_blocks,
                            parameter_rows)

CROSSING_ITERATIONS = 8
"""Most partial steps spent finding a crossing (regula falsi, Illinois); it usually ends
after 2 or 3 (within 10 uV of V_cut)."""

Z_STEP_ABOVE = 3.0
"""A step that starts more than this many Delta_T above V_T is taken in z, crossing or not.
Below, the step in V is the more accurate (V is smooth there, z grows like an exponential);
at 1, 2, 3 or 5 the spike times against the 1 us reference hardly differ (benchmarks/RESULTS.md,
"A spike time that jumps with V_cut")."""

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


K = constant_rows("dt_C g_L E_L V_T inv_DT gL_DT dt_tauw a b V_reset V_cut t_ref cut_finite")
"""Rows of the kernel's constants; ``cut_finite`` is 1 where exp at V_cut is a float."""


@njit(inline="always")
def _coefficients(P, lo, hi, dt):
    """Per-set constants of sets ``lo`` to ``hi - 1`` (see ``reset_kernels``)."""
    C = np.empty((len(K), hi - lo))
    for j in range(hi - lo):  # element by element: see kernel_tools.copy_into
        i = lo + j
        C[K.dt_C, j] = dt / P[ROW.C, i]
        C[K.g_L, j] = P[ROW.g_L, i]
        C[K.E_L, j] = P[ROW.E_L, i]
        C[K.V_T, j] = P[ROW.V_T, i]
        C[K.inv_DT, j] = 1.0 / P[ROW.Delta_T, i]
        C[K.gL_DT, j] = P[ROW.g_L, i] * P[ROW.Delta_T, i]
        C[K.dt_tauw, j] = dt / P[ROW.tau_w, i]
        C[K.a, j] = P[ROW.a, i]
        C[K.b, j] = P[ROW.b, i]
        C[K.V_reset, j] = P[ROW.V_reset, i]
        C[K.V_cut, j] = P[ROW.V_cut, i]
        C[K.t_ref, j] = P[ROW.t_ref, i]
        C[K.cut_finite, j] = (C[K.V_cut, j] - C[K.V_T, j]) * C[K.inv_DT, j] < _EXP_MAX
    return C, C[K.V_cut]


@njit(inline="always")
def _heun(v, w, I, h_C, g_L, E_L, V_T, inv_DT, gL_DT, h_tauw, a, held):
    """One Heun step of (v, w) over h (given as h/C and h/tau_w); v fixed where ``held``."""
    k1v = (g_L * (E_L - v) + gL_DT * exp_simd((v - V_T) * inv_DT) - w + I) * h_C
    k1w = (a * (v - E_L) - w) * h_tauw
    v1 = v if held else v + k1v
    w1 = w + k1w
    k2v = (g_L * (E_L - v1) + gL_DT * exp_simd((v1 - V_T) * inv_DT) - w1 + I) * h_C
    k2w = (a * (v1 - E_L) - w1) * h_tauw
    return (v if held else v + 0.5 * (k1v + k2v)), w + 0.5 * (k1w + k2w)


_heun_scalar = njit(fastmath=FASTMATH, error_model=ERROR_MODEL)(_heun.py_func)
"""``_heun`` compiled once for the scalar passes, not inlined at each of their calls."""


@njit(inline="always")
def _step(C, x, ref, flag, I):
    """One Heun step of every set of the block, v frozen while refractory; a set that
    crossed V_cut keeps its start state for ``_fire``. Flags each set's event and returns
    the sum of the flags."""
    dt_C, g_L, E_L, V_T, inv_DT, gL_DT = C[K.dt_C], C[K.g_L], C[K.E_L], C[K.V_T], C[K.inv_DT], C[K.gL_DT]
    dt_tauw, a, V_cut, cut_finite = C[K.dt_tauw], C[K.a], C[K.V_cut], C[K.cut_finite]
    v = x[0]
    w = x[1]
    n_events = 0
    for j in range(flag.size):
        vj = v[j]
        wj = w[j]
        held = ref[j]
        frozen = held > 0.0
        releasing = frozen & (held < 1.0)  # the period ends within the step: _release
        v_new, w_new = _heun(vj, wj, I, dt_C[j], g_L[j], E_L[j], V_T[j], inv_DT[j], gL_DT[j],
                             dt_tauw[j], a[j], frozen)
        started_finite = (abs(vj) < np.inf) & (abs(wj) < np.inf)
        # past the cut, or overflowed within the step: a spike where the model is a float up
        # to V_cut; where exp at V_cut overflows, the model cannot reach its cut: divergence
        beyond = (v_new > V_cut[j]) | ~((abs(v_new) < np.inf) & (abs(w_new) < np.inf))
        cut_ok = cut_finite[j] > 0.0
        # where the exponential takes over, the v step lags it: _fire's z step decides whether
        # the cut is crossed (one scheme for both, so a spike time is continuous in the parameters)
        upswing = ((vj - V_T[j]) * inv_DT[j] > Z_STEP_ABOVE) & ~frozen
        fired = started_finite & (beyond | upswing) & cut_ok
        finite = started_finite & (cut_ok | ~beyond)
        keep = fired | releasing  # the scalar pass integrates these from the start state
        v[j] = vj if keep else v_new
        w[j] = wj if keep else w_new
        ref[j] = held if releasing else max(held - 1.0, 0.0)
        event = SPIKE if fired else (RELEASE if releasing else NO_EVENT)
        flag[j] = event if finite else NOT_FINITE
        n_events += flag[j]
    return n_events


@njit(fastmath=FASTMATH, error_model=ERROR_MODEL)  # called, not inlined: compiled once for its two calls
def _heun_z(z, w, I, h_C, g_L, E_L, V_T, inv_DT, h_tauw, a):
    """One step over h of (z, w), z = exp(-(v - V_T)/Delta_T): Heun for z; for w a midpoint
    step driven by the mean of v over the step with z linear in time (v is logarithmic in z,
    and the trapezoid of v up to the cut overstates w's drive at every spike)."""
    v = V_T - math.log(max(z, 1e-300)) / inv_DT
    k1z = -z * inv_DT * (g_L * (E_L - v) - w + I) * h_C - g_L * h_C
    k1w = (a * (v - E_L) - w) * h_tauw
    z1, w1 = z + k1z, w + k1w
    v1 = V_T - math.log(max(z1, 1e-300)) / inv_DT
    k2z = -z1 * inv_DT * (g_L * (E_L - v1) - w1 + I) * h_C - g_L * h_C
    z_new = z + 0.5 * (k1z + k2z)
    # mean of log z over the step for z linear in time: [z log z - z] / (z_b - z_a)
    za, zb = max(z, 1e-300), max(z_new, 1e-300)
    if abs(zb - za) > 1e-9 * za:
        mean_ln = (zb * math.log(zb) - za * math.log(za)) / (zb - za) - 1.0
    else:
        mean_ln = math.log(za)
    v_mean = V_T - mean_ln / inv_DT
    w_mid = w + 0.5 * k1w
    return z_new, w + (a * (v_mean - E_L) - w_mid) * h_tauw


@njit(inline="always")
def _fire(C, x, ref, j, I, dt):
    """Spike of set ``j`` within this step: how long (s) before the step's end; resets
    there, holds v for t_ref and integrates the rest of the step (see ``reset_kernels``).
    ``NO_CROSSING`` where neither the step in z nor the step in V reaches the cut: the state
    is then the z step's (the V step's where Heun in z is unstable)."""
    p = (C[K.g_L, j], C[K.E_L, j], C[K.V_T, j], C[K.inv_DT, j], C[K.gL_DT, j])
    dt_Cj, dt_tauwj, aj = C[K.dt_C, j], C[K.dt_tauw, j], C[K.a, j]
    z0, w0 = math.exp(-(x[0, j] - p[2]) * p[3]), x[1, j]
    level = math.exp(-(C[K.V_cut, j] - p[2]) * p[3])
    # z falls through the level within the step, nearly linearly: regula falsi (Illinois)
    lo, hi, g_lo = 0.0, 1.0, z0 - level
    z_s, w_s = _heun_z(z0, w0, I, dt_Cj, p[0], p[1], p[2], p[3], dt_tauwj, aj)
    g_hi = z_s - level
    s, kept = 1.0, 0
    if g_hi >= 0.0:  # the z step does not reach the cut
        v_v, w_v = _heun_scalar(x[0, j], w0, I, dt_Cj, p[0], p[1], p[2], p[3], p[4], dt_tauwj, aj, False)
        if v_v <= C[K.V_cut, j]:  # nor does the V step: no spike
            # the z step, unless the drive moved z by more than its size (Delta_T far below
            # the step's move of V: Heun in z is unstable there, in V it is not)
            stable = abs(z_s - z0) <= z0
            x[0, j] = p[2] - math.log(z_s) / p[3] if stable else v_v
            x[1, j] = w_s if stable else w_v
            return NO_CROSSING
        # else the V step crossed and the z step did not: the step's end
    else:
        for _ in range(CROSSING_ITERATIONS):
            s = (lo * g_hi - hi * g_lo) / (g_hi - g_lo)
            z_s, w_s = _heun_z(z0, w0, I, s * dt_Cj, p[0], p[1], p[2], p[3], s * dt_tauwj, aj)
            g_s = z_s - level
            if abs(g_s) < 1e-5 * level:  # v within 10 nV of V_cut (Delta_T = 1 mV)
                break
            if g_s < 0.0:
                hi, g_hi = s, g_s
                g_lo = 0.5 * g_lo if kept > 0 else g_lo
                kept = 1
            else:
                lo, g_lo = s, g_s
                g_hi = 0.5 * g_hi if kept < 0 else g_hi
                kept = -1
    rest = (1.0 - s) * dt
    hold, ref[j] = hold_after_spike(C[K.t_ref, j], rest, dt)
    v, w = C[K.V_reset, j], w_s + C[K.b, j]
    if hold > 0.0:  # v held at V_reset, w integrates on
        v, w = _heun_scalar(v, w, I, hold / dt * dt_Cj, p[0], p[1], p[2], p[3], p[4],
                     hold / dt * dt_tauwj, aj, True)
    r = (rest - hold) / dt
    x[0, j], x[1, j] = _heun_scalar(v, w, I, r * dt_Cj, p[0], p[1], p[2], p[3], p[4], r * dt_tauwj,
                             aj, False)
    return rest


@njit(inline="always")
def _release(C, x, ref, j, I, dt):
    """End of set ``j``'s refractory period within this step: v held, then free."""
    p = (C[K.g_L, j], C[K.E_L, j], C[K.V_T, j], C[K.inv_DT, j], C[K.gL_DT, j])
    dt_Cj, dt_tauwj, aj = C[K.dt_C, j], C[K.dt_tauw, j], C[K.a, j]
    held = ref[j]
    v, w = _heun_scalar(x[0, j], x[1, j], I, held * dt_Cj, p[0], p[1], p[2], p[3], p[4],
                 held * dt_tauwj, aj, True)
    free = 1.0 - held
    x[0, j], x[1, j] = _heun_scalar(v, w, I, free * dt_Cj, p[0], p[1], p[2], p[3], p[4],
                             free * dt_tauwj, aj, False)
    ref[j] = 0.0


@njit(cache=True, fastmath=FASTMATH, error_model=ERROR_MODEL)
def adex_block(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged, blk):
    """Integrate block ``blk`` of the sets; called alone, the kernel without a thread pool."""
    integrate_block(_coefficients, _step, _fire, _release, P, current, dt, substeps, record_v,
                    state0, v_out,
                    spikes, counts, diverged, blk)


@njit(parallel=True, cache=True, fastmath=FASTMATH, error_model=ERROR_MODEL)
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
    # Below a = -g_L the model has no stable rest (Touboul and Brette 2008: its one fixed point
    # is a saddle), and a voltage below it runs away: to -1e16 V over pyabf_fsi's sweeps, at
    # 3.5 times the kernel's time, in 17 % of a blind fit's trials. A recorded cell rests.
    search_rules = (Rule("a >= -g_L", ("a", "g_L"), lambda p: p["a"] >= -p["g_L"]),)
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
        refractory=HOLD_FOR_T_REF,  # v held round(t_ref/dt) steps after the spike step
        method="heun",  # as the kernel's steps; Brian cannot interpolate the crossing
        spike_peak="V_cut",
    )

    @property
    def presets(self):
        from .presets import ADEX_PRESETS

        return ADEX_PRESETS

    def _initial_state(self, matrix):
        return np.stack([matrix[ROW.E_L], np.zeros(matrix.shape[1])], axis=1)

