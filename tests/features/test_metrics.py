"""Spike-train metrics: the properties that define them, and their bad input."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikefit.features.metrics import (METRICS, GammaUndefined, batch_gamma, explained_variance, gamma_factor,
                                       gamma_over_repeats, intrinsic_reliability, md_star, normalized_gamma,
                                       spike_train_ev, van_rossum_distance)

DURATION = 10.0
trains = st.lists(st.floats(0.0, DURATION, allow_nan=False), min_size=1, max_size=60,
                  unique=True).map(lambda t: np.sort(np.array(t)))


def poisson(rate, duration, seed):
    rng = np.random.default_rng(seed)
    return np.sort(rng.uniform(0, duration, rng.poisson(rate * duration)))


# --- coincidence factor ------------------------------------------------------------------
@settings(deadline=None)  # the first call loads numba's compiled code
@given(trains, st.floats(1e-4, 4e-3))
def test_gamma_is_one_for_identical_trains(train, delta):
    if 2 * train.size / DURATION * delta < 1:
        assert gamma_factor(model=train, data=train, delta=delta, duration=DURATION) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(1.0, 20.0))
def test_gamma_is_about_zero_for_independent_poisson_trains(seed, rate):
    """Independent trains of one rate: Gamma averages 0 (s.e. about 0.03 at 20 Hz here).

    Kistler's chance level 2 nu delta N_data is first order in nu delta: at 2 nu delta = 0.08
    (20 Hz, 2 ms) the one-to-one count falls short of it by about 0.004.
    """
    duration = 200.0
    values = [gamma_factor(model=poisson(rate, duration, (seed, k, 1)), data=poisson(rate, duration, (seed, k, 0)),
                           delta=2e-3, duration=duration) for k in range(5)]
    assert abs(np.mean(values)) < 0.1


def test_gamma_counts_each_model_spike_once():
    # two data spikes share one model spike: one coincidence, so Gamma stays <= 1
    assert gamma_factor(model=[1.0005], data=[1.0, 1.001], delta=2e-3, duration=10.0) < 1
    assert (gamma_factor(model=[1.0021], data=[1.0], delta=2e-3, duration=10.0) < 0
            < gamma_factor(model=[1.002], data=[1.0], delta=2e-3, duration=10.0))


def test_gamma_uses_the_model_rate():
    data, model, delta, duration = [1.0, 2.0, 3.0], [1.0, 5.0], 4e-3, 10.0
    nu = 2 / duration
    expected = (1 - 2 * nu * delta * 3) / (0.5 * 5 * (1 - 2 * nu * delta))
    assert gamma_factor(model=model, data=data, delta=delta, duration=duration) == pytest.approx(expected)


def test_gamma_of_empty_trains():
    assert math.isnan(gamma_factor(model=[], data=[], delta=2e-3, duration=1.0))
    assert gamma_factor(model=[], data=[0.5], delta=2e-3, duration=1.0) == 0.0
    assert gamma_factor(model=[0.5], data=[], delta=2e-3, duration=1.0) == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"delta": 0.0}, r"Delta must be > 0, got delta=0.0"),
    ({"delta": -1e-3}, r"Delta must be > 0, got delta=-0.001"),
    ({"duration": None}, r"duration \(s\) must be given"),
    ({"duration": 0.5}, r"data must lie within \[0, duration\] = \[0, 0.5\] s"),
    ({"delta": 0.6}, r"2 \* rate \* delta < 1 must hold for Gamma, got rate=1.0 Hz \(model\), delta=0.6 s"),
])
def test_gamma_bad_input(kwargs, message):
    args = {"data": [0.2, 0.9], "model": [0.3], "delta": 2e-3, "duration": 1.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        gamma_factor(**args)


def test_gamma_too_fast_is_its_own_error():
    with pytest.raises(GammaUndefined, match=r"2 \* rate \* delta < 1 must hold"):
        gamma_factor(model=[0.1, 0.2, 0.3], data=[0.1], delta=0.2, duration=1.0)
    with pytest.raises(ValueError) as caught:  # other bad input is not mistaken for it
        gamma_factor(model=[0.3], data=[2.0], delta=2e-3, duration=1.0)
    assert not isinstance(caught.value, GammaUndefined)


def test_gamma_arguments_are_keyword_only():
    with pytest.raises(TypeError, match="positional"):
        gamma_factor([0.1], [0.2], 2e-3, 1.0)
    with pytest.raises(TypeError, match="positional"):
        explained_variance([0.1], [0.2], duration=1.0)


def test_batch_gamma_equals_the_scalar_row_by_row():
    rng = np.random.default_rng(5)
    data = np.sort(rng.uniform(0, 2.0, 30))
    kept = [data[rng.random(data.size) < 0.6] for _ in range(3)]
    trains = [np.sort(np.clip(np.r_[t + rng.normal(0, 2e-3, t.size), rng.uniform(0, 2.0, k)], 0, 2.0))
              for t, k in zip(kept, (0, 3, 12))] + [np.array([]), np.sort(rng.uniform(0, 2.0, 600))]
    width = max(t.size for t in trains)
    model = np.full((len(trains), width), np.nan)
    for i, t in enumerate(trains):
        model[i, :t.size] = t
    counts = np.array([t.size for t in trains])
    gamma, too_fast = batch_gamma(model=model, counts=counts, data=data, delta=2e-3, duration=2.0)
    assert too_fast.tolist() == [False, False, False, False, True]  # 600 spikes in 2 s: 2 * 300 Hz * 2 ms = 1.2
    for i, t in enumerate(trains[:4]):
        assert gamma[i] == gamma_factor(model=t, data=data, delta=2e-3, duration=2.0)  # bit for bit
    assert np.isnan(gamma[4])
    silent, _ = batch_gamma(model=model[3:4], counts=counts[3:4], data=np.array([]), delta=2e-3, duration=2.0)
    assert np.isnan(silent[0])  # neither fires


def test_gamma_over_repeats_leaves_out_repeats_where_neither_fires():
    model = np.array([[0.1, 0.5], [np.nan, np.nan]])
    counts = np.array([2, 0])
    repeats = [np.array([0.1, 0.5]), np.array([])]
    gamma, too_fast = gamma_over_repeats(model=model, counts=counts, repeats=repeats, delta=4e-3, duration=1.0)
    # set 0: Gamma 1 against the first repeat, 0 against the silent one (no coincidence, no chance level)
    assert gamma[0] == pytest.approx(0.5) and not too_fast.any()
    # set 1 is silent: Gamma 0 against the first repeat, the second (silent too) left out
    assert gamma[1] == 0.0
    silent, _ = gamma_over_repeats(model=model[1:], counts=counts[1:], repeats=[np.array([])] * 2,
                                   delta=4e-3, duration=1.0)
    assert np.isnan(silent[0])


def test_gamma_rejects_unsorted_trains():
    with pytest.raises(ValueError, match="model must be sorted in time"):
        gamma_factor(model=[0.5, 0.2], data=[0.1], delta=2e-3, duration=1.0)


def test_reliability_normalisation():
    repeats = [poisson(20, 20.0, k) for k in range(3)]
    assert intrinsic_reliability([repeats[0]] * 3, 4e-3, 20.0) == pytest.approx(1.0)
    assert normalized_gamma(model=repeats[0], repeats=[repeats[0]] * 3, delta=4e-3, duration=20.0) == pytest.approx(1.0)
    noisy = [np.sort(np.clip(repeats[0] + np.random.default_rng(k).normal(0, 1e-3, repeats[0].size), 0, 20))
             for k in range(4)]
    reliability = intrinsic_reliability(noisy, 4e-3, 20.0)
    assert 0.5 < reliability < 1
    assert normalized_gamma(model=repeats[0], repeats=noisy, delta=4e-3, duration=20.0) > 1  # the clean train beats a noisy repeat
    with pytest.raises(ValueError, match="needs at least 2 repeats, got 1"):
        intrinsic_reliability(noisy[:1], 4e-3, 20.0)


def test_normalized_gamma_by_hand():
    # repeats [1, 3] and [1, 5] s share one spike; the model [1, 3] is the first repeat
    r1, r2, model, delta, duration = [1.0, 3.0], [1.0, 5.0], [1.0, 3.0], 4e-3, 10.0
    chance = 2 * (2 / duration) * delta  # 2 nu delta, every train fires 2 spikes in 10 s
    one_shared = (1 - chance * 2) / (0.5 * 4 * (1 - chance))  # Gamma of two trains sharing 1 of 2 spikes
    assert intrinsic_reliability([r1, r2], delta, duration) == pytest.approx(one_shared)
    expected = np.mean([1.0, one_shared]) / one_shared
    assert normalized_gamma(model=model, repeats=[r1, r2], delta=delta, duration=duration) == pytest.approx(expected)


# --- Md* -------------------------------------------------------------------------------
def test_md_star_by_hand():
    d1, d2, model = [0.1, 0.5], [0.102, 0.8], [0.1, 0.5, 0.9]
    # pairs within 4 ms: d1-d2 one (0.1, 0.102); d1-model two; d2-model one (0.102, 0.1); model-model three (itself)
    dm, dd, mm = (2 + 1) / 2, 1.0, 3.0
    assert md_star(model=model, data=[d1, d2], delta=4e-3) == pytest.approx(2 * dm / (dd + mm))  # 0.75
    assert md_star(model=d1, data=[d1, d1, d1]) == pytest.approx(1.0)


def test_md_star_of_a_stochastic_model_uses_distinct_pairs_on_both_sides():
    m1, m2, d1, d2 = [0.1], [0.1, 0.3], [0.1], [0.3]
    dm = (1 + 1 + 0 + 1) / 4  # (d1, m1), (d1, m2), (d2, m1), (d2, m2)
    dd, mm = 0.0, 1.0  # d1-d2 share nothing; m1-m2 share the spike at 0.1 s
    assert md_star(model=[m1, m2], data=[d1, d2], delta=4e-3) == pytest.approx(2 * dm / (dd + mm))


def test_md_star_bad_input_and_silence():
    assert math.isnan(md_star(model=np.array([]), data=[[0.1], [0.5]]))  # nothing coincides anywhere
    with pytest.raises(ValueError, match="Md\\* needs at least 2 repeats of the data .*got 1"):
        md_star(model=[0.1], data=[[0.1]])
    with pytest.raises(ValueError, match="Delta must be > 0, got delta=0.0"):
        md_star(model=[0.1], data=[[0.1], [0.1]], delta=0.0)
    with pytest.raises(TypeError):
        md_star([0.1], [[0.1], [0.1]])  # keyword-only: (model, data) cannot be swapped silently


# --- van Rossum distance -----------------------------------------------------------------
@settings(deadline=None)
@given(trains, st.floats(1e-3, 0.1))
def test_van_rossum_zero_for_identical_trains(train, tau):
    assert van_rossum_distance(train, train, tau) == 0.0


@settings(deadline=None)
@given(st.floats(0.0, 5.0), st.floats(1e-3, 0.1), st.floats(0.01, 5.0), st.floats(0.01, 5.0))
def test_van_rossum_grows_with_the_shift_of_a_spike(t, tau, shift, more):
    shift, more = shift * tau, more * tau  # in units of tau, where the distance still grows
    near = van_rossum_distance([t], [t + shift], tau)
    far = van_rossum_distance([t], [t + shift + more], tau)
    assert 0 < near < far <= math.sqrt(2)
    assert near == pytest.approx(math.sqrt(2 * (1 - math.exp(-shift / tau))), rel=1e-9)


def test_van_rossum_against_the_integral():
    a, b, tau = poisson(30, 1.0, 1), poisson(30, 1.0, 2), 0.02
    t = np.arange(0, 1.3, 1e-5)
    f = lambda train: sum(np.where(t >= s, np.exp(-(t - s) / tau), 0.0) for s in train)  # noqa: E731
    integral = 2 / tau * np.sum((f(a) - f(b)) ** 2) * 1e-5
    assert van_rossum_distance(a, b, tau) == pytest.approx(math.sqrt(integral), rel=1e-3)
    assert van_rossum_distance([0.5], [], tau) == 1.0 and van_rossum_distance([], [], tau) == 0.0


def test_van_rossum_bad_tau():
    with pytest.raises(ValueError, match="tau must be > 0, got tau=0.0"):
        van_rossum_distance([0.1], [0.2], 0.0)


# --- explained variance ------------------------------------------------------------------
@settings(deadline=None)
@given(trains)
def test_explained_variance_one_for_identical_trains(train):
    assert spike_train_ev(train, train, duration=DURATION) == pytest.approx(1.0)
    assert explained_variance(model=train, data=[train, train, train], duration=DURATION) == pytest.approx(1.0)


def test_explained_variance_normalised_by_reliability():
    base = poisson(10, 20.0, 3)
    repeats = [np.sort(np.clip(base + np.random.default_rng(k).normal(0, 3e-3, base.size), 0, 20)) for k in range(5)]
    raw = np.mean([spike_train_ev(base, r, duration=20.0) for r in repeats])
    normalised = explained_variance(model=base, data=repeats, duration=20.0)
    assert 0 < raw < 1 and normalised > raw
    assert explained_variance(model=base, data=repeats[0], duration=20.0) == pytest.approx(
        spike_train_ev(base, repeats[0], duration=20.0))
    unrelated = explained_variance(model=poisson(10, 20.0, 99), data=repeats, duration=20.0)
    assert abs(unrelated) < 0.2


def test_explained_variance_by_hand():
    # spikes far apart (> 8 sigma): the smoothed bumps do not overlap, each has sum 1 and a sum of
    # squares E2 = 1 / (2 sqrt(pi) sigma_bins), so every mean and variance is a count of bumps
    sigma, dt, duration = 10e-3, 1e-3, 10.0
    n, e2 = duration / dt, 1 / (2 * math.sqrt(math.pi) * sigma / dt)
    r1, r2, model = [1.0, 3.0], [1.0, 5.0], [1.0, 3.0]

    def ev(shared_squares, squares_x, squares_y):  # 2 cov / (var x + var y); each train's bumps sum to 2
        cov = (shared_squares * e2 - 4 / n) / n
        var = lambda s: (s * e2 - 4 / n) / n  # noqa: E731
        return 2 * cov / (var(squares_x) + var(squares_y))

    model_ev = np.mean([ev(2, 2, 2), ev(1, 2, 2)])  # model = r1; model and r2 share one bump
    psth_ev = ev(1.5, 1.5, 2)  # PSTH: bump 1 at 1 s, 0.5 at 3 s and 5 s; the same against r1 and r2
    value = explained_variance(model=model, data=[r1, r2], sigma=sigma, dt=dt, duration=duration)
    assert value == pytest.approx(model_ev / psth_ev, rel=1e-4)


def test_explained_variance_empty_and_bad_input():
    assert math.isnan(spike_train_ev(np.array([]), np.array([]), duration=1.0))
    assert spike_train_ev(np.array([]), [0.5], duration=1.0) == 0.0
    with pytest.raises(ValueError, match="sigma must be > 0, got sigma=0.0"):
        spike_train_ev([0.1], [0.1], sigma=0.0, duration=1.0)
    with pytest.raises(ValueError, match="data must hold at least one spike train"):
        explained_variance(model=[0.1], data=[], duration=1.0)
    with pytest.raises(ValueError, match=r"a must lie within \[0, duration\]"):
        spike_train_ev([1.5], [0.1], duration=1.0)


# --- subthreshold error ------------------------------------------------------------------
def test_registry():
    assert set(METRICS) == {"gamma_factor", "van_rossum_distance", "explained_variance", "md_star", "subthreshold_error"}


def test_normalized_gamma_is_nan_when_repeats_agree_no_better_than_chance():
    repeats = [np.array([0.1, 0.3, 0.5]), np.array([0.2, 0.4, 0.6])]  # 100 ms apart: Gamma below 0
    assert intrinsic_reliability(repeats, duration=1.0) <= 0
    assert np.isnan(normalized_gamma(model=np.array([0.1, 0.3]), repeats=repeats, duration=1.0))
