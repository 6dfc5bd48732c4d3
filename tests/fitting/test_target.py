"""The target of a fit: its stimuli, repeats, features and their spread, and its bad input."""
import numpy as np
import pytest

import spikefit
from spikefit.fitting import target as T

STEPS = (-0.1e-9, 0.2e-9, 0.35e-9, 0.6e-9)


@pytest.fixture(scope="module")
def lif_target():
    """A LIF target under four steps."""
    lif = spikefit.get_model("lif")
    return T.build_target(lif.simulate(None, spikefit.step_protocol(list(STEPS), 0.1, 0.5, 0.6)))


def test_repeats_share_a_stimulus_and_give_the_spread():
    lif = spikefit.get_model("lif")
    stimulus = spikefit.step(0.4e-9, 0.1, 0.5, 0.6)
    a, b = lif.simulate(None, stimulus), lif.simulate({"C": 210e-12}, stimulus)
    target = T.build_target(spikefit.Recording((a, b)))
    assert target.repeats == ((0, 1),) and len(target.stimuli) == 1
    counts = [a.spike_times.size, b.spike_times.size]
    floor = T.DEFAULT_SPREAD["spike_count"][1]
    assert target.spread.loc[0, "spike_count"] == pytest.approx(max(np.std(counts, ddof=1), floor))
    assert len(target.spikes[0]) == 2


def test_default_spread_is_relative_with_a_floor(lif_target):
    target = lif_target
    rel, floor = T.DEFAULT_SPREAD["mean_frequency"]
    values = target.features["mean_frequency"].to_numpy()
    expected = np.maximum(rel * np.abs(values), floor)
    fine = np.isfinite(values)
    np.testing.assert_allclose(target.spread["mean_frequency"].to_numpy()[fine], expected[fine])


def test_build_target_rejects_bad_input(lif_target):
    target = lif_target
    with pytest.raises(ValueError, match="unknown feature for a fit .* 'AP_width'"):
        T.build_target(target.recording, ["spike_count", "AP_width"])
    with pytest.raises(ValueError, match="spread names feature 'ISI_CV', which the target does not use"):
        T.build_target(target.recording, ["spike_count"], spread={"ISI_CV": 0.1})
    with pytest.raises(ValueError, match="repeats must put each of the 4 sweeps in exactly one"):
        T.build_target(target.recording, repeats=[[0, 1]])
    with pytest.raises(TypeError, match="a target must be a Recording"):
        T.build_target([1, 2])
