"""Simulating the Destexhe 2009 network: validation, behaviour (sustained vs transient), seeding."""
import numpy as np
import pytest

from spikefit.studies.destexhe2009.network import POPULATIONS, NetworkResult
from spikefit.studies.destexhe2009.simulate import simulate_network

# Tests pin the numpy target: it needs no compiler, and targets draw different random numbers.
TARGET = "numpy"


# --------------------------------------------------------------------------------------
# argument validation (no simulation runs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=10), "n must be an integer >= 40"),
    (dict(n=500.5), "n must be an integer"),
    (dict(lts_fraction=1.5), r"lts_fraction must lie in \[0, 1\]"),
    (dict(depression=-0.1), r"depression must lie in \[0, 1\]"),
    (dict(facilitation=1.0), r"facilitation \(1 - p_s0\) must lie in \[0, 1\)"),
    (dict(stdp=2.0), r"stdp must be a bool or a number in \[0, 1\]"),
    (dict(b=-1e-12), "b must be >= 0"),
    (dict(delay=-1e-3), "delay and delay_jitter must be >= 0"),
    (dict(delay=1e-3, delay_jitter=3e-3), r"delay_jitter <= 2 \* delay must hold"),
    (dict(duration=0.2), "duration must be > kick.stop=0.25"),
    (dict(duration=float("nan")), "duration must be finite"),
    (dict(seed=-1), "seed must be an integer >= 0"),
    (dict(seed=1.5), "seed must be an integer >= 0"),
    (dict(codegen_target="gpu"), "codegen_target must be one of numpy, cython, cpp_standalone"),
    (dict(kick="strong"), "kick must be a PoissonKick"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_network(**kwargs)


def test_quantity_of_wrong_dimension():
    import brian2

    with pytest.raises(ValueError, match="b must have the dimension of A"):
        simulate_network(b=5 * brian2.mV)


# --------------------------------------------------------------------------------------
# behaviour (Destexhe 2009, Fig. 7)


@pytest.fixture(scope="module")
def weak():
    import brian2

    # b and the delay as brian2 Quantities: accepted at the boundary
    return simulate_network(n=500, lts_fraction=0.1, b=5 * brian2.pA, delay=3 * brian2.ms,
                            duration=1.0, seed=1, codegen_target=TARGET)


def test_weak_adaptation_sustains_asynchronous_irregular_activity(weak):
    assert isinstance(weak, NetworkResult)
    assert weak.params["b"] == pytest.approx(5e-12)
    assert weak.sustained and weak.persistence == pytest.approx(0.75)
    assert weak.cv_isi > 0.8  # irregular: near 1 or above
    assert weak.synchrony < 0.4  # asynchronous
    assert 5 < weak.mean_rate < 100
    late = weak.rate_time > 0.75
    assert weak.rates["all"][late].mean() > 5


def test_result_layout(weak):
    sizes = {name: weak.spikes[name].n for name in POPULATIONS}
    assert sizes == {"RS": 360, "LTS": 40, "FS": 100} and weak.n == 500
    for name in POPULATIONS:
        pop = weak.spikes[name]
        assert pop.count > 0 and pop.indices.min() >= 0 and pop.indices.max() < pop.n
        assert len(pop.trains()) == pop.n
        assert weak.rates[name].shape == weak.rate_time.shape
    assert weak.kick.count > 0 and weak.kick.times.max() < 0.25
    merged = weak.all_spikes()
    assert merged.n == 500 and merged.count == sum(weak.spikes[p].count for p in POPULATIONS)
    row = weak.summary()
    for key in ("persistence", "cv_isi", "synchrony", "mean_rate", "rate_RS", "rate_LTS", "rate_FS",
                "n_rs", "delay", "codegen_target"):
        assert key in row


@pytest.mark.parametrize("b", [40e-12, 100e-12])
def test_strong_adaptation_activity_dies(b):
    result = simulate_network(n=500, lts_fraction=0.1, b=b, duration=1.0, seed=1,
                              codegen_target=TARGET)
    assert not result.sustained
    assert result.persistence < 0.3
    assert result.rates["all"][result.rate_time > 0.6].sum() == 0


def test_same_seed_same_spikes_and_numpy_state_untouched():
    kwargs = dict(n=100, duration=0.35, codegen_target=TARGET)
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first = simulate_network(seed=3, **kwargs)
    assert np.array_equal(np.random.get_state()[1], before)
    second = simulate_network(seed=3, **kwargs)
    other = simulate_network(seed=4, **kwargs)
    for name in POPULATIONS:
        np.testing.assert_array_equal(first.spikes[name].times, second.spikes[name].times)
        np.testing.assert_array_equal(first.spikes[name].indices, second.spikes[name].indices)
    np.testing.assert_array_equal(first.kick.times, second.kick.times)
    assert not np.array_equal(first.kick.times, other.kick.times)


def test_without_rs_cells_nothing_receives_the_kick():
    result = simulate_network(n=100, duration=0.3, seed=0, codegen_target=TARGET, lts_fraction=1.0,
                              facilitation=0.4)
    assert result.params["facilitation"] == 0.4
    assert result.spikes["RS"].n == 0 and result.all_spikes().count == 0
