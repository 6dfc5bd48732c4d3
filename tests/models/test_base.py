import numpy as np
import pytest

import spikefit


@pytest.mark.parametrize("duration", [1.0, 10.0])
def test_every_spike_of_a_long_stimulus_is_kept(duration):
    # One set well inside the first buffer (64 a second of stimulus), one far beyond it (rerun):
    # each keeps every spike, at the closed-form rate (a dropped spike would double an interval).
    lif = spikefit.get_model("lif")
    params = lif.defaults()
    amplitudes = np.array([0.3e-9, 1.5e-9])
    rates = lif.rate(params, amplitudes)
    assert rates[0] * duration < 64 * duration < rates[1] * duration  # the two cases the buffer has
    for i, amplitude in enumerate(amplitudes):
        stim = spikefit.step(amplitude, 0.0, duration, duration)
        result = lif.simulate_batch(params, stim, dt=1e-5)
        spikes = result.spikes(0, 0)
        assert spikes.size == result.spike_counts[0, 0] and np.all(np.isfinite(spikes))
        intervals = np.diff(spikes)
        assert np.max(intervals) < 1.5 / rates[i]  # none dropped
        assert np.mean(intervals) == pytest.approx(1 / rates[i], abs=1e-5)  # a spike falls on a step of 10 us


@pytest.mark.parametrize("name", ["lif", "izhikevich", "adex"])
def test_a_kernel_compiles_once_whatever_flavour_its_inputs_come_in(name):
    # numba compiles a kernel once for each flavour of its arguments (read-only is one): a
    # checked table (a frame, whose block may be a read-only view), a mapping of fresh arrays
    # as a fit passes it, with and without voltages, and a fit's batches and polish, must all
    # reach the one compiled block.
    model = spikefit.get_model(name)
    stimulus = spikefit.step(0.3e-9, start=0.05, stop=0.15, duration=0.2)
    fresh = {k: np.array([v, v]) for k, v in model.defaults().items()}
    for record_v in (False, True):
        model.simulate_batch(model.table(None), stimulus, record_v=record_v)
        model.simulate_batch(fresh, stimulus, record_v=record_v, check=False)
    recording = model.simulate(None, spikefit.step_protocol([0.2e-9, 0.4e-9], 0.05, 0.25, 0.3))
    spikefit.fit(model, recording, n_trials=32, refine=8, seed=0, progress=False)
    assert len(model._kernel.block.signatures) == 1, model._kernel.block.signatures
