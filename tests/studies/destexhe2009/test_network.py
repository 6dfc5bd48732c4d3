"""The Destexhe 2009 network: behaviour (sustained vs transient), validation, seeding, summaries."""
import math

import numpy as np
import pytest

from spikefit.models import network_stats as stats
from spikefit.models.network import (CODEGEN_TARGETS, MIN_CELLS, POPULATIONS, NetworkResult, PoissonKick,
                                     available_codegen_target, connection_probability, destexhe2009,
                                     population_sizes)

# Tests pin the numpy target: it needs no compiler, and targets draw different random numbers.
TARGET = "numpy"


# --------------------------------------------------------------------------------------
# summary functions on constructed spike trains


def _poisson(rng, rate, duration):
    return np.sort(rng.uniform(0, duration, rng.poisson(rate * duration)))


def test_isi_cv_poisson_near_one_regular_zero():
    rng = np.random.default_rng(0)
    poisson = [_poisson(rng, 20.0, 20.0) for _ in range(50)]
    assert stats.isi_cv(poisson) == pytest.approx(1.0, abs=0.05)
    regular = [np.arange(0.0, 5.0, 0.05) + 0.01 * k for k in range(10)]
    assert stats.isi_cv(regular) == pytest.approx(0.0, abs=1e-9)


def test_isi_cv_needs_three_spikes_and_window():
    assert math.isnan(stats.isi_cv([np.array([0.1, 0.2]), np.array([])]))
    # only the cell with 3 spikes counts; the window drops the early irregular spikes
    trains = [np.array([0.1, 0.2]), np.array([0.0, 0.01, 1.0, 1.1, 1.2, 1.3])]
    assert stats.isi_cv(trains, t_start=0.5) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="min_spikes must be >= 3"):
        stats.isi_cv(trains, min_spikes=2)


def test_synchrony_chi_identical_one_independent_small():
    rng = np.random.default_rng(1)
    train = _poisson(rng, 20.0, 10.0)
    assert stats.synchrony_chi([train] * 20, 0.0, 10.0) == pytest.approx(1.0)
    independent = [_poisson(rng, 20.0, 10.0) for _ in range(100)]
    chi = stats.synchrony_chi(independent, 0.0, 10.0)
    assert chi == pytest.approx(1 / math.sqrt(100), rel=0.3)
    assert math.isnan(stats.synchrony_chi([train, np.array([])], 0.0, 10.0))


def test_population_rate_and_persistence():
    times = np.arange(0.0005, 1.0, 0.001)  # 1000 spikes in 1 s over 10 cells: 100 Hz per cell
    centres, rate = stats.population_rate(times, 10, 0.0, 1.0, bin_width=0.1)
    np.testing.assert_allclose(centres, np.arange(0.05, 1.0, 0.1))
    np.testing.assert_allclose(rate, 100.0)
    assert stats.persistence([0.1, 0.4], kick_end=0.25, duration=1.0) == pytest.approx(0.15)
    assert stats.persistence([0.1, 0.2], kick_end=0.25, duration=1.0) == 0.0
    assert stats.persistence([], kick_end=0.25, duration=1.0) == 0.0
    assert stats.persistence([0.1, 0.97], kick_end=0.25, duration=1.0) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="t_start < t_stop"):
        stats.persistence([0.1], kick_end=1.0, duration=1.0)
    with pytest.raises(ValueError, match="n_cells must be > 0"):
        stats.population_rate(times, 0, 0.0, 1.0)
    with pytest.raises(ValueError, match="bin_width must be > 0"):
        stats.population_rate(times, 10, 0.0, 1.0, bin_width=0)


def test_split_trains():
    trains = stats.split_trains([0.3, 0.1, 0.2, 0.5], [1, 0, 1, 3], 4)
    assert [t.tolist() for t in trains] == [[0.1], [0.2, 0.3], [], [0.5]]
    with pytest.raises(ValueError, match=r"indices must lie in \[0, n=2\)"):
        stats.split_trains([0.1], [2], 2)


# --------------------------------------------------------------------------------------
# argument validation (no simulation runs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=10), "n must be an integer >= 40"),
    (dict(n=500.5), "n must be an integer"),
    (dict(lts_fraction=1.5), r"lts_fraction must lie in \[0, 1\]"),
    (dict(depression=-0.1), r"depression must lie in \[0, 1\]"),
    (dict(facilitation=1.0), r"facilitation \(1 - p_s0\) must lie in \[0, 1\)"),
    (dict(stdp=2.0), r"stdp must be a bool or a number in \[0, 1\]"),
    (dict(adaptation_b=-1e-12), "adaptation_b must be >= 0"),
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
        destexhe2009(**kwargs)


def test_quantity_of_wrong_dimension():
    import brian2

    with pytest.raises(ValueError, match="adaptation_b must have the dimension of A"):
        destexhe2009(adaptation_b=5 * brian2.mV)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_sources=0), "n_sources must be an integer >= 1"),
    (dict(rate=-1.0), "rate must be >= 0"),
    (dict(start=0.3, stop=0.2), "start < stop must hold"),
    (dict(p_connect=1.5), r"p_connect must lie in \[0, 1\]"),
])
def test_bad_kick(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PoissonKick(**kwargs)


def test_sizes_and_connection_probability():
    assert population_sizes(500, 0.1) == {"RS": 360, "LTS": 40, "FS": 100}
    assert population_sizes(2000, 0.0) == {"RS": 1600, "LTS": 0, "FS": 400}
    assert connection_probability(2000) == pytest.approx(0.02)
    assert connection_probability(MIN_CELLS) == pytest.approx(1.0)
    assert available_codegen_target(None) in CODEGEN_TARGETS
    assert available_codegen_target("numpy") == "numpy"


# --------------------------------------------------------------------------------------
# behaviour (Destexhe 2009, Fig. 7)


@pytest.fixture(scope="module")
def weak():
    import brian2

    # b and the delay as brian2 Quantities: accepted at the boundary
    return destexhe2009(n=500, lts_fraction=0.1, adaptation_b=5 * brian2.pA, delay=3 * brian2.ms,
                        duration=1.0, seed=1, codegen_target=TARGET)


def test_weak_adaptation_sustains_asynchronous_irregular_activity(weak):
    assert isinstance(weak, NetworkResult)
    assert weak.params["adaptation_b"] == pytest.approx(5e-12)
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
    result = destexhe2009(n=500, lts_fraction=0.1, adaptation_b=b, duration=1.0, seed=1,
                          codegen_target=TARGET)
    assert not result.sustained
    assert result.persistence < 0.3
    assert result.rates["all"][result.rate_time > 0.6].sum() == 0


def test_same_seed_same_spikes_and_numpy_state_untouched():
    kwargs = dict(n=100, duration=0.35, codegen_target=TARGET)
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first = destexhe2009(seed=3, **kwargs)
    assert np.array_equal(np.random.get_state()[1], before)
    second = destexhe2009(seed=3, **kwargs)
    other = destexhe2009(seed=4, **kwargs)
    for name in POPULATIONS:
        np.testing.assert_array_equal(first.spikes[name].times, second.spikes[name].times)
        np.testing.assert_array_equal(first.spikes[name].indices, second.spikes[name].indices)
    np.testing.assert_array_equal(first.kick.times, second.kick.times)
    assert not np.array_equal(first.kick.times, other.kick.times)


@pytest.mark.parametrize("kwargs", [
    dict(facilitation=0.4, depression=0.3),
    dict(stdp=0.5, stdp_rate=0.1e-9, stochastic_release=True, depression=0.2),
    dict(lts_fraction=1.0),  # no RS cells: nothing receives the kick
])
def test_plasticity_variants_run(kwargs):
    result = destexhe2009(n=100, duration=0.3, seed=0, codegen_target=TARGET, **kwargs)
    assert result.params["facilitation"] == kwargs.get("facilitation", 0.0)
    if kwargs.get("lts_fraction") == 1.0:
        assert result.spikes["RS"].n == 0 and result.all_spikes().count == 0
    else:
        assert result.spikes["RS"].count > 0
