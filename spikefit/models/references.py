"""Built-in Hodgkin-Huxley references: the recordings that simple models are compared against.

``spikefit.data.sources.reference(name)`` reads the squid axon (``hh``), or Pospischil 2008's
regular-spiking (``hh_rs``) or fast-spiking (``hh_fs``) cell, as a Recording of ``STEP_FACTORS`` current steps
(0.1 to 0.9 s of 1 s, in units of the cell's rheobase) and one Ornstein-Uhlenbeck noise sweep
(``NOISE``), sampled at 0.1 ms. The HH kernels take about a minute to compile on a cold
start, so the recordings ship with spikefit (``spikefit/data/references/*.npz``, written by
``write_references``) and a test checks that they equal a fresh simulation. The data room
owns the names and the files (``spikefit.data.sources``); this module says how they are made.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..data.sources import REFERENCES, reference_path

STEP_FACTORS = (-0.5, 0.75, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0)
"""Step amplitudes in units of the reference's rheobase (``RHEOBASE``)."""

RHEOBASE = {"hh": 0.23e-9, "hh_rs": 0.57e-9, "hh_fs": 0.39e-9}
"""A: the smallest 0.8 s step that makes each reference spike at least once (to 10 pA)."""

NOISE = (1.5, 1.0, 5e-3, 1)
"""The noise sweep: mean and standard deviation (units of the rheobase), correlation time
(s) and seed of the Ornstein-Uhlenbeck current, from 0.1 to 0.9 s."""

DURATION, START, STOP, DT = 1.0, 0.1, 0.9, 1e-4


def protocol(name: str) -> list:
    """The stimuli of a reference: the steps, then the noise sweep."""
    from ..data import ou_noise, step_protocol

    base = _rheobase(name)
    steps = step_protocol([round(f * base, 12) for f in STEP_FACTORS], START, STOP, DURATION, DT)
    mean, sd, tau, seed = NOISE
    return list(steps) + [ou_noise(mean * base, sd * base, tau, START, STOP, DURATION, DT, seed=seed)]


def _rheobase(name: str) -> float:
    if name not in REFERENCES:
        raise ValueError(f"unknown reference {name!r}; references are {', '.join(REFERENCES)}")
    return RHEOBASE[name]


def simulate_reference(name: str):
    """The reference simulated now (about a minute on a cold numba cache)."""
    from . import get_model

    recording = get_model(name).simulate(None, protocol(name))
    return type(recording)(recording.sweeps, {"cell": name, "reference": name,
                                               "source": f"spikefit reference {name} (simulated)"})


def write_references(folder: Path | None = None) -> list[Path]:
    """Simulate every reference and write it as .npz: how the shipped files are made."""
    folder = Path(folder) if folder is not None else reference_path(REFERENCES[0]).parent
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in REFERENCES:
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
