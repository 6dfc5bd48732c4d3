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
