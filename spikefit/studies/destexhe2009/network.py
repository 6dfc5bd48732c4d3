"""Destexhe 2009 cortical network of AdEx neurons in Brian 2: self-sustained irregular activity.

Destexhe A (2009) Self-sustained asynchronous irregular states and Up-Down states in thalamic,
cortical and thalamocortical networks of nonlinear integrate-and-fire neurons. J Comput
Neurosci 27:493-506 (ModelDB 126466); as reproduced and extended in the course notebook
../shared/sources/destexhe2009_notebook.md ("the notebook"). Constants are from
../shared/reference/REFERENCE.md, section 3, and the notebook:

- Cells: AdEx with area 20 000 um2, C = 200 pF, g_L = 10 nS, E_L = -60 mV, V_T = -50 mV,
  Delta_T = 2.5 mV, tau_w = 600 ms, refractory 2.5 ms, spike at V > -20 mV; reset
  ``v_reset`` (-55 mV in the notebook, the default here; the paper gives -60 mV, as
  ``presets.destexhe_*``). 80 % excitatory: RS (a = 1 nS, b = ``adaptation_b``) and a
  fraction ``lts_fraction`` of LTS (a = 20 nS, b = 0); 20 % inhibitory FS (a = 1 nS, b = 0).
  All start at V = E_L, w = 0.
- Connectivity: every ordered pair of distinct cells connected with probability
  0.02 * 2000 / n (2 % at n = 2000, scaled up for smaller networks as the notebook does).
- Conductance synapses: excitatory 6 nS, E_e = 0 mV, tau_e = 5 ms; inhibitory 67 nS,
  E_i = -80 mV, tau_i = 10 ms. Delays drawn uniformly in ``delay +- delay_jitter / 2``.
- Release (the notebook's Tsodyks-Markram-style model): each synapse has a release
  probability p_s relaxing to p_s0 = 1 - ``facilitation`` (tau 0.8 s) and available
  resources n_s relaxing to 1 (tau 1.5 s). On a presynaptic spike: ``p_s += p_s0 (1 - p_s)``,
  then release ``r = p_s n_s``, then ``n_s -= depression * r``; the conductance jumps by
  ``w r``. With ``stochastic_release`` one vesicle is released with probability ``r``
  (the conductance jumps by ``w`` or not at all) and ``n_s`` drops by ``depression`` when
  it is (the notebook's pool of ``1/depression`` vesicles).
- STDP (optional): pair-based traces with tau 20 ms, potentiation ``stdp_rate`` (0.01 nS in
  the notebook) and depression 1.05 times that, each weight bounded to
  ``[(1 - stdp) w, w]``. Weights start at ``w``; the notebook leaves them unset (0), so its
  first clip puts them at the lower bound.
- Kick: ``PoissonKick``, the notebook's transient Poisson group (100 sources at 200 Hz from
  50 to 250 ms, each RS cell receiving from a source with probability 0.005, 3 nS); then no
  external input at all.

Brian 2 is imported only when a network is simulated.
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import logging
import math
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from ..data.units import require_finite, to_si
from . import network_stats as stats
from .presets import ADEX_PRESETS

POPULATIONS = ("RS", "LTS", "FS")
CODEGEN_TARGETS = ("numpy", "cython", "cpp_standalone")
DEFAULT_CODEGEN_TARGET = "numpy"
"""The target of ``codegen_target=None``, chosen by measurement (benchmarks/_results_network.md):
numpy compiles nothing, so it is fastest for a single run and for short sweeps from cold
caches (CI, a first run); cython is 1.4x (N = 500) to 2.4x (N = 2000) faster per warm run but
its first run compiles for 70 to 80 s, which pays back only after about 25 runs at N = 2000."""

MIN_CELLS = 40
"""Smallest network: the connection probability 0.02 * 2000 / n must not exceed 1."""

CONNECTION_PROBABILITY = 0.02
"""Connection probability at n = 2000 (REFERENCE.md section 3; the notebook's ``epsilon``)."""
REFERENCE_SIZE = 2000
EXCITATORY_FRACTION = 0.8

_MEMBRANE = {k: ADEX_PRESETS["destexhe_fs"][k] for k in
             ("C", "g_L", "E_L", "V_T", "Delta_T", "tau_w", "V_cut", "t_ref")}
CELL_TYPES = {"RS": "destexhe_rs_weak", "LTS": "destexhe_lts", "FS": "destexhe_fs"}
"""The preset (``presets.ADEX_PRESETS``) whose a and b each population takes; the RS b is
replaced by the ``adaptation_b`` argument."""

SYNAPSES = dict(
    w_e=6e-9, w_i=67e-9,            # S, peak conductance per synapse
    E_e=0.0, E_i=-80e-3,            # V, reversal potentials
    tau_e=5e-3, tau_i=10e-3,        # s, conductance decay
    tau_ps=0.8, tau_ns=1.5,         # s, facilitation and resource recovery
    tau_stdp=20e-3,                 # s, STDP traces
)
"""Synaptic constants of the notebook (and the paper for weights, reversals, time constants)."""

DT = 1e-4
"""Integration step (s), as in the notebook."""


@dataclass(frozen=True)
class PoissonKick:
    """The transient external input that starts the network's activity.

    ``n_sources`` Poisson sources fire at ``rate`` (Hz) from ``start`` to ``stop`` (s); each
    RS cell receives from each source with probability ``p_connect``, through an excitatory
    synapse of ``weight`` (S). Defaults are the notebook's (``transient_PoissonGroup(100,
    200 Hz, 50 ms, 250 ms)``, ``S_ext.connect(p=0.005)``, ``w_ext = 3 nS``).
    """

    n_sources: int = 100
    rate: float = 200.0
    start: float = 0.05
    stop: float = 0.25
    p_connect: float = 0.005
    weight: float = 3e-9

    def __post_init__(self):
        if int(self.n_sources) != self.n_sources or self.n_sources < 1:
            raise ValueError(f"PoissonKick n_sources must be an integer >= 1, got n_sources={self.n_sources}")
        for name in ("rate", "start", "stop", "weight"):
            value = require_finite(getattr(self, name), f"PoissonKick {name}")
            if value < 0:
                raise ValueError(f"PoissonKick {name} must be >= 0, got {name}={value}")
        if not self.start < self.stop:
            raise ValueError(f"PoissonKick start < stop must hold (s), got start={self.start}, stop={self.stop}")
        if not 0 <= self.p_connect <= 1:
            raise ValueError(f"PoissonKick p_connect must lie in [0, 1], got p_connect={self.p_connect}")


@dataclass(frozen=True, eq=False)
class PopulationSpikes:
    """Spikes of one population: ``times`` (s) and ``indices`` (0 .. n-1 within it)."""

    name: str
    n: int
    times: np.ndarray
    indices: np.ndarray

    def trains(self) -> list[np.ndarray]:
        """Spike times (s) per cell, sorted."""
        return stats.split_trains(self.times, self.indices, self.n)

    @property
    def count(self) -> int:
        return int(self.times.size)


@dataclass(frozen=True, eq=False)
class NetworkResult:
    """A simulated Destexhe 2009 network and its summaries.

    Attributes
    ----------
    spikes : mapping "RS", "LTS", "FS" -> PopulationSpikes
    kick : PopulationSpikes
        Spikes of the external Poisson sources.
    params : dict
        Every setting used, SI units (plus the population sizes).
    duration, kick_end : float
        Length of the run and end of the kick (s).
    rate_time : float array
        Bin centres (s) of ``rates``, bins of ``network_stats.DEFAULT_BIN``.
    rates : mapping "RS", "LTS", "FS", "all" -> float array
        Population rate (Hz per cell) in each bin; an empty population gives zeros.
    persistence : float
        s after the kick ends that the network stays active (``network_stats.persistence``:
        last spike minus kick end, or ``duration - kick_end`` if it fires in the last 50 ms).
    sustained : bool
        Still active at the end of the run.
    cv_isi : float
        Mean ISI coefficient of variation, cells with >= 3 spikes after the kick (NaN if none).
    synchrony : float
        Golomb's chi of all cells' 5 ms spike counts after the kick (NaN if < 2 cells fire).
    mean_rate : float
        Hz: mean rate per cell after the kick.
    wall_time : float
        s the simulation took (building, compiling and running).
    codegen_target : str
    """

    spikes: Mapping[str, PopulationSpikes]
    kick: PopulationSpikes
    params: Mapping[str, object]
    duration: float
    kick_end: float
    rate_time: np.ndarray
    rates: Mapping[str, np.ndarray]
    persistence: float
    sustained: bool
    cv_isi: float
    synchrony: float
    mean_rate: float
    wall_time: float
    codegen_target: str

    @property
    def n(self) -> int:
        return sum(p.n for p in self.spikes.values())

    def all_spikes(self) -> PopulationSpikes:
        """Every cell's spikes, cells numbered RS, then LTS, then FS."""
        offset, times, indices = 0, [], []
        for name in POPULATIONS:
            pop = self.spikes[name]
            times.append(pop.times)
            indices.append(pop.indices + offset)
            offset += pop.n
        return PopulationSpikes("all", offset, np.concatenate(times), np.concatenate(indices))

    def summary(self) -> dict:
        """The scalar summaries and the settings, as one flat dict (a sweep's table row)."""
        row = {k: v for k, v in self.params.items() if not isinstance(v, (dict, PoissonKick))}
        row.update(persistence=self.persistence, sustained=self.sustained, cv_isi=self.cv_isi,
                   synchrony=self.synchrony, mean_rate=self.mean_rate, wall_time=self.wall_time,
                   codegen_target=self.codegen_target)
        for name in POPULATIONS:
            pop = self.spikes[name]
            after = np.count_nonzero(pop.times >= self.kick_end)
            row[f"rate_{name}"] = after / (pop.n * (self.duration - self.kick_end)) if pop.n else math.nan
        return row


def population_sizes(n: int, lts_fraction: float) -> dict[str, int]:
    """Cells per population: 20 % FS, and the 80 % excitatory split into LTS and RS."""
    n_fs = int(round((1 - EXCITATORY_FRACTION) * n))
    n_lts = int(round(EXCITATORY_FRACTION * n * lts_fraction))
    return {"RS": n - n_fs - n_lts, "LTS": n_lts, "FS": n_fs}


def connection_probability(n: int) -> float:
    """The notebook's scaling: 0.02 at n = 2000, 0.02 * 2000 / n otherwise."""
    return CONNECTION_PROBABILITY * REFERENCE_SIZE / n


def available_codegen_target(target: str | None = None) -> str:
    """The Brian 2 target to use: ``target`` if given and usable, else ``DEFAULT_CODEGEN_TARGET``.

    "cython" needs Cython (``pip install spikefit[bench]``) and "cpp_standalone" a C++
    compiler; asking for one that is missing raises ValueError.
    """
    if target is None:
        return DEFAULT_CODEGEN_TARGET
    if target not in CODEGEN_TARGETS:
        raise ValueError(f"codegen_target must be one of {', '.join(CODEGEN_TARGETS)} or None, "
                         f"got {target!r}")
    if target == "cython" and importlib.util.find_spec("Cython") is None:
        raise ValueError("codegen_target='cython' needs Cython (pip install spikefit[bench]), "
                         "which is not installed; use 'numpy'")
    if target == "cpp_standalone" and not any(shutil.which(c) for c in (os.environ.get("CXX", "c++"), "g++", "clang++")):
        raise ValueError("codegen_target='cpp_standalone' needs a C++ compiler (c++, g++ or clang++ on the "
                         "PATH, or $CXX), none found; use 'numpy'")
    return target


def destexhe2009(n: int = 2000, lts_fraction: float = 0.1, adaptation_b=5e-12, delay=3e-3,
                 delay_jitter=1.5e-3, facilitation: float = 0.0, depression: float = 0.0,
                 stdp: bool | float = False, stochastic_release: bool = False, duration=2.0,
                 seed: int = 0, codegen_target: str | None = None, *,
                 kick: PoissonKick = PoissonKick(), v_reset=-55e-3, stdp_rate=0.01e-9,
                 dt=DT) -> NetworkResult:
    """Simulate the Destexhe 2009 cortical network (RS, LTS, FS AdEx cells) in Brian 2.

    The network is kicked by a transient Poisson input and then left alone; with weak RS
    adaptation and some LTS cells it sustains asynchronous irregular activity, with strong
    adaptation (b >= 40 pA) the activity dies out (Destexhe 2009, Fig. 7). See the module
    docstring for the model and its sources. Quantities may be brian2 Quantities.

    Parameters
    ----------
    n : int
        Number of cells (>= 40); 20 % FS, 80 % RS and LTS.
    lts_fraction : float
        Fraction of the excitatory cells that are LTS, in [0, 1] (notebook: 0.1; the paper's
        small network of Fig. 7 has 5 %).
    adaptation_b : float
        A: spike-triggered adaptation b of the RS cells (5 pA weak, 40 to 100 pA strong).
    delay, delay_jitter : float
        s: mean synaptic delay and the width of the uniform spread around it
        (``delay_jitter <= 2 * delay``); notebook: 3 ms and 1.5 ms.
    facilitation : float
        ``1 - p_s0`` in [0, 1): 0 releases with certainty (no facilitation, the notebook's
        run); larger values start synapses weak and let repeated spikes strengthen them.
    depression : float
        Fraction of the available resources used per unit release, in [0, 1] (0: none).
    stdp : bool or float
        STDP off (False, 0) or on; a number in [0, 1] is how far below its initial value
        STDP may push a weight (the notebook's ``stdp_amount``), True means 1.
    stochastic_release : bool
        Release all-or-none with probability ``p_s n_s`` instead of a graded ``p_s n_s``.
    duration : float
        s simulated (> kick.stop).
    seed : int
        Seeds Brian's random numbers (connectivity, delays, kick, release). Same seed, same
        target: same spikes. Different targets draw different numbers.
    codegen_target : {"numpy", "cython", "cpp_standalone"} or None
        Brian 2 target; None is ``DEFAULT_CODEGEN_TARGET`` ("numpy", the fastest from cold
        caches; benchmarks/_results_network.md). "cython" is faster for long runs and sweeps
        once its cache is warm.
    kick : PoissonKick
        External input that starts the activity.
    v_reset : float
        V: reset potential (notebook -55 mV; the paper -60 mV).
    stdp_rate : float
        S: weight change per pre-before-post pairing (notebook: 0.01 nS).
    dt : float
        s: integration step.

    Returns
    -------
    NetworkResult
    """
    config = _validate(n=n, lts_fraction=lts_fraction, adaptation_b=adaptation_b, delay=delay,
                       delay_jitter=delay_jitter, facilitation=facilitation, depression=depression,
                       stdp=stdp, stochastic_release=stochastic_release, duration=duration,
                       seed=seed, kick=kick, v_reset=v_reset, stdp_rate=stdp_rate, dt=dt)
    target = available_codegen_target(codegen_target)
    start = time.perf_counter()
    if target == "cpp_standalone":
        times, indices, kick_times, kick_indices = _run_standalone(config)
    else:
        times, indices, kick_times, kick_indices = _run_runtime(config, target)
    wall = time.perf_counter() - start
    return _result(config, times, indices, kick_times, kick_indices, wall, target)


def _validate(*, n, lts_fraction, adaptation_b, delay, delay_jitter, facilitation, depression,
              stdp, stochastic_release, duration, seed, kick, v_reset, stdp_rate, dt) -> dict:
    """Check every argument once, convert to SI, and return the settings as a dict."""
    if isinstance(n, bool) or int(n) != n or n < MIN_CELLS:
        raise ValueError(f"n must be an integer >= {MIN_CELLS} (the connection probability "
                         f"0.02 * 2000 / n must not exceed 1), got n={n}")
    n = int(n)
    for name, value in (("lts_fraction", lts_fraction), ("depression", depression)):
        if not 0 <= float(value) <= 1:
            raise ValueError(f"{name} must lie in [0, 1], got {name}={value}")
    if not 0 <= float(facilitation) < 1:
        raise ValueError(f"facilitation (1 - p_s0) must lie in [0, 1), got facilitation={facilitation}")
    if isinstance(stdp, bool):
        stdp_amount = 1.0 if stdp else 0.0
    else:
        stdp_amount = float(stdp)
        if not 0 <= stdp_amount <= 1:
            raise ValueError(f"stdp must be a bool or a number in [0, 1], got stdp={stdp}")
    b = require_finite(to_si(adaptation_b, "A", "adaptation_b"), "adaptation_b")
    if b < 0:
        raise ValueError(f"adaptation_b must be >= 0 (A), got adaptation_b={b}")
    delay = require_finite(to_si(delay, "s", "delay"), "delay")
    jitter = require_finite(to_si(delay_jitter, "s", "delay_jitter"), "delay_jitter")
    if delay < 0 or jitter < 0:
        raise ValueError(f"delay and delay_jitter must be >= 0 (s), got delay={delay}, delay_jitter={jitter}")
    if jitter > 2 * delay + 1e-15:
        raise ValueError(f"delay_jitter <= 2 * delay must hold (no negative delays), "
                         f"got delay={delay}, delay_jitter={jitter}")
    dt = require_finite(to_si(dt, "s", "dt"), "dt")
    if dt <= 0:
        raise ValueError(f"dt must be > 0 (s), got dt={dt}")
    if not isinstance(kick, PoissonKick):
        raise ValueError(f"kick must be a PoissonKick, got {kick!r}")
    duration = require_finite(to_si(duration, "s", "duration"), "duration")
    if duration <= kick.stop:
        raise ValueError(f"duration must be > kick.stop={kick.stop} s (activity is measured after "
                         f"the kick), got duration={duration}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got seed={seed!r}")
    v_reset = require_finite(to_si(v_reset, "V", "v_reset"), "v_reset")
    stdp_rate = require_finite(to_si(stdp_rate, "S", "stdp_rate"), "stdp_rate")
    if stdp_rate < 0:
        raise ValueError(f"stdp_rate must be >= 0 (S), got stdp_rate={stdp_rate}")
    sizes = population_sizes(n, float(lts_fraction))
    return dict(n=n, lts_fraction=float(lts_fraction), adaptation_b=b, delay=delay,
                delay_jitter=jitter, facilitation=float(facilitation), depression=float(depression),
                stdp=stdp_amount, stochastic_release=bool(stochastic_release), duration=duration,
                seed=int(seed), v_reset=v_reset, stdp_rate=stdp_rate, dt=dt, kick=kick,
                n_rs=sizes["RS"], n_lts=sizes["LTS"], n_fs=sizes["FS"],
                p_connect=connection_probability(n))


# ----------------------------------------------------------------------------------------
# Brian 2 model


_NEURON_EQUATIONS = """
dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w + I_syn)/C : volt (unless refractory)
dw/dt = (a*(v - E_L) - w)/tau_w : amp
I_syn = g_e*(E_e - v) + g_i*(E_i - v) : amp
dg_e/dt = -g_e/tau_e : siemens
dg_i/dt = -g_i/tau_i : siemens
a : siemens (constant)
b : amp (constant)
"""

_TM_MODEL = """
dp_s/dt = (p_s0 - p_s)/tau_ps : 1 (event-driven)
dn_s/dt = (1 - n_s)/tau_ns : 1 (event-driven)
"""

_STDP_MODEL = """
w_syn : siemens
dApre/dt = -Apre/tau_stdp : siemens (event-driven)
dApost/dt = -Apost/tau_stdp : siemens (event-driven)
"""


def _synapse_code(config: dict, conductance: str) -> dict:
    """Model, on_pre and on_post of a Synapses object onto ``conductance`` (g_e or g_i)."""
    stdp = config["stdp"] > 0
    pre = ["p_s += p_s0*(1 - p_s)"]
    if config["stochastic_release"]:
        pre += ["released = int(rand() < p_s*n_s)", "n_s = clip(n_s - depression*released, 0, 1)"]
        amount = "released"
    else:
        pre += ["r_s = p_s*n_s", "n_s -= depression*r_s"]
        amount = "r_s"
    weight = "w_syn" if stdp else "w_max"
    if stdp:
        pre += ["Apre += stdp_rate", "w_syn = clip(w_syn + Apost, w_min, w_max)"]
    pre.append(f"{conductance}_post += {weight}*{amount}")
    post = "Apost += -1.05*stdp_rate\nw_syn = clip(w_syn + Apre, w_min, w_max)" if stdp else None
    return dict(model=_TM_MODEL + (_STDP_MODEL if stdp else ""), on_pre="\n".join(pre), on_post=post)


def _build(b2, config: dict, codeobj_class):
    """The network's Brian 2 objects: (Network, cortex spike monitor, kick spike monitor)."""
    kick: PoissonKick = config["kick"]
    n_rs, n_lts, n_fs = config["n_rs"], config["n_lts"], config["n_fs"]
    n, n_exc = n_rs + n_lts + n_fs, n_rs + n_lts
    dt = config["dt"] * b2.second
    common = dict(dt=dt, codeobj_class=codeobj_class)
    m = _MEMBRANE
    namespace = dict(C=m["C"] * b2.farad, g_L=m["g_L"] * b2.siemens, E_L=m["E_L"] * b2.volt,
                     V_T=m["V_T"] * b2.volt, Delta_T=m["Delta_T"] * b2.volt,
                     tau_w=m["tau_w"] * b2.second, V_cut=m["V_cut"] * b2.volt,
                     V_reset=config["v_reset"] * b2.volt,
                     E_e=SYNAPSES["E_e"] * b2.volt, E_i=SYNAPSES["E_i"] * b2.volt,
                     tau_e=SYNAPSES["tau_e"] * b2.second, tau_i=SYNAPSES["tau_i"] * b2.second)
    cortex = b2.NeuronGroup(n, _NEURON_EQUATIONS, threshold="v > V_cut", reset="v = V_reset\nw += b",
                            refractory=m["t_ref"] * b2.second, method="exponential_euler",
                            namespace=namespace, name="cortex", **common)
    a, b = np.empty(n), np.empty(n)
    for name, cells in (("RS", slice(0, n_rs)), ("LTS", slice(n_rs, n_exc)), ("FS", slice(n_exc, n))):
        preset = ADEX_PRESETS[CELL_TYPES[name]]
        a[cells] = preset["a"]
        b[cells] = config["adaptation_b"] if name == "RS" else preset["b"]
    cortex.a = a * b2.siemens
    cortex.b = b * b2.amp
    cortex.v = m["E_L"] * b2.volt
    cortex.w = 0 * b2.amp

    objects = [cortex]
    p = config["p_connect"]
    delay_ns = dict(delay_mean=config["delay"] * b2.second, delay_jitter=config["delay_jitter"] * b2.second)
    for label, source, offset, conductance, w in (("exc", cortex[:n_exc], 0, "g_e", SYNAPSES["w_e"]),
                                                  ("inh", cortex[n_exc:], n_exc, "g_i", SYNAPSES["w_i"])):
        syn_ns = dict(p_s0=1.0 - config["facilitation"], depression=config["depression"],
                      tau_ps=SYNAPSES["tau_ps"] * b2.second, tau_ns=SYNAPSES["tau_ns"] * b2.second,
                      tau_stdp=SYNAPSES["tau_stdp"] * b2.second, stdp_rate=config["stdp_rate"] * b2.siemens,
                      w_max=w * b2.siemens, w_min=(1 - config["stdp"]) * w * b2.siemens)
        syn = b2.Synapses(source, cortex, namespace=syn_ns, name=f"{label}_synapses",
                          **_synapse_code(config, conductance), **common)
        # every ordered pair of distinct cells with probability p (no autapses)
        syn.connect(j=f"k for k in sample(N_post, p=p_connect) if k != i + {offset}",
                    namespace={"p_connect": p})
        syn.p_s = 1.0 - config["facilitation"]
        syn.n_s = 1.0
        if config["stdp"] > 0:
            syn.w_syn = w * b2.siemens
        syn.namespace.update(delay_ns)
        syn.delay = "delay_mean - 0.5*delay_jitter + delay_jitter*rand()"
        objects.append(syn)

    sources = b2.NeuronGroup(kick.n_sources, "", threshold="rand() < kick_rate*dt and t >= kick_start "
                             "and t < kick_stop", name="kick",
                             namespace=dict(kick_rate=kick.rate * b2.Hz, kick_start=kick.start * b2.second,
                                            kick_stop=kick.stop * b2.second), **common)
    objects.append(sources)
    if n_rs > 0:
        kick_syn = b2.Synapses(sources, cortex[:n_rs], on_pre="g_e_post += w_kick", name="kick_synapses",
                               namespace=dict(w_kick=kick.weight * b2.siemens), **common)
        kick_syn.connect(j="k for k in sample(N_post, p=p_kick)", namespace={"p_kick": kick.p_connect})
        objects.append(kick_syn)
    cortex_spikes = b2.SpikeMonitor(cortex, record=True, name="cortex_spikes", codeobj_class=codeobj_class)
    kick_spikes = b2.SpikeMonitor(sources, record=True, name="kick_spikes", codeobj_class=codeobj_class)
    objects += [cortex_spikes, kick_spikes]
    return b2.Network(*objects), cortex_spikes, kick_spikes


class _QuietRandomOrderWarning(logging.Filter):
    """Drop Brian's order-dependence warning that ``rand()`` in synaptic code always raises.

    Brian cannot prove that a function with internal state (its random generator) is
    order-independent, so stochastic release draws this warning; which synapse gets which
    random number does not change the statistics of the release.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "may not be well-defined" not in record.getMessage()


@contextmanager
def _quiet_random_order_warning():
    logger = logging.getLogger("brian2.codegen.generators.base")
    quiet = _QuietRandomOrderWarning()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def _code_object_class(target: str):
    if target == "numpy":
        from brian2.codegen.runtime.numpy_rt import NumpyCodeObject

        return NumpyCodeObject
    from brian2.codegen.runtime.cython_rt import CythonCodeObject

    return CythonCodeObject


def _run_runtime(config: dict, target: str):
    """Run on a runtime target (code objects chosen per object, no global preference set)."""
    import brian2 as b2

    state = np.random.get_state()  # Brian seeds numpy's global generator; give it back
    try:
        b2.seed(config["seed"])
        with _quiet_random_order_warning(), np.errstate(over="ignore"):
            net, cortex_spikes, kick_spikes = _build(b2, config, _code_object_class(target))
            net.run(config["duration"] * b2.second, namespace={})
        return (np.array(cortex_spikes.t_), np.array(cortex_spikes.i_),
                np.array(kick_spikes.t_), np.array(kick_spikes.i_))
    finally:
        np.random.set_state(state)


def standalone_directory(config: dict) -> Path:
    """Project folder for cpp_standalone, one per network structure, so ``make`` reuses the build.

    Under ``$SPIKEFIT_CACHE`` (default ``~/.cache/spikefit``)/brian2_standalone.
    """
    root = Path(os.environ.get("SPIKEFIT_CACHE", Path.home() / ".cache" / "spikefit"))
    key = f"{config['stdp'] > 0}-{config['stochastic_release']}-{config['n_rs'] > 0}"
    return root / "brian2_standalone" / f"destexhe2009-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def _run_standalone(config: dict):
    """Run as a C++ standalone program; its project folder is locked against concurrent runs."""
    import brian2 as b2

    directory = standalone_directory(config)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory.parent / f"{directory.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        b2.set_device("cpp_standalone", directory=str(directory), build_on_run=True, with_output=False)
        try:
            b2.seed(config["seed"])
            with _quiet_random_order_warning():
                net, cortex_spikes, kick_spikes = _build(b2, config, None)
                net.run(config["duration"] * b2.second, namespace={})
            return (np.array(cortex_spikes.t_), np.array(cortex_spikes.i_),
                    np.array(kick_spikes.t_), np.array(kick_spikes.i_))
        finally:
            b2.device.reinit()
            from brian2.devices.device import reset_device

            reset_device()


def _result(config: dict, times, indices, kick_times, kick_indices, wall: float, target: str) -> NetworkResult:
    """Split the spikes by population and compute the summaries."""
    kick: PoissonKick = config["kick"]
    times = np.asarray(times, dtype=float)
    indices = np.asarray(indices, dtype=np.int64)
    bounds = np.cumsum([0, config["n_rs"], config["n_lts"], config["n_fs"]])
    spikes = {}
    for k, name in enumerate(POPULATIONS):
        inside = (indices >= bounds[k]) & (indices < bounds[k + 1])
        spikes[name] = PopulationSpikes(name, int(bounds[k + 1] - bounds[k]), times[inside],
                                        indices[inside] - bounds[k])
    kick_spikes = PopulationSpikes("kick", kick.n_sources, np.asarray(kick_times, dtype=float),
                                   np.asarray(kick_indices, dtype=np.int64))
    duration, kick_end = config["duration"], kick.stop
    rates = {}
    rate_time = None
    for name in POPULATIONS:
        pop = spikes[name]
        if pop.n:
            rate_time, rates[name] = stats.population_rate(pop.times, pop.n, 0.0, duration)
    rate_time, rates["all"] = stats.population_rate(times, int(bounds[-1]), 0.0, duration)
    for name in POPULATIONS:
        rates.setdefault(name, np.zeros_like(rate_time))
    trains = stats.split_trains(times, indices, int(bounds[-1]))
    persistence = stats.persistence(times, kick_end, duration)
    after = np.count_nonzero(times >= kick_end)
    params = {k: v for k, v in config.items()}
    params["kick"] = kick
    return NetworkResult(
        spikes=spikes, kick=kick_spikes, params=params, duration=duration, kick_end=kick_end,
        rate_time=rate_time, rates=rates, persistence=persistence,
        sustained=bool(persistence >= duration - kick_end),
        cv_isi=stats.isi_cv(trains, t_start=kick_end),
        synchrony=stats.synchrony_chi(trains, kick_end, duration),
        mean_rate=after / (int(bounds[-1]) * (duration - kick_end)),
        wall_time=wall, codegen_target=target,
    )
