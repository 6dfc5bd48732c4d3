"""Model simulations the feature tests share (the real sweeps are in tests/conftest.py)."""
import pandas as pd
import pytest

import spikefit


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
