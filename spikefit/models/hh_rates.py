"""Rate functions of the Hodgkin-Huxley-type models: the squid axon (1952) and Pospischil et al. (2008).

    dx/dt = alpha_x(V) (1 - x) - beta_x(V) x                  for x = m, h, n
    dp/dt = (p_inf(V) - p) / tau_p(V)                          (M current, Pospischil RS, IB, LTS)
    I_L: q^2 r, alpha/beta as x above; I_T: s_inf(V)^2 u, du/dt = (u_inf(V) - u) / tau_u(V)  (IB, LTS)

The rates are written as published, in mV and 1/ms, and converted to SI (V in, 1/s out) where
they are evaluated. numba functions, inlined into the kernels (``hh_rk4``) and the steady-state
search (``hh_rest``).
"""
from __future__ import annotations

from numba import njit

from .kernel_tools import exp_simd

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
def l_current_rates(v):
    """Rates (1/s) alpha_q, beta_q, alpha_r, beta_r of the high-threshold L-type Ca current
    (Reuveni et al. 1993, as in Pospischil 2008), v in V."""
    u = v * 1e3
    aq = 0.055 * _vtrap(-(u + 27.0), 3.8)
    bq = 0.94 * exp_simd(-(u + 75.0) / 17.0)
    ar = 0.000457 * exp_simd(-(u + 13.0) / 50.0)
    br = 0.0065 / (exp_simd(-(u + 15.0) / 28.0) + 1.0)
    return aq * _MS, bq * _MS, ar * _MS, br * _MS


@njit(cache=True, inline="always", error_model="numpy")
def t_current_gate(v, V_x):
    """s_inf (1), u_inf (1) and 1/tau_u (1/s) of the low-threshold T-type Ca current
    (Destexhe et al. 1996 at 24 degC, times 3.7 for 36 degC, as in Pospischil 2008); its
    activation s is taken at steady state. ``v`` and the shift ``V_x`` in V."""
    w = (v + V_x) * 1e3
    s_inf = 1.0 / (1.0 + exp_simd(-(w + 57.0) / 6.2))
    u_inf = 1.0 / (1.0 + exp_simd((w + 81.0) / 4.0))
    tau_u = (30.8 + (211.4 + exp_simd((w + 113.2) / 5.0)) / (1.0 + exp_simd((w + 84.0) / 3.2))) / 3.7
    return s_inf, u_inf, _MS / tau_u
