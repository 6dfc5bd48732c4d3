"""Simulate the Destexhe 2009 network: check the settings once, run Brian 2, summarise.

The model and its sources are in ``network``'s docstring.
"""
from __future__ import annotations

import time

import numpy as np

from ...data.units import require_finite, to_si
from .brian2_network import available_codegen_target, run_runtime, run_standalone
from .network import (DT, MIN_CELLS, NetworkResult, PoissonKick, connection_probability,
                      network_result, population_sizes)


def simulate_network(n: int = 2000, *, lts_fraction: float = 0.1, b=5e-12, delay=3e-3,
                     delay_jitter=1.5e-3, facilitation: float = 0.0, depression: float = 0.0,
                     stdp: bool | float = False, stochastic_release: bool = False, duration=2.0,
                     seed: int = 0, codegen_target: str | None = None,
                     kick: PoissonKick = PoissonKick(), V_reset=-55e-3, stdp_rate=0.01e-9,
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
    b : float
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
    V_reset : float
        V: reset potential (notebook -55 mV; the paper -60 mV).
    stdp_rate : float
        S: weight change per pre-before-post pairing (notebook: 0.01 nS).
    dt : float
        s: integration step.

    Returns
    -------
    NetworkResult
    """
    config = _validate(n=n, lts_fraction=lts_fraction, b=b, delay=delay,
                       delay_jitter=delay_jitter, facilitation=facilitation, depression=depression,
                       stdp=stdp, stochastic_release=stochastic_release, duration=duration,
                       seed=seed, kick=kick, V_reset=V_reset, stdp_rate=stdp_rate, dt=dt)
    target = available_codegen_target(codegen_target)
    start = time.perf_counter()
    if target == "cpp_standalone":
        times, indices, kick_times, kick_indices = run_standalone(config)
    else:
        times, indices, kick_times, kick_indices = run_runtime(config, target)
    wall = time.perf_counter() - start
    return network_result(config, times, indices, kick_times, kick_indices, wall, target)


def _validate(*, n, lts_fraction, b, delay, delay_jitter, facilitation, depression,
              stdp, stochastic_release, duration, seed, kick, V_reset, stdp_rate, dt) -> dict:
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
    b = require_finite(to_si(b, "A", "b"), "b")
    if b < 0:
        raise ValueError(f"b must be >= 0 (A), got b={b}")
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
    V_reset = require_finite(to_si(V_reset, "V", "V_reset"), "V_reset")
    stdp_rate = require_finite(to_si(stdp_rate, "S", "stdp_rate"), "stdp_rate")
    if stdp_rate < 0:
        raise ValueError(f"stdp_rate must be >= 0 (S), got stdp_rate={stdp_rate}")
    sizes = population_sizes(n, float(lts_fraction))
    return dict(n=n, lts_fraction=float(lts_fraction), b=b, delay=delay,
                delay_jitter=jitter, facilitation=float(facilitation), depression=float(depression),
                stdp=stdp_amount, stochastic_release=bool(stochastic_release), duration=duration,
                seed=int(seed), V_reset=V_reset, stdp_rate=stdp_rate, dt=dt, kick=kick,
                n_rs=sizes["RS"], n_lts=sizes["LTS"], n_fs=sizes["FS"],
                p_connect=connection_probability(n))
