"""Destexhe 2009 cortical network of AdEx neurons in Brian 2: self-sustained irregular activity.

Destexhe A (2009) Self-sustained asynchronous irregular states and Up-Down states in thalamic,
cortical and thalamocortical networks of nonlinear integrate-and-fire neurons. J Comput
Neurosci 27:493-506 (ModelDB 126466); as reproduced and extended in the course notebook
../shared/sources/destexhe2009_notebook.md ("the notebook"). Constants are from
../shared/reference/REFERENCE.md, section 3, and the notebook:

- Cells: AdEx with area 20 000 um2, C = 200 pF, g_L = 10 nS, E_L = -60 mV, V_T = -50 mV,
  Delta_T = 2.5 mV, tau_w = 600 ms, refractory 2.5 ms, spike at V > -20 mV; reset
  ``V_reset`` (-55 mV in the notebook, the default here; the paper gives -60 mV, as
  ``presets.destexhe_*``). 80 % excitatory: RS (a = 1 nS, b = ``b``) and a
  fraction ``lts_fraction`` of LTS (a = 20 nS, b = 0); 20 % inhibitory FS (a = 1 nS, b = 0).
  All start at V = E_L, w = 0. The membrane equations are AdEx's own (``AdEx.brian2``), with
  the synaptic current as the input.
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

This module holds the network's constants and what a run returns; ``brian2_network``
builds and runs it in Brian 2 (imported only then), ``simulate.simulate_network`` is the
entry point.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ...data.units import require_finite
from ...features import population
from ...models.presets import ADEX_PRESETS

POPULATIONS = ("RS", "LTS", "FS")
MIN_CELLS = 40
"""Smallest network: the connection probability 0.02 * 2000 / n must not exceed 1."""

CONNECTION_PROBABILITY = 0.02
"""Connection probability at n = 2000 (REFERENCE.md section 3; the notebook's ``epsilon``)."""
REFERENCE_SIZE = 2000
EXCITATORY_FRACTION = 0.8

MEMBRANE = {k: ADEX_PRESETS["destexhe_fs"][k] for k in
            ("C", "g_L", "E_L", "V_T", "Delta_T", "tau_w", "V_cut", "t_ref")}
"""The membrane every cell shares (SI), from the Destexhe 2009 AdEx presets."""
POPULATION_PRESETS = {"RS": "destexhe_rs_weak", "LTS": "destexhe_lts", "FS": "destexhe_fs"}
"""The preset (``presets.ADEX_PRESETS``) whose a and b each population takes; the RS b is
replaced by the ``b`` argument."""

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
        return population.split_trains(self.times, self.indices, self.n)

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
        Bin centres (s) of ``rates``, bins of ``features.population.DEFAULT_BIN``.
    rates : mapping "RS", "LTS", "FS", "all" -> float array
        Population rate (Hz per cell) in each bin; an empty population gives zeros.
    persistence : float
        s after the kick ends that the network stays active (``features.population.persistence``:
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



def network_result(config: dict, times, indices, kick_times, kick_indices, wall: float, target: str) -> NetworkResult:
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
            rate_time, rates[name] = population.population_rate(pop.times, pop.n, 0.0, duration)
    rate_time, rates["all"] = population.population_rate(times, int(bounds[-1]), 0.0, duration)
    for name in POPULATIONS:
        rates.setdefault(name, np.zeros_like(rate_time))
    trains = population.split_trains(times, indices, int(bounds[-1]))
    persistence = population.persistence(times, kick_end, duration)
    after = np.count_nonzero(times >= kick_end)
    params = {k: v for k, v in config.items()}
    params["kick"] = kick
    return NetworkResult(
        spikes=spikes, kick=kick_spikes, params=params, duration=duration, kick_end=kick_end,
        rate_time=rate_time, rates=rates, persistence=persistence,
        sustained=bool(persistence >= duration - kick_end),
        cv_isi=population.isi_cv(trains, t_start=kick_end),
        synchrony=population.synchrony_chi(trains, kick_end, duration),
        mean_rate=after / (int(bounds[-1]) * (duration - kick_end)),
        wall_time=wall, codegen_target=target,
    )

