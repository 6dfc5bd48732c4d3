"""Hodgkin-Huxley-type conductance models: the squid axon (1952) and Pospischil et al. (2008).

    C_m dV/dt = I/area - I_Na - I_K - I_L  (- I_M, Pospischil RS)
    I_Na = g_Na m^3 h (V - E_Na),  I_K = g_K n^4 (V - E_K),  I_L = g_L (V - E_L)
    dx/dt = alpha_x(V) (1 - x) - beta_x(V) x                  for x = m, h, n
    I_M = g_M p (V - E_K),  dp/dt = (p_inf(V) - p) / tau_p(V)

Capacitance and conductances are densities (F/m2, S/m2); the injected current I (A) is
spread over the membrane ``area`` (m2). The rate functions are written as published, in mV
and 1/ms, and converted to SI where they are evaluated.

Integration: classic fourth-order Runge-Kutta with the current held constant over each
step, at most ``MAX_DT``. Steps are shortened where they would be too coarse: for a warm
squid axon (gates ``phi`` times faster) and wherever a rate makes RK4 unstable (the squid
axon below about -130 mV, extreme conductances). A spike is an upward crossing of 0 mV,
timed by linear interpolation within the step. Every model starts at its resting steady
state. These models draw their own action potentials: recorded traces carry no spike marker.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange, vectorize
from scipy.optimize import brentq

from .base import Model
from .brian2_equations import Brian2Equations
from .kernel_tools import NO_EVENT, NOT_FINITE, SPIKE, exp_simd
from .parameters import Parameter, less, non_negative, positive

MAX_DT = 1e-5
"""Integration step (s) at which RK4 integrates these models accurately: spike times within
0.1 us and V within 4 uV of LSODA (rtol 1e-10) under a step, tests/models/test_hh.py."""

_MS = 1e3  # rates are published in 1/ms: times 1e3 gives 1/s
_VTRAP_SERIES = 1e-4  # |x/y| below which x/(exp(x/y) - 1) is taken from its series

# --- rate functions ---------------------------------------------------------------------


@njit(cache=True, inline="always", error_model="numpy")
def _vtrap(x, y):
    """x / (exp(x/y) - 1), continued through its removable singularity at x = 0 (limit y)."""
    u = x / y
    series = y * (1.0 - u * (0.5 - u / 12.0))  # error of order u^4 y / 720
    exact = x / (exp_simd(u) - 1.0)
    return series if abs(u) < _VTRAP_SERIES else exact


@njit(cache=True, inline="always", error_model="numpy")
def squid_rates(v):
    """Rates (1/s) alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n at 6.3 degC, v in V."""
    u = v * 1e3
    am = 0.1 * _vtrap(-(u + 40.0), 10.0)
    bm = 4.0 * exp_simd(-(u + 65.0) / 18.0)
    ah = 0.07 * exp_simd(-(u + 65.0) / 20.0)
    bh = 1.0 / (1.0 + exp_simd(-(u + 35.0) / 10.0))
    an = 0.01 * _vtrap(-(u + 55.0), 10.0)
    bn = 0.125 * exp_simd(-(u + 65.0) / 80.0)
    return am * _MS, bm * _MS, ah * _MS, bh * _MS, an * _MS, bn * _MS


@njit(cache=True, inline="always", error_model="numpy")
def pospischil_rates(v, V_T):
    """Rates (1/s) alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n (Traub-Miles, 36 degC).

    ``v`` and the shift ``V_T`` in V.
    """
    u = (v - V_T) * 1e3
    am = 0.32 * _vtrap(-(u - 13.0), 4.0)
    bm = 0.28 * _vtrap(u - 40.0, 5.0)
    ah = 0.128 * exp_simd(-(u - 17.0) / 18.0)
    bh = 4.0 / (1.0 + exp_simd(-(u - 40.0) / 5.0))
    an = 0.032 * _vtrap(-(u - 15.0), 5.0)
    bn = 0.5 * exp_simd(-(u - 10.0) / 40.0)
    return am * _MS, bm * _MS, ah * _MS, bh * _MS, an * _MS, bn * _MS


@njit(cache=True, inline="always", error_model="numpy")
def m_current_gate(v, tau_max):
    """p_inf (1) and 1/tau_p (1/s) of the slow M current, v in V, tau_max in s."""
    w = v * 1e3 + 35.0
    p_inf = 1.0 / (1.0 + exp_simd(-w / 10.0))
    rate = (3.3 * exp_simd(w / 20.0) + exp_simd(-w / 20.0)) / tau_max
    return p_inf, rate


@njit(cache=True, inline="always", error_model="numpy")
def squid_gates_inf(v):
    """Steady-state m, h, n (1) at v (V); temperature scales all rates alike, so none here."""
    am, bm, ah, bh, an, bn = squid_rates(v)
    return am / (am + bm), ah / (ah + bh), an / (an + bn)


@njit(cache=True, inline="always", error_model="numpy")
def pospischil_gates_inf(v, V_T):
    """Steady-state m, h, n, p (1) at v (V)."""
    am, bm, ah, bh, an, bn = pospischil_rates(v, V_T)
    p_inf, _ = m_current_gate(v, 1.0)
    return am / (am + bm), ah / (ah + bh), an / (an + bn), p_inf


@vectorize(["float64(float64, float64, float64, float64, float64, float64, float64)"], cache=True)
def squid_steady_current(v, g_Na, g_K, g_L, E_Na, E_K, E_L):
    """Ionic current density (A/m2) at v (V) with every gate at its steady state."""
    m, h, n = squid_gates_inf(v)
    return g_Na * m**3 * h * (v - E_Na) + g_K * n**4 * (v - E_K) + g_L * (v - E_L)


@vectorize(["float64(float64, float64, float64, float64, float64, float64, float64, float64, float64)"],
           cache=True)
def pospischil_steady_current(v, g_Na, g_Kd, g_M, g_L, E_Na, E_K, E_L, V_T):
    """Ionic current density (A/m2) at v (V) with every gate at its steady state."""
    m, h, n, p = pospischil_gates_inf(v, V_T)
    return (g_Na * m**3 * h * (v - E_Na) + (g_Kd * n**4 + g_M * p) * (v - E_K)
            + g_L * (v - E_L))


# --- right-hand sides -------------------------------------------------------------------
# Each takes the state and ``q``: the injected current density (A/m2), then the parameters
# as the kernel prepares them (reciprocals where the equations divide).


@njit(cache=True, inline="always", error_model="numpy")
def _squid_rhs(v, m, h, n, q):
    i_inj, inv_C, g_Na, g_K, g_L, E_Na, E_K, E_L, phi = q
    am, bm, ah, bh, an, bn = squid_rates(v)
    i_ion = g_Na * m * m * m * h * (v - E_Na) + g_K * (n * n) * (n * n) * (v - E_K) + g_L * (v - E_L)
    return ((i_inj - i_ion) * inv_C, phi * (am - (am + bm) * m), phi * (ah - (ah + bh) * h),
            phi * (an - (an + bn) * n))


@njit(cache=True, inline="always", error_model="numpy")
def _pospischil_rhs(v, m, h, n, p, q):
    i_inj, inv_C, g_Na, g_Kd, g_M, g_L, E_Na, E_K, E_L, V_T, inv_tau_max = q
    am, bm, ah, bh, an, bn = pospischil_rates(v, V_T)
    p_inf, p_rate = m_current_gate(v, 1.0)
    g_K = g_Kd * (n * n) * (n * n) + g_M * p
    i_ion = g_Na * m * m * m * h * (v - E_Na) + g_K * (v - E_K) + g_L * (v - E_L)
    return ((i_inj - i_ion) * inv_C, am - (am + bm) * m, ah - (ah + bh) * h, an - (an + bn) * n,
            (p_inf - p) * p_rate * inv_tau_max)


# --- RK4 over a block of parameter sets ---------------------------------------------------
# A block keeps everything in one flat work array W made of rows of HH_BLOCK values: the
# parameters as the right-hand side takes them (q without the current), then the state y,
# the stage input s and the weighted sum a of the stage derivatives, one row per variable.
# Each RK4 stage is one loop over the block with the right-hand side compiled once. Rows at
# fixed offsets of a single array let the compiler prove that the loop's reads and writes
# never overlap, so it vectorises (separate arrays make it give up: too many overlap checks);
# a small block keeps W in L1 cache. Inlining all four stages into one loop runs no faster
# and takes about a minute to compile.

HH_BLOCK = 64
"""Parameter sets integrated together in one work array, and given to a thread at a time."""

SQUID, POSPISCHIL = 0, 1
_RK4_NODE = (0.5, 0.5, 1.0, 0.0)  # where the next stage is evaluated, in steps from y
_RK4_WEIGHT = (1.0, 2.0, 2.0, 1.0)
_FASTMATH = {"contract", "arcp", "nsz"}


@njit(cache=True, inline="always")
def _accumulate(W, i, d, y, s, a, c, w, keep):
    """Add w * derivative d into the sum row a; set the stage input row s to y + c * d."""
    W[a + i] = keep * W[a + i] + w * d
    W[s + i] = W[y + i] + c * d


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _squid_stage(W, nb, I, c, w, keep):
    """One RK4 stage of a block of squid axons, I the injected current (A).

    W rows: 9 parameters (1/area, 1/C_m, g_Na, g_K, g_L, E_Na, E_K, E_L, phi), then y, s, a
    of (V, m, h, n).
    """
    B = HH_BLOCK
    y, s, a = 9 * B, 13 * B, 17 * B
    for j in range(nb):
        q = (I * W[j], W[B + j], W[2 * B + j], W[3 * B + j], W[4 * B + j], W[5 * B + j],
             W[6 * B + j], W[7 * B + j], W[8 * B + j])
        d = _squid_rhs(W[s + j], W[s + B + j], W[s + 2 * B + j], W[s + 3 * B + j], q)
        _accumulate(W, j, d[0], y, s, a, c, w, keep)
        _accumulate(W, B + j, d[1], y, s, a, c, w, keep)
        _accumulate(W, 2 * B + j, d[2], y, s, a, c, w, keep)
        _accumulate(W, 3 * B + j, d[3], y, s, a, c, w, keep)


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _pospischil_stage(W, nb, I, c, w, keep):
    """One RK4 stage of a block of Pospischil cells, I the injected current (A).

    W rows: 11 parameters (1/area, 1/C_m, g_Na, g_Kd, g_M, g_L, E_Na, E_K, E_L, V_T,
    1/tau_max), then y, s, a of (V, m, h, n, p).
    """
    B = HH_BLOCK
    y, s, a = 11 * B, 16 * B, 21 * B
    for j in range(nb):
        q = (I * W[j], W[B + j], W[2 * B + j], W[3 * B + j], W[4 * B + j], W[5 * B + j],
             W[6 * B + j], W[7 * B + j], W[8 * B + j], W[9 * B + j], W[10 * B + j])
        d = _pospischil_rhs(W[s + j], W[s + B + j], W[s + 2 * B + j], W[s + 3 * B + j],
                            W[s + 4 * B + j], q)
        _accumulate(W, j, d[0], y, s, a, c, w, keep)
        _accumulate(W, B + j, d[1], y, s, a, c, w, keep)
        _accumulate(W, 2 * B + j, d[2], y, s, a, c, w, keep)
        _accumulate(W, 3 * B + j, d[3], y, s, a, c, w, keep)
        _accumulate(W, 4 * B + j, d[4], y, s, a, c, w, keep)


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _finish_step(W, nb, n_y, y, a, dt, t0, size, flag, t_spike):
    """Complete an RK4 step (y += dt/6 * sum) and flag its events; returns how many.

    A spike is an upward crossing of 0 V, timed by linear interpolation within the step into
    ``t_spike``; a set whose state is no longer finite is flagged NOT_FINITE. ``size`` is
    scratch space.
    """
    B = HH_BLOCK
    h = dt / 6.0
    size[:nb] = 0.0
    for r in range(1, n_y):
        for j in range(nb):
            x = W[y + r * B + j] + h * W[a + r * B + j]
            W[y + r * B + j] = x
            size[j] += abs(x)
    n_events = 0
    for j in range(nb):
        v0 = W[y + j]
        v1 = v0 + h * W[a + j]
        W[y + j] = v1
        fired = (v0 < 0.0) & (v1 >= 0.0)
        t_spike[j] = t0 + dt * v0 / (v0 - v1) if fired else t0
        event = SPIKE if fired else NO_EVENT
        flag[j] = event if abs(v1) + size[j] < np.inf else NOT_FINITE  # NaN fails the test too
        n_events += flag[j]
    return n_events


@njit(cache=True)
def _record_events(flag, t_spike, lo, spikes, counts, diverged):
    """Store the spikes (own time per set) and divergences flagged in one step of one block.

    ``counts`` keeps counting past the buffer so that the driver can rerun with a bigger one;
    a diverged set records nothing more.
    """
    cap = spikes.shape[1]
    for j in range(flag.shape[0]):
        i = lo + j
        if flag[j] == NO_EVENT or diverged[i]:
            continue
        if flag[j] == NOT_FINITE:
            diverged[i] = True
            continue
        if counts[i] < cap:
            spikes[i, counts[i]] = t_spike[j]
        counts[i] += 1


@njit(cache=True, error_model="numpy")
def _squid_stiffness(W, nb, gates):
    """Fastest rate (1/s) in a block of squid axons now: of V (g_total / C_m), and of the
    gates too if ``gates`` (they need exponentials, and change slowly where they matter)."""
    B = HH_BLOCK
    fastest = 0.0
    for j in range(nb):
        v, m, h, n = W[9 * B + j], W[10 * B + j], W[11 * B + j], W[12 * B + j]
        g = W[2 * B + j] * m * m * m * h + W[3 * B + j] * (n * n) * (n * n) + W[4 * B + j]
        fastest = max(fastest, g * W[B + j])
        if gates:
            am, bm, ah, bh, an, bn = squid_rates(v)
            fastest = max(fastest, W[8 * B + j] * max(am + bm, ah + bh, an + bn))
    return fastest


@njit(cache=True, error_model="numpy")
def _pospischil_stiffness(W, nb, gates):
    """Fastest rate (1/s) in a block of Pospischil cells now: of V (g_total / C_m), and of
    the gates too if ``gates``."""
    B = HH_BLOCK
    fastest = 0.0
    for j in range(nb):
        v, m, h, n, p = W[11 * B + j], W[12 * B + j], W[13 * B + j], W[14 * B + j], W[15 * B + j]
        g = (W[2 * B + j] * m * m * m * h + W[3 * B + j] * (n * n) * (n * n) + W[4 * B + j] * p
             + W[5 * B + j])
        fastest = max(fastest, g * W[B + j])
        if gates:
            am, bm, ah, bh, an, bn = pospischil_rates(v, W[9 * B + j])
            _, p_rate = m_current_gate(v, 1.0)
            fastest = max(fastest, am + bm, ah + bh, an + bn, p_rate * W[10 * B + j])
    return fastest


_RK4_STABLE = 2.0
"""Largest rate * step kept (RK4 is stable on decaying modes up to 2.78). With the published
parameters nothing comes near at 10 us (V at full conductance: 1.6 for the squid axon); the
squid axon's beta_m does below about -130 mV, and V with large g / C_m (at the corner
g_Na = 5000, g_K = 2000 S/m2, C_m = 0.005 F/m2 of the search bounds RK4 diverges unsplit)."""

_MAX_SPLIT = 64
"""Most steps one step is split into: enough for every set within the search bounds (at most
about 8); a set far outside them (C_m = 1e-9 F/m2) diverges, reported, instead of running
for ever."""


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _run_block(model, Q, y0, current, dt, steps_per_sample, record_v, v_out, lo, spikes, counts,
               diverged):
    """Integrate one block of sets of ``model`` (SQUID or POSPISCHIL) by RK4 steps of dt (s).

    Q (n_param, nb): the parameters as the right-hand side takes them; y0 (nb, n_state).
    Where the block's fastest rate would make a step of dt unstable, the step is split; a
    split holds to the end of the stimulus sample.
    """
    B = HH_BLOCK
    n_q, nb = Q.shape
    n_y = y0.shape[1]
    y, s, a = n_q * B, (n_q + n_y) * B, (n_q + 2 * n_y) * B
    W = np.zeros(a + n_y * B)
    for r in range(n_q):
        W[r * B:r * B + nb] = Q[r]
    for r in range(n_y):
        W[y + r * B:y + r * B + nb] = y0[:, r]
    size, t_spike, flag = np.zeros(nb), np.zeros(nb), np.zeros(nb, np.int64)
    # V's rate g_total / C_m can jump within a sample (a spike opens g_Na); watch it after
    # every step only in a block where even full conductance could make dt unstable.
    n_g = 3 if model == SQUID else 4  # conductance rows, from row 2
    full = 0.0
    for j in range(nb):
        full = max(full, W[2 * B + j:(2 + n_g) * B + j:B].sum() * W[B + j])
    watch_v = full * dt > _RK4_STABLE
    for k in range(current.shape[0]):
        if record_v:
            v_out[lo:lo + nb, k] = W[y:y + nb]
        t = k * steps_per_sample * dt
        split, left = 1, steps_per_sample
        check = True  # the gates once a sample, V too then and after each step if watched
        while left > 0:
            stiffness = 0.0
            if check or watch_v:
                stiffness = _squid_stiffness(W, nb, check) if model == SQUID else \
                    _pospischil_stiffness(W, nb, check)
            check = False
            need = stiffness * dt / (split * _RK4_STABLE)  # NaN (diverged) compares False
            if need > 1.0 and split < _MAX_SPLIT:
                more = min(int(math.ceil(need)), _MAX_SPLIT // split)
                split, left = split * more, left * more
            h = dt / split
            W[s:a] = W[y:s]
            for stage in range(4):
                c, w, keep = _RK4_NODE[stage] * h, _RK4_WEIGHT[stage], 1.0 if stage else 0.0
                if model == SQUID:
                    _squid_stage(W, nb, current[k], c, w, keep)
                else:
                    _pospischil_stage(W, nb, current[k], c, w, keep)
            if _finish_step(W, nb, n_y, y, a, h, t, size, flag, t_spike):
                _record_events(flag, t_spike, lo, spikes, counts, diverged)
            t += h
            left -= 1


# --- kernels ----------------------------------------------------------------------------


@njit(parallel=True, cache=True)
def squid_kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
    """Batch kernel of the squid axon, as ``Model._kernel``; P rows as the parameters."""
    n_sets = P.shape[1]
    for blk in prange((n_sets + HH_BLOCK - 1) // HH_BLOCK):
        lo = blk * HH_BLOCK
        hi = min(lo + HH_BLOCK, n_sets)
        Q = P[:, lo:hi].copy()  # as _squid_rhs takes them: 1/area, 1/C_m, ..., phi
        Q[0] = 1.0 / Q[0]
        Q[1] = 1.0 / Q[1]
        Q[8] = 3.0 ** ((Q[8] - 6.3) / 10.0)
        # Warm gates run phi times faster: split the step so that phi * step stays within
        # max(dt, MAX_DT), and RK4 stays as accurate (and stable) as at 6.3 degC. A step
        # chosen coarser than MAX_DT is kept as chosen at 6.3 degC.
        n_int = max(1, int(math.ceil(Q[8].max() * dt / max(dt, MAX_DT) - 1e-9)))
        _run_block(SQUID, Q, state0[lo:hi], current, dt / n_int, substeps * n_int, record_v, v_out, lo,
                   spikes, counts, diverged)


@njit(parallel=True, cache=True)
def pospischil_kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
    """Kernel of both Pospischil cells: P has 11 rows (RS) or 9 (FS, read as g_M = 0)."""
    n_sets = P.shape[1]
    for blk in prange((n_sets + HH_BLOCK - 1) // HH_BLOCK):
        lo = blk * HH_BLOCK
        hi = min(lo + HH_BLOCK, n_sets)
        Q = np.ones((11, hi - lo))  # rows of RS's P; FS: g_M = 0, tau_max = 1 s (unused)
        if P.shape[0] == 11:
            Q[:] = P[:, lo:hi]
        else:
            Q[:4] = P[:4, lo:hi]
            Q[4] = 0.0
            Q[5:10] = P[4:, lo:hi]
        Q[0] = 1.0 / Q[0]  # as _pospischil_rhs takes them: 1/area, 1/C_m, ..., 1/tau_max
        Q[1] = 1.0 / Q[1]
        Q[10] = 1.0 / Q[10]
        _run_block(POSPISCHIL, Q, state0[lo:hi], current, dt, substeps, record_v, v_out, lo, spikes,
                   counts, diverged)


# --- resting state ----------------------------------------------------------------------

_REST_GRID = 601  # points scanned between the lowest and highest reversal potential


def resting_potential(steady_current, bounds, args) -> np.ndarray:
    """Resting potential (V) of every set: the lowest root of the steady-state I-V curve.

    Parameters
    ----------
    steady_current : ufunc
        ``steady_current(v, *args)``, ionic current density (A/m2) with gates at steady state.
    bounds : (array, array)
        Lowest and highest reversal potential (V) of every set: the current is <= 0 at the
        first and >= 0 at the second, so a root lies between.
    args : sequence of arrays
        Parameters of ``steady_current``, one value per set.

    The lowest root is where the current turns from inward to outward, the stable rest of
    the voltage equation with the gates at steady state.
    """
    lo, hi = (np.asarray(b, dtype=float) for b in bounds)
    grid = lo + np.linspace(0.0, 1.0, _REST_GRID)[:, None] * (hi - lo)
    outward = steady_current(grid, *(a[None, :] for a in args)) >= 0.0
    outward[-1] = True  # true at hi but for rounding
    first = np.argmax(outward, axis=0)
    rest = np.empty(lo.size)
    for i, k in enumerate(first):
        if k == 0:
            rest[i] = lo[i]
            continue
        rest[i] = brentq(steady_current, grid[k - 1, i], grid[k, i], args=tuple(a[i] for a in args),
                         xtol=1e-12)
    return rest


def _named(model: Model, matrix: np.ndarray) -> dict[str, np.ndarray]:
    return {p.name: np.asarray(row, dtype=float) for p, row in zip(model.parameters, matrix)}


def _reversal_bounds(p) -> tuple[np.ndarray, np.ndarray]:
    e = np.stack([p["E_Na"], p["E_K"], p["E_L"]])
    return e.min(axis=0), e.max(axis=0)


# --- brian2 equations -------------------------------------------------------------------
# The input I and the parameters are declared by brian2_backend from the parameter specs.

_SQUID_BRIAN2 = """
dv/dt = (I/area - I_Na - I_K - I_L)/C_m : volt
I_Na = g_Na*m**3*h*(v - E_Na) : amp/meter**2
I_K = g_K*n**4*(v - E_K) : amp/meter**2
I_L = g_L*(v - E_L) : amp/meter**2
dm/dt = phi*(alpha_m*(1 - m) - beta_m*m) : 1
dh/dt = phi*(alpha_h*(1 - h) - beta_h*h) : 1
dn/dt = phi*(alpha_n*(1 - n) - beta_n*n) : 1
alpha_m = 0.1/(mV*ms)*10*mV/exprel(-(v + 40*mV)/(10*mV)) : Hz
beta_m = 4/ms*exp(-(v + 65*mV)/(18*mV)) : Hz
alpha_h = 0.07/ms*exp(-(v + 65*mV)/(20*mV)) : Hz
beta_h = 1/ms/(1 + exp(-(v + 35*mV)/(10*mV))) : Hz
alpha_n = 0.01/(mV*ms)*10*mV/exprel(-(v + 55*mV)/(10*mV)) : Hz
beta_n = 0.125/ms*exp(-(v + 65*mV)/(80*mV)) : Hz
phi = 3.0**((temperature - 6.3)/10.0) : 1
"""


def _pospischil_brian2(with_m: bool) -> str:
    """Brian 2 equations of a Pospischil cell, with or without the M current."""
    i_m = " - I_M" if with_m else ""
    text = f"""
dv/dt = (I/area - I_Na - I_Kd{i_m} - I_L)/C_m : volt
I_Na = g_Na*m**3*h*(v - E_Na) : amp/meter**2
I_Kd = g_Kd*n**4*(v - E_K) : amp/meter**2
I_L = g_L*(v - E_L) : amp/meter**2
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
alpha_m = 0.32/(mV*ms)*4*mV/exprel(-(v - V_T - 13*mV)/(4*mV)) : Hz
beta_m = 0.28/(mV*ms)*5*mV/exprel((v - V_T - 40*mV)/(5*mV)) : Hz
alpha_h = 0.128/ms*exp(-(v - V_T - 17*mV)/(18*mV)) : Hz
beta_h = 4/ms/(1 + exp(-(v - V_T - 40*mV)/(5*mV))) : Hz
alpha_n = 0.032/(mV*ms)*5*mV/exprel(-(v - V_T - 15*mV)/(5*mV)) : Hz
beta_n = 0.5/ms*exp(-(v - V_T - 10*mV)/(40*mV)) : Hz
"""
    if with_m:
        text += """I_M = g_M*p*(v - E_K) : amp/meter**2
dp/dt = (p_inf - p)/tau_p : 1
p_inf = 1/(1 + exp(-(v + 35*mV)/(10*mV))) : 1
tau_p = tau_max/(3.3*exp((v + 35*mV)/(20*mV)) + exp(-(v + 35*mV)/(20*mV))) : second
"""
    return text


def _brian2(equations: str) -> Brian2Equations:
    """A conductance model for Brian 2: the 0 mV spike count, RK4, no drawn spikes."""
    return Brian2Equations(
        equations=equations,
        threshold="v > 0*mV",
        reset="",
        refractory="v > 0*mV",  # refractory while above 0 mV: each crossing counts once
        # RK4 as the kernels: spike times agree within one step. Brian's usual "exponential_euler"
        # is first order: at 10 us its spike times drift by about 0.1 ms per spike (0.4 to 1.1 ms
        # after 80 ms). Brian's RK4 does not shorten stiff steps as the kernels do, so the squid
        # axon below about -140 mV (beta_m) goes unstable there and is reported as diverged.
        method="rk4",
        spike_peak=None,  # the models draw their own action potentials
    )


class _HHBase(Model):
    """What the conductance models share: the 0 mV spike count and the Brian 2 settings."""

    max_dt = MAX_DT
    state_names: tuple[str, ...] = ()

    def _initial_state(self, matrix):
        return self._rest(_named(self, matrix))

    def brian2_initial(self, params_df) -> dict[str, np.ndarray]:
        """Resting state (SI) of every parameter set, by Brian 2 state-variable name."""
        state = self._rest({c: params_df[c].to_numpy(dtype=float) for c in params_df.columns})
        return {name: state[:, i] for i, name in enumerate(self.state_names)}


class HodgkinHuxley(_HHBase):
    """Hodgkin-Huxley (1952) squid giant axon, in the modern convention (NEURON's hh.mod).

    Rates are those measured at 6.3 degC, scaled by 3**((temperature - 6.3)/10). The
    default ``area`` of 1e-8 m2 (10 000 um2, 100 pF) puts the currents in the nA range: the
    onset of repetitive firing (about 6.3 uA/cm2) is then near 0.63 nA. Rests at -65.0 mV.
    The squid axon is type II: its f-I curve jumps from 0 to about 50 Hz.
    """

    name = "hh"
    parameters = (
        Parameter("area", "m2", 1e-8, 1e-10, 1e-6, True, "membrane area (1e-8 m2 = 10 000 um2)"),
        Parameter("C_m", "F/m2", 0.01, 0.005, 0.03, False, "specific membrane capacitance (1 uF/cm2)"),
        Parameter("g_Na", "S/m2", 1200.0, 100.0, 5000.0, True, "peak sodium conductance density"),
        Parameter("g_K", "S/m2", 360.0, 30.0, 2000.0, True, "peak potassium conductance density"),
        Parameter("g_L", "S/m2", 3.0, 0.1, 30.0, True, "leak conductance density"),
        Parameter("E_Na", "V", 50e-3, 30e-3, 70e-3, False, "sodium reversal potential"),
        Parameter("E_K", "V", -77e-3, -100e-3, -60e-3, False, "potassium reversal potential"),
        Parameter("E_L", "V", -54.387e-3, -80e-3, -40e-3, False, "leak reversal potential"),
        Parameter("temperature", "degC", 6.3, 0.0, 30.0, False,
                  "temperature; rates scale by 3**((T - 6.3)/10) (the axon blocks near 30 degC)"),
    )
    rules = (*positive("area", "C_m"), *non_negative("g_Na", "g_K", "g_L"), less("E_K", "E_Na"))
    presets = {
        "squid_1952": dict(area=1e-8, C_m=0.01, g_Na=1200.0, g_K=360.0, g_L=3.0, E_Na=50e-3,
                           E_K=-77e-3, E_L=-54.387e-3, temperature=6.3),
        "neuron_hh_mod": dict(E_L=-54.3e-3, temperature=6.3),  # NEURON's rounded leak reversal
    }
    state_names = ("v", "m", "h", "n")
    brian2 = _brian2(_SQUID_BRIAN2)
    _kernel = staticmethod(squid_kernel)

    def _rest(self, p) -> np.ndarray:
        """Resting state (V, m, h, n) of every set, shape (n_sets, 4)."""
        args = [p[k] for k in ("g_Na", "g_K", "g_L", "E_Na", "E_K", "E_L")]
        v = resting_potential(squid_steady_current, _reversal_bounds(p), args)
        gates = [squid_gates_inf(x) for x in v]
        return np.column_stack([v, np.array(gates).reshape(v.size, 3)])


def _pospischil_params(area, g_Kd, g_L, with_m):
    """Pospischil 2008 parameters (SI); ``area`` from L = d (um) as pi d L."""
    params = (
        Parameter("area", "m2", area, 1e-9, 1e-6, True, "membrane area (pi d L of the published cylinder)"),
        Parameter("C_m", "F/m2", 0.01, 0.005, 0.03, False, "specific membrane capacitance (1 uF/cm2)"),
        Parameter("g_Na", "S/m2", 500.0, 50.0, 2000.0, True, "peak sodium conductance density"),
        Parameter("g_Kd", "S/m2", g_Kd, 5.0, 500.0, True, "peak delayed-rectifier conductance density"),
        Parameter("g_M", "S/m2", 0.7, 0.0, 5.0, False, "peak slow M-current conductance density (adaptation)"),
        Parameter("g_L", "S/m2", g_L, 0.05, 10.0, True, "leak conductance density"),
        Parameter("E_Na", "V", 50e-3, 30e-3, 70e-3, False, "sodium reversal potential"),
        Parameter("E_K", "V", -100e-3, -110e-3, -70e-3, False, "potassium reversal potential"),
        Parameter("E_L", "V", -70e-3, -90e-3, -50e-3, False, "leak reversal potential"),
        Parameter("V_T", "V", -55e-3, -70e-3, -40e-3, False, "shift of the Na and Kd kinetics (sets threshold)"),
        Parameter("tau_max", "s", 1.0, 0.05, 4.0, True, "largest time constant of the M current"),
    )
    return params if with_m else tuple(p for p in params if p.name not in ("g_M", "tau_max"))


_RS_AREA = math.pi * 96e-6 * 96e-6  # L = d = 96 um: 2.895e-8 m2, 290 pF
_FS_AREA = math.pi * 67e-6 * 67e-6  # L = d = 67 um: 1.410e-8 m2, 141 pF


class _Pospischil(_HHBase):
    """What the Pospischil cells share: one kernel (FS runs it with g_M = 0) and the rest."""

    _kernel = staticmethod(pospischil_kernel)

    def _rest(self, p) -> np.ndarray:
        """Resting state (V, m, h, n, p) of every set, shape (n_sets, 5); without g_M, p idles."""
        g_M = p.get("g_M", np.zeros_like(p["g_Na"]))
        args = [p["g_Na"], p["g_Kd"], g_M, p["g_L"], p["E_Na"], p["E_K"], p["E_L"], p["V_T"]]
        v = resting_potential(pospischil_steady_current, _reversal_bounds(p), args)
        gates = [pospischil_gates_inf(x, vt) for x, vt in zip(v, p["V_T"])]
        return np.column_stack([v, np.array(gates).reshape(v.size, 4)])


class PospischilRS(_Pospischil):
    """Pospischil et al. (2008) regular-spiking cortical cell: Traub-Miles INa/IKd shifted by
    V_T, and a slow M current (I_M = g_M p (V - E_K)) that makes it adapt.

    The kinetics are the published ones, for 36 degC; there is no temperature parameter.
    Defaults: the published RS cell (L = d = 96 um, 290 pF), which rests at -70.6 mV.
    """

    name = "hh_rs"
    parameters = _pospischil_params(_RS_AREA, 50.0, 1.0, with_m=True)
    rules = (*positive("area", "C_m", "tau_max"), *non_negative("g_Na", "g_Kd", "g_M", "g_L"),
             less("E_K", "E_Na"))
    presets = {
        "pospischil_2008_rs": dict(area=_RS_AREA, C_m=0.01, g_Na=500.0, g_Kd=50.0, g_M=0.7, g_L=1.0,
                                   E_Na=50e-3, E_K=-100e-3, E_L=-70e-3, V_T=-55e-3, tau_max=1.0),
    }
    state_names = ("v", "m", "h", "n", "p")
    brian2 = _brian2(_pospischil_brian2(with_m=True))


class PospischilFS(_Pospischil):
    """Pospischil et al. (2008) fast-spiking interneuron: Traub-Miles INa/IKd shifted by V_T,
    no M current, so it does not adapt.

    The kinetics are the published ones, for 36 degC; there is no temperature parameter.
    Defaults: the published FS cell (L = d = 67 um, 141 pF), which rests at -70.0 mV.
    """

    name = "hh_fs"
    parameters = _pospischil_params(_FS_AREA, 100.0, 1.5, with_m=False)
    rules = (*positive("area", "C_m"), *non_negative("g_Na", "g_Kd", "g_L"), less("E_K", "E_Na"))
    presets = {
        "pospischil_2008_fs": dict(area=_FS_AREA, C_m=0.01, g_Na=500.0, g_Kd=100.0, g_L=1.5,
                                   E_Na=50e-3, E_K=-100e-3, E_L=-70e-3, V_T=-55e-3),
    }
    state_names = ("v", "m", "h", "n")  # the kernel's fifth state, p, idles at rest
    brian2 = _brian2(_pospischil_brian2(with_m=False))
