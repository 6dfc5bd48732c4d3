"""Hodgkin-Huxley-type conductance models: the squid axon (1952) and Pospischil et al. (2008).

    C_m dV/dt = I/area - I_Na - I_K - I_L  (- I_M, Pospischil RS; - I_M - I_CaL, IB; - I_M - I_T, LTS)
    I_Na = g_Na m^3 h (V - E_Na),  I_K = g_K n^4 (V - E_K),  I_L = g_L (V - E_L)
    dx/dt = alpha_x(V) (1 - x) - beta_x(V) x                  for x = m, h, n (and q, r of I_CaL)
    I_M = g_M p (V - E_K),  dp/dt = (p_inf(V) - p) / tau_p(V)
    I_CaL = g_CaL q^2 r (V - E_Ca),  I_T = g_T s_inf(V)^2 u (V - E_Ca),  du/dt = (u_inf(V) - u) / tau_u(V)

Capacitance and conductances are densities (F/m2, S/m2); the injected current I (A) is
spread over the membrane ``area`` (m2). The rate functions (``hh_rates``) are written as
published, in mV and 1/ms, and converted to SI where they are evaluated; ``hh_rk4`` integrates
by RK4 in numba kernels, from the resting steady state that ``hh_rest`` finds. These models draw
their own action potentials: recorded traces carry no spike marker.
"""
from __future__ import annotations

import math

import numpy as np

from .base import Model
from .brian2_equations import Brian2Equations
from .hh_rest import calcium_rest, pospischil_rest, squid_rest
from .hh_rk4 import MAX_DT, calcium_kernel, pospischil_kernel, squid_kernel
from .parameters import Parameter, less, non_negative, positive


def _named(model: Model, matrix: np.ndarray) -> dict[str, np.ndarray]:
    return {p.name: np.asarray(row, dtype=float) for p, row in zip(model.parameters, matrix)}


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


def _pospischil_brian2(with_m: bool, calcium: str = "") -> str:
    """Brian 2 equations of a Pospischil cell, with or without the M current, and with the
    L-type (``calcium="L"``) or T-type (``"T"``) Ca current."""
    i_m = (" - I_M" if with_m else "") + {"": "", "L": " - I_CaL", "T": " - I_T"}[calcium]
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
    if calcium == "L":
        text += """I_CaL = g_CaL*q**2*r*(v - E_Ca) : amp/meter**2
dq/dt = alpha_q*(1 - q) - beta_q*q : 1
dr/dt = alpha_r*(1 - r) - beta_r*r : 1
alpha_q = 0.055/(mV*ms)*3.8*mV/exprel(-(v + 27*mV)/(3.8*mV)) : Hz
beta_q = 0.94/ms*exp(-(v + 75*mV)/(17*mV)) : Hz
alpha_r = 0.000457/ms*exp(-(v + 13*mV)/(50*mV)) : Hz
beta_r = 0.0065/ms/(exp(-(v + 15*mV)/(28*mV)) + 1) : Hz
"""
    if calcium == "T":
        text += """I_T = g_T*s_inf**2*u*(v - E_Ca) : amp/meter**2
du/dt = (u_inf - u)/tau_u : 1
s_inf = 1/(1 + exp(-(v + V_x + 57*mV)/(6.2*mV))) : 1
u_inf = 1/(1 + exp((v + V_x + 81*mV)/(4*mV))) : 1
tau_u = (30.8*ms + (211.4*ms + exp((v + V_x + 113.2*mV)/(5*mV))*ms)/(1 + exp((v + V_x + 84*mV)/(3.2*mV))))/3.7 : second
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
    spike_drawing = "shape"
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
        return squid_rest(p)


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
        return pospischil_rest(p)


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


def _calcium_params(calcium: str, *, g_Kd, g_M, g_Ca, E_L, V_T, tau_max, V_x=None):
    """Pospischil 2008 parameters (SI) of a cell with the M current and one Ca current
    (``calcium`` "L": g_CaL; "T": g_T and its shift V_x); L = d = 96 um, g_leak 1e-5 S/cm2."""
    rs = {p.name: p for p in _pospischil_params(_RS_AREA, g_Kd, 0.1, with_m=True)}
    if calcium == "L":
        ca = [Parameter("g_CaL", "S/m2", g_Ca, 0.0, 10.0, False, "peak high-threshold L-type Ca conductance density")]
    else:
        ca = [Parameter("g_T", "S/m2", g_Ca, 0.0, 20.0, False, "peak low-threshold T-type Ca conductance density")]
    shift = [] if V_x is None else [
        Parameter("V_x", "V", V_x, -20e-3, 10e-3, False, "shift of the T current's kinetics")]
    return (rs["area"], rs["C_m"], rs["g_Na"], rs["g_Kd"],
            Parameter("g_M", "S/m2", g_M, 0.0, 5.0, False, "peak slow M-current conductance density (adaptation)"),
            *ca, rs["g_L"], rs["E_Na"], rs["E_K"],
            Parameter("E_Ca", "V", 120e-3, 80e-3, 150e-3, False, "calcium reversal potential (120 mV as published: no Ca dynamics)"),
            Parameter("E_L", "V", E_L, -100e-3, -50e-3, False, "leak reversal potential"),
            Parameter("V_T", "V", V_T, -70e-3, -40e-3, False, "shift of the Na and Kd kinetics (sets threshold)"),
            *shift,
            Parameter("tau_max", "s", tau_max, 0.05, 8.0, True, "largest time constant of the M current"))


class _PospischilCalcium(_HHBase):
    """What the Pospischil cells with a Ca current share: one kernel (IB runs it with g_T = 0,
    LTS with g_CaL = 0), the rest, and E_Ca = 120 mV fixed as published (no Ca dynamics)."""

    _kernel = staticmethod(calcium_kernel)
    kernel_states = ("v", "m", "h", "n", "p", "q", "r", "u")

    def _rest(self, p) -> np.ndarray:
        """Resting state (V, m, h, n, p, q, r, u) of every set, shape (n_sets, 8)."""
        return calcium_rest(p)

    def brian2_initial(self, params_df) -> dict[str, np.ndarray]:
        """Resting state (SI) of every parameter set, by Brian 2 state-variable name."""
        state = self._rest({c: params_df[c].to_numpy(dtype=float) for c in params_df.columns})
        return {name: state[:, self.kernel_states.index(name)] for name in self.state_names}


class PospischilIB(_PospischilCalcium):
    """Pospischil et al. (2008) intrinsically bursting cell: the RS cell's currents, a weaker
    leak and M current, and a high-threshold L-type Ca current (Reuveni et al. 1993),
    I_CaL = g_CaL q^2 r (V - E_Ca), that makes a step start with a burst before regular spiking.

    Defaults: the published IB cell (L = d = 96 um, 290 pF; g_CaL 1.5e-4 S/cm2, within the
    published 1e-4 to 2e-4), which rests at -85.3 mV.
    """

    name = "hh_ib"
    parameters = _calcium_params("L", g_Kd=50.0, g_M=0.3, g_Ca=1.5, E_L=-85e-3, V_T=-55e-3, tau_max=1.0)
    rules = (*positive("area", "C_m", "tau_max"), *non_negative("g_Na", "g_Kd", "g_M", "g_CaL", "g_L"),
             less("E_K", "E_Na"))
    presets = {"pospischil_2008_ib": {p.name: p.default for p in parameters}}
    state_names = ("v", "m", "h", "n", "p", "q", "r")  # the kernel's u idles at rest
    brian2 = _brian2(_pospischil_brian2(with_m=True, calcium="L"))


class PospischilLTS(_PospischilCalcium):
    """Pospischil et al. (2008) low-threshold spiking cell: the RS cell's currents with a
    slower, weaker M current, and a low-threshold T-type Ca current (Destexhe et al. 1996),
    I_T = g_T s_inf(V)^2 u (V - E_Ca), de-inactivated by hyperpolarisation: a rebound burst
    at the end of a hyperpolarising step, and adapting trains under depolarising steps.

    Defaults: the published LTS cell (L = d = 96 um, 290 pF; g_Kd 4, g_M 0.028, g_T 0.4 mS/cm2,
    V_T -50 mV, V_x -7 mV, tau_max 4 s), which rests at -85.2 mV.
    """

    name = "hh_lts"
    parameters = _calcium_params("T", g_Kd=40.0, g_M=0.28, g_Ca=4.0, E_L=-85e-3, V_T=-50e-3, tau_max=4.0,
                                 V_x=-7e-3)
    rules = (*positive("area", "C_m", "tau_max"), *non_negative("g_Na", "g_Kd", "g_M", "g_T", "g_L"),
             less("E_K", "E_Na"))
    presets = {"pospischil_2008_lts": {p.name: p.default for p in parameters}}
    state_names = ("v", "m", "h", "n", "p", "u")  # the kernel's q and r idle at rest
    brian2 = _brian2(_pospischil_brian2(with_m=True, calcium="T"))
