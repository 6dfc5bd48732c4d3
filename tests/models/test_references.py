"""The shipped Hodgkin-Huxley references equal a fresh simulation and hold what they promise."""
import numpy as np
import pytest

from spikefit.data import step_protocol
from spikefit.data.sources import REFERENCES, reference, reference_model
from spikefit.models import get_model
from spikefit.models import references as R


@pytest.mark.parametrize("name", REFERENCES)
def test_shipped_reference_equals_a_fresh_simulation(name):
    shipped, fresh = reference(name), R.simulate_reference(name)
    n_noise = R.REPEATS[0] if name in R.REFERENCE_REPEATED else 1
    assert len(shipped) == len(fresh) == len(R.STEP_FACTORS) + n_noise
    for a, b in zip(shipped, fresh):
        np.testing.assert_array_equal(a.stimulus.current, b.stimulus.current)
        np.testing.assert_allclose(a.v, b.v, atol=1e-9)
        np.testing.assert_allclose(a.spike_times, b.spike_times, atol=1e-9)
    assert shipped.cell == name and [R.is_noise(s) for s in shipped] == [False] * 8 + [True] * n_noise


def _coincident_fraction(a, b, window=4e-3):
    """Share of the spikes of ``a`` with a spike of ``b`` within +-window (s)."""
    return np.mean([np.min(np.abs(b - t)) <= window for t in a])


def test_repeats_share_one_recorded_current_and_are_reliable_but_not_perfectly():
    """hh_rs_repeats: the recorded current of every repeat is the same frozen noise; the
    background noise each repeat adds (not recorded) moves some spikes, as in a real cell."""
    recording = reference("hh_rs_repeats")
    repeats = recording.sweeps[len(R.STEP_FACTORS):]
    assert len(repeats) == R.REPEATS[0] == 5
    for trace in repeats[1:]:
        np.testing.assert_array_equal(trace.stimulus.current, repeats[0].stimulus.current)
    assert repeats[0].stimulus.n_samples * repeats[0].stimulus.dt == pytest.approx(R.REPEATS[1])
    trains = [t.spike_times for t in repeats]
    assert all(train.size > 20 for train in trains)
    shares = [_coincident_fraction(trains[i], trains[j]) for i in range(5) for j in range(5) if i != j]
    assert 0.4 < min(shares) and max(shares) < 0.95  # reliable, not identical
    # without the background noise the repeats would be one spike train: the noise is the cause
    steps = recording.sweeps[:len(R.STEP_FACTORS)]
    plain = reference("hh_rs").sweeps[:len(R.STEP_FACTORS)]
    for a, b in zip(steps, plain):
        np.testing.assert_allclose(a.v, b.v, atol=1e-9)  # the steps carry no background noise


@pytest.mark.parametrize("name", REFERENCES)
def test_rheobase_table_is_the_models_own(name):
    """RHEOBASE is each model's rheobase to 10 pA: silent 10 pA below, a spike 10 pA above."""
    model = get_model(reference_model(name))
    below, above = (R.RHEOBASE[name] + d for d in (-0.01e-9, 0.01e-9))
    counts = model.simulate_batch(model.defaults(), step_protocol([below, above], R.START, R.STOP, R.DURATION))
    assert counts.spike_counts[0].tolist()[0] == 0 and counts.spike_counts[0].tolist()[1] >= 1


def test_unknown_reference_is_named():
    with pytest.raises(ValueError, match="unknown reference 'hh_xx'; references are hh, hh_rs, hh_fs, hh_ib, hh_lts, "
                                         "hh_rs_repeats"):
        reference("hh_xx")
