"""Built-in Hodgkin-Huxley references: the recordings that simple models are compared against.

``spikefit.data.sources.reference(name)`` reads the squid axon (``hh``), or Pospischil 2008's
regular-spiking (``hh_rs``), fast-spiking (``hh_fs``), intrinsically bursting (``hh_ib``) or
low-threshold spiking (``hh_lts``) cell, as a Recording of ``STEP_FACTORS`` current steps
(0.1 to 0.9 s of 1 s, in units of the cell's rheobase) and one Ornstein-Uhlenbeck noise sweep
(``NOISE``), sampled at 0.1 ms.

``hh_rs_repeats`` is the RS cell under the same steps, then ``REPEATS`` repeats of one frozen
noise current, as a real cell is recorded for spike-timing reliability (Jolivet et al. 2008):
each repeat adds its own background noise (``BACKGROUND``, seeded), which the recording does
not hold, as a cell's intrinsic and synaptic noise is not in its recorded current. The repeats
therefore share one stimulus, and their spike trains agree less than perfectly.

The HH kernels take about a minute to compile on a cold
start, so the recordings ship with spikefit (``spikefit/data/references/*.npz``, written by
``write_references``) and a test checks that they equal a fresh simulation. The data room
owns the names and the files (``spikefit.data.sources``); this module says how they are made.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..data.sources import REFERENCES, reference_model, reference_path

STEP_FACTORS = (-0.5, 0.75, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0)
"""Step amplitudes in units of the reference's rheobase (``RHEOBASE``)."""

RHEOBASE = {"hh": 0.23e-9, "hh_rs": 0.57e-9, "hh_fs": 0.39e-9, "hh_ib": 0.11e-9, "hh_lts": 0.06e-9,
            "hh_rs_repeats": 0.57e-9}
"""A: the smallest 0.8 s step that makes each reference spike at least once (to 10 pA)."""

NOISE = (1.5, 1.0, 5e-3, 1)
"""The noise sweep: mean and standard deviation (units of the rheobase), correlation time
(s) and seed of the Ornstein-Uhlenbeck current, from 0.1 to 0.9 s."""

DURATION, START, STOP, DT = 1.0, 0.1, 0.9, 1e-4

REPEATS = (5, 2.0, 11)
"""hh_rs_repeats: number of repeats, duration (s; noise from START to duration - 0.1 s) and
seed of the frozen noise (mean and standard deviation as ``NOISE``)."""

BACKGROUND = (0.3, 5e-3, 100)
"""Background noise of each repeat: standard deviation (units of the rheobase; mean 0),
correlation time (s), and the seed of the first repeat (the next ones count up)."""


def protocol(name: str) -> list:
    """The stimuli of a reference as recorded: the steps, then the noise sweep (or its repeats)."""
    from ..data import ou_noise, step_protocol

    base = _rheobase(name)
    steps = step_protocol([round(f * base, 12) for f in STEP_FACTORS], START, STOP, DURATION, DT)
    mean, sd, tau, seed = NOISE
    if name not in REFERENCE_REPEATED:
        return list(steps) + [ou_noise(mean * base, sd * base, tau, START, STOP, DURATION, DT, seed=seed)]
    n, duration, frozen_seed = REPEATS
    frozen = ou_noise(mean * base, sd * base, tau, START, duration - 0.1, duration, DT, seed=frozen_seed)
    return list(steps) + [frozen] * n


def background(name: str) -> list:
    """Current (A) added to each sweep of ``protocol(name)`` in the simulation and not recorded:
    zero for the steps, an independent OU noise for each repeat of the frozen noise."""
    from ..data import ou_noise

    stimuli = protocol(name)
    if name not in REFERENCE_REPEATED:
        return [np.zeros(s.n_samples) for s in stimuli]
    sd, tau, seed = BACKGROUND
    n, duration, _ = REPEATS
    noise = [ou_noise(0.0, sd * _rheobase(name), tau, 0.0, duration, duration, DT, seed=seed + k).current
             for k in range(n)]
    return [np.zeros(s.n_samples) for s in stimuli[:-n]] + noise


REFERENCE_REPEATED = ("hh_rs_repeats",)
"""References whose noise sweep is repeated (``REPEATS``), each repeat with its background noise."""


def _rheobase(name: str) -> float:
    if name not in REFERENCES:
        raise ValueError(f"unknown reference {name!r}; references are {', '.join(REFERENCES)}")
    return RHEOBASE[name]


def simulate_reference(name: str):
    """The reference simulated now (about a minute on a cold numba cache); each sweep keeps
    the stimulus as recorded (``protocol``), without its background noise."""
    from dataclasses import replace

    from ..data import Recording
    from . import get_model

    recorded = protocol(name)
    driven = [replace(s, current=s.current + extra) for s, extra in zip(recorded, background(name))]
    simulated = get_model(reference_model(name)).simulate(None, driven)
    sweeps = [replace(trace, stimulus=s) for trace, s in zip(simulated.sweeps, recorded)]
    return Recording(sweeps, {"cell": name, "reference": name, "source": f"spikefit reference {name} (simulated)"})


def write_references(folder: Path | None = None, names=REFERENCES) -> list[Path]:
    """Simulate every reference (or those named) and write it as .npz: how the shipped files are made."""
    folder = Path(folder) if folder is not None else reference_path(REFERENCES[0]).parent
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        target = folder / f"{name}.npz"
        simulate_reference(name).write(target)
        written.append(target)
    return written


def is_noise(trace) -> bool:
    """True for a reference's noise sweep (its current is not a step)."""
    inside = trace.stimulus.inner_current()
    return inside.size > 0 and bool(np.ptp(inside) > 0)


if __name__ == "__main__":
    for written in write_references():
        print(f"wrote {written}")
