"""Resting state of the Hodgkin-Huxley-type models: gates at steady state, and the lowest root of the I-V curve.

Every model starts a simulation at its resting steady state: the potential where the ionic
current with every gate at its steady state turns from inward to outward, found per parameter
set by a scan and ``brentq``, and the gates at their steady state there.
"""
from __future__ import annotations

import numpy as np
from numba import njit, vectorize
from scipy.optimize import brentq

from .hh_rates import l_current_rates, m_current_gate, pospischil_rates, squid_rates, t_current_gate

_REST_GRID = 601  # points scanned between the lowest and highest reversal potential


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


def reversal_bounds(p) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest reversal potential (V) of every set: the steady-state current changes sign between."""
    e = np.stack([p["E_Na"], p["E_K"], p["E_L"]])
    return e.min(axis=0), e.max(axis=0)


def squid_rest(p) -> np.ndarray:
    """Resting state (V, m, h, n) of every set of squid-axon parameters ``p`` (name -> array), shape (n_sets, 4)."""
    args = [p[k] for k in ("g_Na", "g_K", "g_L", "E_Na", "E_K", "E_L")]
    v = resting_potential(squid_steady_current, reversal_bounds(p), args)
    gates = [squid_gates_inf(x) for x in v]
    return np.column_stack([v, np.array(gates).reshape(v.size, 3)])


def pospischil_rest(p) -> np.ndarray:
    """Resting state (V, m, h, n, p) of every set of Pospischil parameters, shape (n_sets, 5); without g_M, p idles."""
    g_M = p.get("g_M", np.zeros_like(p["g_Na"]))
    args = [p["g_Na"], p["g_Kd"], g_M, p["g_L"], p["E_Na"], p["E_K"], p["E_L"], p["V_T"]]
    v = resting_potential(pospischil_steady_current, reversal_bounds(p), args)
    gates = [pospischil_gates_inf(x, vt) for x, vt in zip(v, p["V_T"])]
    return np.column_stack([v, np.array(gates).reshape(v.size, 4)])


@njit(cache=True, inline="always", error_model="numpy")
def calcium_gates_inf(v, V_T, V_x):
    """Steady-state m, h, n, p, q, r, u (1) at v (V), and s_inf of the T current."""
    m, h, n, p = pospischil_gates_inf(v, V_T)
    aq, bq, ar, br = l_current_rates(v)
    s_inf, u_inf, _ = t_current_gate(v, V_x)
    return m, h, n, p, aq / (aq + bq), ar / (ar + br), u_inf, s_inf


@vectorize(["float64(float64, float64, float64, float64, float64, float64, float64, float64, float64, "
            "float64, float64, float64, float64)"], cache=True)
def calcium_steady_current(v, g_Na, g_Kd, g_M, g_CaL, g_T, g_L, E_Na, E_K, E_Ca, E_L, V_T, V_x):
    """Ionic current density (A/m2) at v (V) with every gate at its steady state."""
    m, h, n, p, q, r, u, s = calcium_gates_inf(v, V_T, V_x)
    return (g_Na * m**3 * h * (v - E_Na) + (g_Kd * n**4 + g_M * p) * (v - E_K)
            + (g_CaL * q**2 * r + g_T * s**2 * u) * (v - E_Ca) + g_L * (v - E_L))


def calcium_rest(p) -> np.ndarray:
    """Resting state (V, m, h, n, p, q, r, u) of every set of Pospischil parameters with Ca
    currents, shape (n_sets, 8); the gates of an absent current idle at their steady state."""
    zeros = np.zeros_like(p["g_Na"])
    g_CaL, g_T, V_x = (p.get(k, zeros) for k in ("g_CaL", "g_T", "V_x"))
    args = [p["g_Na"], p["g_Kd"], p["g_M"], g_CaL, g_T, p["g_L"], p["E_Na"], p["E_K"], p["E_Ca"],
            p["E_L"], p["V_T"], V_x]
    e = np.stack([p["E_Na"], p["E_K"], p["E_L"], p["E_Ca"]])
    v = resting_potential(calcium_steady_current, (e.min(axis=0), e.max(axis=0)), args)
    gates = [calcium_gates_inf(x, vt, vx)[:7] for x, vt, vx in zip(v, p["V_T"], V_x)]
    return np.column_stack([v, np.array(gates).reshape(v.size, 7)])
