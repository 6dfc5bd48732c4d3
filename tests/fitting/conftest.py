"""Traces the feature tests share: real sweeps read with igor2, and model simulations.

The real sweeps are read here directly (not through spikefit.load), so that the feature
tests do not depend on the loaders.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import spikefit

IDREST_WINDOW = (0.7, 2.7)  # s, both IDRest folders


def _ibw(path: Path) -> tuple[np.ndarray, dict]:
    from igor2 import binarywave

    wave = binarywave.load(str(path))["wave"]
    return wave["wData"].astype(float), wave["wave_header"]


def _bluepyefe_sweep(ch3: Path) -> spikefit.Trace:
    """A BluePyEfe IDRest sweep: no units in the header; Ch3 = mV, Ch0 = pA, dt 0.25 ms."""
    v, _ = _ibw(ch3)
    current, _ = _ibw(ch3.with_name(ch3.name.replace("_Ch3_", "_Ch0_")))
    stimulus = spikefit.from_array(current * 1e-12, 2.5e-4, *IDREST_WINDOW)
    return spikefit.Trace(v * 1e-3, stimulus, metadata={"source": ch3.name})


def _sscx_sweep(ch1: Path) -> spikefit.Trace:
    """An SSCx IDrest sweep of cell C060109A1: SI units in the header, ch1 = V, ch0 = A."""
    v, header = _ibw(ch1)
    current, current_header = _ibw(ch1.with_name(ch1.name.replace("_ch1_", "_ch0_")))
    assert header["dataUnits"][0] == b"V" and current_header["dataUnits"][0] == b"A"
    stimulus = spikefit.from_array(current, float(header["hsA"]), *IDREST_WINDOW)
    return spikefit.Trace(v, stimulus, metadata={"source": ch1.name})


@pytest.fixture(scope="session")
def real_sweeps(recordings_dir) -> list:
    """Firing sweeps of three cells: BluePyEfe B6 and B8 (5 each), SSCx C060109A1 (4)."""
    folder = recordings_dir / "bluepyefe_rat_ssc_IDRest"
    sweeps = [_bluepyefe_sweep(p) for cell in ("B6", "B8") for p in sorted((folder / cell).glob("*_Ch3_*.ibw"))]
    sscx = sorted((recordings_dir / "sscx_rat_L5TTPC" / "C060109A1-SR-C1").glob("X_IDrest_ch1_*.ibw"))
    sweeps += [_sscx_sweep(p) for p in sscx[::8][:4]]
    return sweeps


@pytest.fixture(scope="session")
def adex_batch():
    """AdEx presets (adapting, bursting, irregular...) under four steps, voltages recorded."""
    adex = spikefit.get_model("adex")
    table = pd.DataFrame([adex.preset(name) for name in adex.presets])
    stimuli = [spikefit.step(amp, 0.1, 0.9, 1.0) for amp in (-50e-12, 150e-12, 400e-12, 800e-12)]
    return adex.simulate_batch(table, stimuli, record_v=True)


@pytest.fixture(scope="session")
def izhikevich_batch():
    """Every Izhikevich preset under three steps, voltages recorded."""
    model = spikefit.get_model("izhikevich")
    table = pd.DataFrame([model.preset(name) for name in model.presets])
    stimuli = [spikefit.step(amp, 0.1, 0.9, 1.0) for amp in (50e-12, 100e-12, 300e-12)]
    return model.simulate_batch(table, stimuli, record_v=True)


@pytest.fixture(scope="session")
def lif_batch():
    """LIF sets from silent to fast, with and without refractory period."""
    lif = spikefit.get_model("lif")
    table = {"t_ref": [0.0, 2e-3, 0.0, 5e-3, 1e-3], "V_reset": [-60e-3, -65e-3, -55e-3, -70e-3, -52e-3]}
    stimuli = [spikefit.step(amp, 0.2, 0.7, 0.8) for amp in (0.15e-9, 0.3e-9, 1e-9)]
    return lif.simulate_batch(table, stimuli, record_v=True)


@pytest.fixture(scope="session")
def hh_rs_batch():
    """Pospischil RS (spikes with a shape) under two steps, voltages recorded."""
    model = spikefit.get_model("hh_rs")
    stimuli = [spikefit.step(amp, 0.1, 0.5, 0.6) for amp in (0.8e-9, 1.2e-9)]
    return model.simulate_batch({"g_M": [0.7, 0.3]}, stimuli, record_v=True)
