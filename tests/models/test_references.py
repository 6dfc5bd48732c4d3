"""The shipped Hodgkin-Huxley references equal a fresh simulation and hold what they promise."""
import numpy as np
import pytest

from spikefit.data import step_protocol
from spikefit.data.sources import REFERENCES, reference
from spikefit.models import get_model
from spikefit.models import references as R


@pytest.mark.parametrize("name", REFERENCES)
def test_shipped_reference_equals_a_fresh_simulation(name):
    shipped, fresh = reference(name), R.simulate_reference(name)
    assert len(shipped) == len(fresh) == len(R.STEP_FACTORS) + 1
    for a, b in zip(shipped, fresh):
        np.testing.assert_array_equal(a.stimulus.current, b.stimulus.current)
        np.testing.assert_allclose(a.v, b.v, atol=1e-9)
        np.testing.assert_allclose(a.spike_times, b.spike_times, atol=1e-9)
    assert shipped.cell == name and [R.is_noise(s) for s in shipped] == [False] * 8 + [True]


@pytest.mark.parametrize("name", REFERENCES)
def test_rheobase_table_is_the_models_own(name):
    """RHEOBASE is each model's rheobase to 10 pA: silent 10 pA below, a spike 10 pA above."""
    model = get_model(name)
    below, above = (R.RHEOBASE[name] + d for d in (-0.01e-9, 0.01e-9))
    counts = model.simulate_batch(model.defaults(), step_protocol([below, above], R.START, R.STOP, R.DURATION))
    assert counts.spike_counts[0].tolist()[0] == 0 and counts.spike_counts[0].tolist()[1] >= 1


def test_unknown_reference_is_named():
    with pytest.raises(ValueError, match="unknown reference 'hh_xx'; references are hh, hh_rs, hh_fs"):
        reference("hh_xx")
