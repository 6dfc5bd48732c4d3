"""Spike detection: upward threshold crossings."""
import numpy as np
import pytest

from spikefit.data.spikes import count_spikes, detect_spikes


def test_crossings_are_interpolated_between_samples():
    v = [-0.07, -0.03, 0.01, -0.06, 0.02, 0.03]
    assert detect_spikes(v, 1e-3) == pytest.approx([0.00125, 0.0035])
    assert count_spikes(v) == 2


def test_a_trace_that_starts_above_threshold_counts_no_spike_there():
    assert count_spikes([0.02, 0.03, -0.07, -0.07]) == 0 and detect_spikes([0.02], 1e-3).size == 0


def test_the_threshold_is_a_parameter():
    v = np.array([-0.07, -0.04, -0.07, -0.01, -0.07])
    assert count_spikes(v) == 1 and count_spikes(v, threshold=-0.05) == 2
    assert detect_spikes(v, 1e-4, threshold=-0.05) == pytest.approx([1e-4 * 2 / 3, 1e-4 * (2 + 2 / 6)])
