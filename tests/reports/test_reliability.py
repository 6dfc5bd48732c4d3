"""Reliability of repeat groups and its test against shifted repeats."""
import math

import numpy as np
import pytest

from spikefit.features.metrics import intrinsic_reliability
from spikefit.reports.reliability import group_reliability

from noise_cells import noise_recording  # noqa: F401 (a fixture)


def _poisson(rate, duration, seed):
    rng = np.random.default_rng(seed)
    return np.sort(rng.uniform(0, duration, rng.poisson(rate * duration)))


def test_jittered_repeats_of_one_train_are_above_chance():
    base = _poisson(10, 10.0, 0)
    repeats = [np.sort(np.clip(base + np.random.default_rng(k).normal(0, 1e-3, base.size), 0, 10)) for k in range(4)]
    result = group_reliability(repeats, 10.0, (0, 1, 2, 3))
    assert result.value == pytest.approx(intrinsic_reliability(repeats, 4e-3, 10.0))
    assert result.value > 0.5 and result.chance < 0.2 and result.above_chance
    assert result.p == pytest.approx(1 / 200)  # no shuffle reaches it: the smallest p of 199 shuffles


def test_independent_trains_are_not_above_chance():
    repeats = [_poisson(10, 10.0, k) for k in range(4)]
    result = group_reliability(repeats, 10.0)
    assert abs(result.value) < 0.1 and not result.above_chance and result.p > 0.05


def test_regular_firing_locked_only_at_onset_is_not_above_chance():
    # a step: every repeat fires at 20 Hz from its own phase after a common first spike
    repeats = [np.concatenate([[0.1], 0.1 + phase + np.arange(1, 37) * 0.05]) for phase in (0.011, 0.023, 0.037)]
    assert not group_reliability(repeats, 2.0).above_chance


def test_silent_repeats_have_no_reliability():
    result = group_reliability([np.array([]), np.array([])], 1.0)
    assert math.isnan(result.value) and math.isnan(result.p) and not result.above_chance


def test_simulated_noise_repeats_are_reliable_but_below_one(noise_recording):
    result = group_reliability([s.spike_times for s in noise_recording], noise_recording[0].stimulus.duration)
    assert 0.2 < result.value < 0.95 and result.above_chance
