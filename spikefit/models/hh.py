"""Hodgkin-Huxley-type conductance models: the squid axon (1952) and Pospischil et al. (2008).

    C_m dV/dt = I/area - I_Na - I_K - I_L  (- I_M, Pospischil RS)
    I_Na = g_Na m^3 h (V - E_Na),  I_K = g_K n^4 (V - E_K),  I_L = g_L (V - E_L)
    dx/dt = alpha_x(V) (1 - x) - beta_x(V) x                  for x = m, h, n
    I_M = g_M p (V - E_K),  dp/dt = (p_inf(V) - p) / tau_p(V)

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
from .hh_rest import pospischil_rest, squid_rest
from .hh_rk4 import MAX_DT, pospischil_kernel, squid_kernel
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
