import numpy as np
import pytest
from brian2 import mV, ms, nA, pA

import spikefit
from spikefit.data import Stimulus, from_array, ou_noise, pulse_train, ramp, step, step_protocol


def test_step_places_the_amplitude_inside_its_window():
    stim = step(0.5e-9, start=0.1, stop=0.9, duration=1.0, dt=1e-4)
    assert stim.n_samples == 10_000
    assert stim.duration == pytest.approx(1.0)
    assert stim.current[999] == 0 and stim.current[1000] == 0.5e-9
    assert stim.current[8999] == 0.5e-9 and stim.current[9000] == 0
    assert (stim.start, stim.stop) == (0.1, 0.9)
    assert stim.metadata["amplitude"] == 0.5e-9


def test_step_accepts_brian2_quantities_and_checks_their_dimension():
    stim = step(500 * pA, 100 * ms, 900 * ms, 1000 * ms, dt=0.1 * ms)
    assert stim.current.max() == pytest.approx(0.5e-9)
    with pytest.raises(ValueError, match="amplitude must have the dimension of A"):
        step(5 * mV, 0.1, 0.9, 1.0)


def test_step_protocol_gives_one_stimulus_per_amplitude():
    stims = step_protocol([0.1 * nA, 0.2 * nA, 0.3 * nA], 0.1, 0.5, 0.6)
    assert [s.current.max() for s in stims] == pytest.approx([1e-10, 2e-10, 3e-10])


def test_ramp_rises_linearly_to_its_amplitude():
    stim = ramp(1e-9, start=0.1, stop=0.2, duration=0.3, dt=1e-3)
    inside = stim.current[100:200]
    assert inside[0] == 0 and inside[-1] == pytest.approx(1e-9 * 99 / 100)
    assert np.allclose(np.diff(inside), 1e-11)
    assert stim.current[200:].max() == 0


def test_pulse_train_has_the_right_number_and_width_of_pulses():
    stim = pulse_train(1e-9, width=2e-3, frequency=20, n_pulses=5, start=0.1, duration=0.5)
    onsets = np.flatnonzero(np.diff(stim.current) > 0)
    assert onsets.size == 5
    assert (stim.current > 0).sum() == 5 * 20
    with pytest.raises(ValueError, match="width < 1/frequency"):
        pulse_train(1e-9, width=0.1, frequency=20, n_pulses=2, start=0, duration=1)


def test_ou_noise_is_seeded_and_has_its_stationary_statistics():
    a = ou_noise(0.2e-9, 0.05e-9, 5e-3, 0.0, 20.0, 20.0, seed=1)
    b = ou_noise(0.2e-9, 0.05e-9, 5e-3, 0.0, 20.0, 20.0, seed=1)
    c = ou_noise(0.2e-9, 0.05e-9, 5e-3, 0.0, 20.0, 20.0, seed=2)
    assert np.array_equal(a.current, b.current)
    assert not np.array_equal(a.current, c.current)
    assert a.current.mean() == pytest.approx(0.2e-9, abs=0.01e-9)
    assert a.current.std() == pytest.approx(0.05e-9, rel=0.1)
    lag = int(5e-3 / a.dt)
    x = a.current - a.current.mean()
    assert np.mean(x[:-lag] * x[lag:]) / x.var() == pytest.approx(np.exp(-1), abs=0.05)


def test_from_array_keeps_samples_and_window():
    stim = from_array([0, 1e-10, 1e-10, 0], dt=1e-3, start=1e-3, stop=3e-3, source="test")
    assert stim.n_samples == 4 and stim.metadata["source"] == "test"
    assert np.array_equal(stim.time, [0, 1e-3, 2e-3, 3e-3])


def test_stimulus_is_read_only():
    stim = step(1e-10, 0.1, 0.2, 0.3)
    with pytest.raises(ValueError):
        stim.current[0] = 1.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(current=[0.0, np.nan], dt=1e-4), "current must be finite, got nan at sample 1"),
    (dict(current=[0.0, np.inf], dt=1e-4), "current must be finite, got inf at sample 1"),
    (dict(current=[], dt=1e-4), "at least one sample"),
    (dict(current=[0.0], dt=0.0), "dt must be > 0, got dt=0.0"),
    (dict(current=[0.0], dt=-1e-4), "dt must be > 0"),
    (dict(current=[0.0, 1.0], dt=1e-4), "was a current in pA or nA passed as A"),
    (dict(current=np.zeros(10), dt=1e-4, start=0.5e-3, stop=0.2e-3), "0 <= start < stop <= duration"),
    (dict(current=np.zeros(10), dt=1e-4, start=0.5e-3), "start and stop must be given together"),
    (dict(current=np.zeros((2, 2)), dt=1e-4), "current must be 1-D"),
])
def test_bad_stimuli_raise_errors_that_name_the_problem(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Stimulus(**kwargs)


def test_durations_that_are_not_whole_samples_are_refused():
    with pytest.raises(ValueError, match="whole number of samples"):
        step(1e-10, 0.1, 0.2, 0.30005, dt=1e-4)


def test_builders_are_exported_at_the_top_level():
    assert spikefit.step is step and spikefit.ou_noise is ou_noise
    assert spikefit.step_protocol is step_protocol and spikefit.from_array is from_array
