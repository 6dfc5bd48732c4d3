"""Published parameter sets, by name, in SI units.

Sources are in ../shared/reference/REFERENCE.md (sections 1 to 3). Every preset is complete
for its model once the model's defaults fill in what it leaves out.
"""
from __future__ import annotations

import math

pA, nS, pF, mV, ms = 1e-12, 1e-9, 1e-12, 1e-3, 1e-3


def _adex(C, g_L, E_L, V_T, Delta_T, a, tau_w, b, V_reset, V_cut, t_ref=0.0):
    return dict(C=C * pF, g_L=g_L * nS, E_L=E_L * mV, V_T=V_T * mV, Delta_T=Delta_T * mV,
                a=a * nS, tau_w=tau_w * ms, b=b * pA, V_reset=V_reset * mV, V_cut=V_cut * mV,
                t_ref=t_ref * ms)


def _naud(C, g_L, E_L, V_T, Delta_T, a, tau_w, b, V_reset):
    """A row of Naud et al. 2008, Table 1 (V_peak = 0 mV, no refractory period)."""
    return _adex(C, g_L, E_L, V_T, Delta_T, a, tau_w, b, V_reset, V_cut=0.0)


def _destexhe(a, b):
    """Destexhe 2009 cell type: common membrane, type-specific (a nS, b pA).

    V_reset = -60 mV as in the paper (its seed notebook uses -55 mV); V_cut = -20 mV as in
    the notebook's threshold.
    """
    return _adex(200, 10, -60, -50, 2.5, a, 600, b, V_reset=-60, V_cut=-20, t_ref=2.5)


ADEX_PRESETS = {
    "brette_gerstner_2005": _adex(281, 30, -70.6, -50.4, 2, 4, 144, 80.5, -70.6, -40.4),
    # Naud et al. 2008 Table 1, the rows that give their pattern as printed.
    "naud_tonic": _naud(200, 10, -70, -50, 2, 2, 30, 0, -58),
    "naud_adapting": _naud(200, 12, -70, -50, 2, 2, 300, 60, -58),
    "naud_initial_burst": _naud(130, 18, -58, -50, 2, 4, 150, 120, -50),
    "naud_regular_bursting": _naud(200, 10, -58, -50, 2, 2, 120, 100, -46),
    "naud_delayed_accelerating": _naud(200, 12, -70, -50, 2, -10, 300, 0, -58),
    "naud_irregular": _naud(100, 12, -60, -50, 2, -11, 130, 30, -48),
    # The two rows that do not give their pattern as printed, as corrected in Brian 2's
    # example of the paper.
    "naud_delayed_regular_bursting": _naud(100, 10, -65, -50, 2, -10, 90, 30, -47),
    "naud_transient": _naud(100, 10, -65, -50, 2, 10, 90, 100, -47),
    # Destexhe 2009 cell types (a nS, b pA). "Strong" RS adaptation spans 40 to 100 pA in
    # the paper; 40 pA is the weakest that already ends self-sustained network activity.
    "destexhe_rs_weak": _destexhe(1, 5),
    "destexhe_rs_strong": _destexhe(1, 40),
    "destexhe_fs": _destexhe(1, 0),
    "destexhe_lts": _destexhe(20, 0),
    "destexhe_tc": _destexhe(40, 0),
    "destexhe_re": _destexhe(30, 80),
}

NAUD_STEP_CURRENTS = {
    "naud_tonic": 500 * pA,
    "naud_adapting": 500 * pA,
    "naud_initial_burst": 400 * pA,
    "naud_regular_bursting": 210 * pA,
    "naud_delayed_accelerating": 300 * pA,
    "naud_irregular": 160 * pA,
    "naud_delayed_regular_bursting": 110 * pA,
    "naud_transient": 180 * pA,
}
"""The step current (A) that shows each Naud 2008 pattern."""

IZHIKEVICH_2003_CAPACITANCE = 100 * pF
"""Capacitance that scales the dimensionless 2003/2004 model into the 2007 form: an input of
I model units there is I * 100 pA here."""


def izhikevich_2003(a, b, c, d, v_peak=30.0, capacitance=IZHIKEVICH_2003_CAPACITANCE):
    """Map a 2003/2004 parameter set (a /ms, b, c mV, d) onto the 2007 dimensional form.

    The 2003 model ``v' = 0.04 v^2 + 5 v + 140 - u + I``, ``u' = a (b v - u)`` equals the
    dimensional model exactly when v_r is its resting potential (the lower root of
    ``0.04 v^2 + (5 - b) v + 140``), v_t = -125 mV - v_r (the roots of the quadratic sum to
    -125 mV), k = 0.04 C per mV, and u_dim = C (u - b v_r). Currents, b and d scale with
    C; a is converted from 1/ms to 1/s. Needs b <= 0.26 (above, no resting state).
    """
    disc = max((5.0 - b) ** 2 - 4 * 0.04 * 140.0, 0.0)
    if (5.0 - b) ** 2 - 4 * 0.04 * 140.0 < -1e-9:
        raise ValueError(f"b <= 0.26 must hold for a resting state, got b={b}")
    v_r = (-(5.0 - b) - math.sqrt(disc)) / 0.08
    scale = capacitance / pF
    v_t = max(-125.0 - v_r, v_r)  # equal at b = 0.26, where rounding could swap them
    return dict(C=capacitance, k=0.04 * scale * 1e-6, v_r=v_r * mV, v_t=v_t * mV,
                v_peak=v_peak * mV, a=a * 1e3, b=b * scale * nS, c=c * mV, d=d * scale * pA)


_IZH_2003_CLASSES = {
    "rs": (0.02, 0.2, -65, 8), "ib": (0.02, 0.2, -55, 4), "ch": (0.02, 0.2, -50, 2),
    "fs": (0.1, 0.2, -65, 2), "lts": (0.02, 0.25, -65, 2), "tc": (0.02, 0.25, -65, 0.05),
    "rz": (0.1, 0.26, -65, 2),
}

# Izhikevich 2004 figure, patterns that fit the dimensional form. Left out: G (class 1) and
# L (integrator), which use a different quadratic; R (accommodation), which uses a different
# u equation and has b = 1 (no rest); S and T (inhibition-induced), whose a < 0.
_IZH_2004_PATTERNS = {
    "tonic_spiking": (0.02, 0.2, -65, 6), "phasic_spiking": (0.02, 0.25, -65, 6),
    "tonic_bursting": (0.02, 0.2, -50, 2), "phasic_bursting": (0.02, 0.25, -55, 0.05),
    "mixed_mode": (0.02, 0.2, -55, 4), "spike_frequency_adaptation": (0.01, 0.2, -65, 8),
    "class_2": (0.2, 0.26, -65, 0), "spike_latency": (0.02, 0.2, -65, 6),
    "subthreshold_oscillations": (0.05, 0.26, -60, 0), "resonator": (0.1, 0.26, -60, -1),
    "rebound_spike": (0.03, 0.25, -60, 4), "rebound_burst": (0.03, 0.25, -52, 0),
    "threshold_variability": (0.03, 0.25, -60, 4), "bistability": (0.1, 0.26, -60, 0),
    "dap": (1.0, 0.2, -60, -21),
}

IZHIKEVICH_PRESETS = {
    "rs_2007": dict(C=100 * pF, k=0.7e-6, v_r=-60 * mV, v_t=-40 * mV, v_peak=35 * mV,
                    a=30.0, b=-2 * nS, c=-50 * mV, d=100 * pA),
    **{f"{k}_2003": izhikevich_2003(*v) for k, v in _IZH_2003_CLASSES.items()},
    **{f"{k}_2004": izhikevich_2003(*v) for k, v in _IZH_2004_PATTERNS.items()},
}
