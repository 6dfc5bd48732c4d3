"""RK4 integration of the Hodgkin-Huxley-type models, a block of parameter sets at a time: the numba kernels.

Integration: classic fourth-order Runge-Kutta with the current held constant over each
step, at most ``MAX_DT``. Steps are shortened where they would be too coarse: for a warm
squid axon (gates ``phi`` times faster) and wherever a rate makes RK4 unstable (the squid
axon below about -130 mV, extreme conductances). A spike is an upward crossing of 0 mV,
timed by linear interpolation within the step.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .hh_rates import l_current_rates, m_current_gate, pospischil_rates, squid_rates, t_current_gate
from .kernel_tools import NO_EVENT, NOT_FINITE, SPIKE, copy_into

MAX_DT = 1e-5
"""Integration step (s) at which RK4 integrates these models accurately: spike times within
0.1 us and V within 4 uV of LSODA (rtol 1e-10) under a step, tests/models/test_hh.py."""

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


@njit(cache=True, inline="always", error_model="numpy")
def _calcium_rhs(v, m, h, n, p, qa, r, u, q):
    """Pospischil cell with the M current and both Ca currents: I_L = g_CaL qa^2 r (V - E_Ca)
    and I_T = g_T s_inf(V)^2 u (V - E_Ca) (IB runs it with g_T = 0, LTS with g_CaL = 0)."""
    (i_inj, inv_C, g_Na, g_Kd, g_M, g_CaL, g_T, g_L, E_Na, E_K, E_Ca, E_L, V_T, V_x,
     inv_tau_max) = q
    am, bm, ah, bh, an, bn = pospischil_rates(v, V_T)
    p_inf, p_rate = m_current_gate(v, 1.0)
    aq, bq, ar, br = l_current_rates(v)
    s_inf, u_inf, u_rate = t_current_gate(v, V_x)
    g_K = g_Kd * (n * n) * (n * n) + g_M * p
    g_Ca = g_CaL * qa * qa * r + g_T * s_inf * s_inf * u
    i_ion = (g_Na * m * m * m * h * (v - E_Na) + g_K * (v - E_K) + g_Ca * (v - E_Ca)
             + g_L * (v - E_L))
    return ((i_inj - i_ion) * inv_C, am - (am + bm) * m, ah - (ah + bh) * h, an - (an + bn) * n,
            (p_inf - p) * p_rate * inv_tau_max, aq - (aq + bq) * qa, ar - (ar + br) * r,
            (u_inf - u) * u_rate)


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

SQUID, POSPISCHIL, CALCIUM = 0, 1, 2
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
def _calcium_stage(W, nb, I, c, w, keep):
    """One RK4 stage of a block of Pospischil cells with Ca currents, I the injected current (A).

    W rows: 15 parameters (1/area, 1/C_m, g_Na, g_Kd, g_M, g_CaL, g_T, g_L, E_Na, E_K, E_Ca,
    E_L, V_T, V_x, 1/tau_max), then y, s, a of (V, m, h, n, p, q, r, u).
    """
    B = HH_BLOCK
    y, s, a = 15 * B, 23 * B, 31 * B
    for j in range(nb):
        q = (I * W[j], W[B + j], W[2 * B + j], W[3 * B + j], W[4 * B + j], W[5 * B + j],
             W[6 * B + j], W[7 * B + j], W[8 * B + j], W[9 * B + j], W[10 * B + j], W[11 * B + j],
             W[12 * B + j], W[13 * B + j], W[14 * B + j])
        d = _calcium_rhs(W[s + j], W[s + B + j], W[s + 2 * B + j], W[s + 3 * B + j], W[s + 4 * B + j],
                         W[s + 5 * B + j], W[s + 6 * B + j], W[s + 7 * B + j], q)
        for r in range(8):
            _accumulate(W, r * B + j, d[r], y, s, a, c, w, keep)


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


@njit(cache=True, error_model="numpy")
def _calcium_stiffness(W, nb, gates):
    """Fastest rate (1/s) in a block of Pospischil cells with Ca currents now: of V
    (g_total / C_m), and of the gates too if ``gates``."""
    B = HH_BLOCK
    fastest = 0.0
    y = 15 * B
    for j in range(nb):
        v, m, h, n, p = W[y + j], W[y + B + j], W[y + 2 * B + j], W[y + 3 * B + j], W[y + 4 * B + j]
        qa, r, u = W[y + 5 * B + j], W[y + 6 * B + j], W[y + 7 * B + j]
        s_inf, u_inf, u_rate = t_current_gate(v, W[13 * B + j])
        g = (W[2 * B + j] * m * m * m * h + W[3 * B + j] * (n * n) * (n * n) + W[4 * B + j] * p
             + W[5 * B + j] * qa * qa * r + W[6 * B + j] * s_inf * s_inf * u + W[7 * B + j])
        fastest = max(fastest, g * W[B + j])
        if gates:
            am, bm, ah, bh, an, bn = pospischil_rates(v, W[12 * B + j])
            _, p_rate = m_current_gate(v, 1.0)
            aq, bq, ar, br = l_current_rates(v)
            fastest = max(fastest, am + bm, ah + bh, an + bn, p_rate * W[14 * B + j], aq + bq, ar + br,
                          u_rate)
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
    """Integrate one block of sets of ``model`` (SQUID, POSPISCHIL, CALCIUM) by RK4 steps of dt (s).

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
        copy_into(W[r * B:r * B + nb], Q[r])
    for r in range(n_y):
        copy_into(W[y + r * B:y + r * B + nb], y0[:, r])
    size, t_spike, flag = np.zeros(nb), np.zeros(nb), np.zeros(nb, np.int64)
    # V's rate g_total / C_m can jump within a sample (a spike opens g_Na); watch it after
    # every step only in a block where even full conductance could make dt unstable.
    n_g = 3 if model == SQUID else 4 if model == POSPISCHIL else 6  # conductance rows, from row 2
    full = 0.0
    for j in range(nb):
        full = max(full, W[2 * B + j:(2 + n_g) * B + j:B].sum() * W[B + j])
    watch_v = full * dt > _RK4_STABLE
    for k in range(current.shape[0]):
        if record_v:
            copy_into(v_out[lo:lo + nb, k], W[y:y + nb])
        t = k * steps_per_sample * dt
        split, left = 1, steps_per_sample
        check = True  # the gates once a sample, V too then and after each step if watched
        while left > 0:
            stiffness = 0.0
            if check or watch_v:
                if model == SQUID:
                    stiffness = _squid_stiffness(W, nb, check)
                elif model == POSPISCHIL:
                    stiffness = _pospischil_stiffness(W, nb, check)
                else:
                    stiffness = _calcium_stiffness(W, nb, check)
            check = False
            need = stiffness * dt / (split * _RK4_STABLE)  # NaN (diverged) compares False
            if need > 1.0 and split < _MAX_SPLIT:
                more = min(int(math.ceil(need)), _MAX_SPLIT // split)
                split, left = split * more, left * more
            h = dt / split
            copy_into(W[s:a], W[y:s])
            for stage in range(4):
                c, w, keep = _RK4_NODE[stage] * h, _RK4_WEIGHT[stage], 1.0 if stage else 0.0
                if model == SQUID:
                    _squid_stage(W, nb, current[k], c, w, keep)
                elif model == POSPISCHIL:
                    _pospischil_stage(W, nb, current[k], c, w, keep)
                else:
                    _calcium_stage(W, nb, current[k], c, w, keep)
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
        for j in range(hi - lo):  # element by element: see kernel_tools.copy_into
            Q[0, j] = 1.0 / Q[0, j]
            Q[1, j] = 1.0 / Q[1, j]
            Q[8, j] = 3.0 ** ((Q[8, j] - 6.3) / 10.0)
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
        for r in range(P.shape[0]):  # RS: row r of P; FS: rows 0-3, then 4-8 as RS's 5-9
            copy_into(Q[r if P.shape[0] == 11 or r < 4 else r + 1], P[r, lo:hi])
        if P.shape[0] != 11:
            Q[4, :] = 0.0
        for j in range(hi - lo):  # as _pospischil_rhs takes them: 1/area, 1/C_m, ..., 1/tau_max
            Q[0, j] = 1.0 / Q[0, j]
            Q[1, j] = 1.0 / Q[1, j]
            Q[10, j] = 1.0 / Q[10, j]
        _run_block(POSPISCHIL, Q, state0[lo:hi], current, dt, substeps, record_v, v_out, lo, spikes,
                   counts, diverged)



_IB_ROWS = (0, 1, 2, 3, 4, 5, -1, 6, 7, 8, 9, 10, 11, -1, 12)
_LTS_ROWS = (0, 1, 2, 3, 4, -1, 5, 6, 7, 8, 9, 10, 11, 12, 13)
# Row of P (IB: 13 parameters, no g_T or V_x; LTS: 14, no g_CaL) behind each of the 15 rows
# that _calcium_rhs takes; -1: that row is 0 (the current is absent).


@njit(parallel=True, cache=True)
def calcium_kernel(P, current, dt, substeps, record_v, state0, v_out, spikes, counts, diverged):
    """Kernel of the Pospischil cells with Ca currents: P has 13 rows (IB) or 14 (LTS)."""
    n_sets = P.shape[1]
    rows = _IB_ROWS if P.shape[0] == 13 else _LTS_ROWS
    for blk in prange((n_sets + HH_BLOCK - 1) // HH_BLOCK):
        lo = blk * HH_BLOCK
        hi = min(lo + HH_BLOCK, n_sets)
        Q = np.zeros((15, hi - lo))
        for k in range(15):
            if rows[k] >= 0:
                copy_into(Q[k], P[rows[k], lo:hi])
        for j in range(hi - lo):  # as _calcium_rhs takes them: 1/area, 1/C_m, ..., 1/tau_max
            Q[0, j] = 1.0 / Q[0, j]
            Q[1, j] = 1.0 / Q[1, j]
            Q[14, j] = 1.0 / Q[14, j]
        _run_block(CALCIUM, Q, state0[lo:hi], current, dt, substeps, record_v, v_out, lo, spikes,
                   counts, diverged)
