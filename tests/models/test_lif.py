import numpy as np
import pytest

import spikefit


def test_lif_rate_matches_its_closed_form_f_i_curve():
    lif = spikefit.get_model("lif")
    params = lif.defaults()
    amplitudes = np.linspace(0.15e-9, 1.5e-9, 8)
    stimuli = spikefit.step_protocol(amplitudes, 0.0, 1.0, 1.0)
    result = lif.simulate_batch(params, stimuli, dt=1e-6)
    expected = lif.rate(params, amplitudes)
    for j, rate in enumerate(expected):
        spikes = result.spikes(0, j)
        measured = 1 / np.mean(np.diff(spikes)) if spikes.size > 2 else 0.0
        assert measured == pytest.approx(rate, rel=2e-3), f"amplitude {amplitudes[j]}"


def test_lif_is_silent_below_rheobase_and_fires_just_above():
    lif = spikefit.get_model("lif")
    p = lif.defaults()
    rheobase = p["g_L"] * (p["V_th"] - p["E_L"])
    below, above = spikefit.step_protocol([0.99 * rheobase, 1.05 * rheobase], 0.0, 2.0, 2.0)
    result = lif.simulate_batch(p, [below, above])
    assert result.spike_counts[0].tolist()[0] == 0 and result.spike_counts[0, 1] > 0
    assert lif.rate(p, 0.99 * rheobase) == 0


def test_refractory_period_holds_the_reset():
    lif = spikefit.get_model("lif")
    stim = spikefit.step(5e-9, 0.0, 0.1, 0.1, dt=1e-5)
    trace = lif.simulate({"t_ref": 2e-3}, stim)
    first = int(round(trace.spike_times[0] / stim.dt))
    held = trace.v[first + 1:first + 200]
    assert np.all(held == lif.defaults()["V_reset"])
    assert np.min(np.diff(trace.spike_times)) >= 2e-3


def test_reset_above_threshold_is_refused():
    lif = spikefit.get_model("lif")
    with pytest.raises(ValueError, match=r"V_reset < V_th must hold for model 'lif', got V_reset=-0.04, V_th=-0.05"):
        lif.simulate({"V_reset": -0.04}, spikefit.step(1e-9, 0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match=r"C > 0 must hold .* in parameter set 1 \(1 of 3 sets break it\)"):
        lif.simulate_batch({"C": [1e-10, -1e-10, 1e-10]}, spikefit.step(1e-9, 0.1, 0.2, 0.3))


def test_spike_buffer_grows_for_fast_firing_sets():
    lif = spikefit.get_model("lif")
    stim = spikefit.step(1e-8, 0.0, 1.0, 1.0)
    result = lif.simulate_batch({"t_ref": [2e-3, 0.5e-3]}, stim)
    counts = result.spike_counts[:, 0]
    assert counts[1] > 64 * 4  # far beyond the first buffer
    assert np.all(np.isfinite(result.spikes(1))) and result.spikes(1).size == counts[1]
    assert np.all(np.diff(result.spikes(1)) > 0)
