"""Population statistics of spike trains: rates, persistence, irregularity, synchrony."""
import math

import numpy as np
import pytest

from spikefit.features import population as stats


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
