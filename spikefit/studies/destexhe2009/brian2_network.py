"""The Destexhe 2009 network in Brian 2: its objects, and runs on each code-generation target.

The settings come from ``simulate._validate`` as a dict (SI units); the constants and the
model from ``network``. Brian 2 is imported only when a network is run.
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import logging
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ...models.adex import AdEx
from ...models.presets import ADEX_PRESETS
from .network import MEMBRANE, POPULATION_PRESETS, SYNAPSES, PoissonKick

CODEGEN_TARGETS = ("numpy", "cython", "cpp_standalone")
DEFAULT_CODEGEN_TARGET = "numpy"
"""The target of ``codegen_target=None``, chosen by measurement (benchmarks/_results_network.md):
numpy compiles nothing, so it is fastest for a single run and for short sweeps from cold
caches (CI, a first run); cython is 1.4x (N = 500) to 2.4x (N = 2000) faster per warm run but
its first run compiles for 70 to 80 s, which pays back only after about 25 runs at N = 2000."""


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



_SYNAPTIC_INPUT = """
I = g_e*(E_e - v) + g_i*(E_i - v) : amp
dg_e/dt = -g_e/tau_e : siemens
dg_i/dt = -g_i/tau_i : siemens
a : siemens (constant)
b : amp (constant)
"""
"""What the network adds to AdEx's equations: the input current is synaptic, and a and b
differ between cells; the other AdEx parameters are shared constants."""

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


def build(b2, config: dict, codeobj_class):
    """The network's Brian 2 objects: (Network, cortex spike monitor, kick spike monitor)."""
    kick: PoissonKick = config["kick"]
    n_rs, n_lts, n_fs = config["n_rs"], config["n_lts"], config["n_fs"]
    n, n_exc = n_rs + n_lts + n_fs, n_rs + n_lts
    dt = config["dt"] * b2.second
    common = dict(dt=dt, codeobj_class=codeobj_class)
    m = MEMBRANE
    namespace = dict(C=m["C"] * b2.farad, g_L=m["g_L"] * b2.siemens, E_L=m["E_L"] * b2.volt,
                     V_T=m["V_T"] * b2.volt, Delta_T=m["Delta_T"] * b2.volt,
                     tau_w=m["tau_w"] * b2.second, V_cut=m["V_cut"] * b2.volt,
                     V_reset=config["V_reset"] * b2.volt,
                     E_e=SYNAPSES["E_e"] * b2.volt, E_i=SYNAPSES["E_i"] * b2.volt,
                     tau_e=SYNAPSES["tau_e"] * b2.second, tau_i=SYNAPSES["tau_i"] * b2.second)
    adex = AdEx.brian2
    # Brian's own refractory=t_ref and exponential Euler, as the notebook (the single-cell
    # backend holds v one step longer, HOLD_FOR_T_REF, to match the numba kernels)
    cortex = b2.NeuronGroup(n, b2.Equations(adex.equations) + b2.Equations(_SYNAPTIC_INPUT),
                            threshold=adex.threshold, reset=adex.reset,
                            refractory=m["t_ref"] * b2.second, method="exponential_euler",
                            namespace=namespace, name="cortex", **common)
    a, b = np.empty(n), np.empty(n)
    for name, cells in (("RS", slice(0, n_rs)), ("LTS", slice(n_rs, n_exc)), ("FS", slice(n_exc, n))):
        preset = ADEX_PRESETS[POPULATION_PRESETS[name]]
        a[cells] = preset["a"]
        b[cells] = config["b"] if name == "RS" else preset["b"]
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


def run_runtime(config: dict, target: str):
    """Run on a runtime target (code objects chosen per object, no global preference set).

    Returns the cortex's spike times (s) and indices, then the kick's.
    """
    import brian2 as b2

    state = np.random.get_state()  # Brian seeds numpy's global generator; give it back
    try:
        b2.seed(config["seed"])
        with _quiet_random_order_warning(), np.errstate(over="ignore"):
            net, cortex_spikes, kick_spikes = build(b2, config, _code_object_class(target))
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


def run_standalone(config: dict):
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
                net, cortex_spikes, kick_spikes = build(b2, config, None)
                net.run(config["duration"] * b2.second, namespace={})
            return (np.array(cortex_spikes.t_), np.array(cortex_spikes.i_),
                    np.array(kick_spikes.t_), np.array(kick_spikes.i_))
        finally:
            b2.device.reinit()
            from brian2.devices.device import reset_device

            reset_device()
