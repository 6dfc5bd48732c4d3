"""Cells of a comparison: step levels, the default split, and splits that cannot work."""
import numpy as np
import pytest

import spikefit
from spikefit.data import resolve
from spikefit.models.references import STEP_FACTORS
from spikefit.reports.cells import split_cell, step_amplitude, step_levels


def test_reference_levels_and_default_split():
    recording = resolve("hh_rs")
    levels = step_levels(recording)
    assert levels == [[i] for i in range(len(STEP_FACTORS))]  # the noise sweep (8) is no step
    assert np.isnan(step_amplitude(recording[8]))
    split = split_cell(recording, "hh_rs")
    assert split.train == (0, 2, 4, 6) and split.test == (1, 3, 5, 7, 8)
    assert len(split.sweeps("train")) == 4 and split.groups("test") == [[0], [1], [2], [3], [4]]


def test_repeats_of_a_real_cell_share_a_level():
    recording = resolve("sscx_l5ttpc_idrest")  # 8 amplitudes x 2 repeats, ideal steps
    levels = step_levels(recording)
    assert len(levels) == 8 and all(len(level) == 2 for level in levels)
    amplitudes = [np.mean([step_amplitude(recording[i]) for i in level]) for level in levels]
    assert np.all(np.diff(amplitudes) > 50e-12)
    split = split_cell(recording, "c")
    assert len(split.train) == len(split.test) == 8
    assert all(len(group) == 2 for group in split.groups("train"))


def test_explicit_split_and_its_complement():
    recording = resolve("hh")
    split = split_cell(recording, "hh", test=[8])
    assert split.train == tuple(range(8)) and split.test == (8,)


@pytest.mark.parametrize("train, test, match", [
    ([], None, "the split leaves nothing to train on for cell 'hh'"),
    (list(range(9)), None, "cell 'hh' has no sweeps for the test split"),
    ([0, 1], [1, 2], r"a sweep is either trained on or held out, got sweeps \[1\] in both"),
    ([0, 9], None, r"train sweep indices must lie in 0..8 for cell 'hh', got \[9\]"),
])
def test_splits_that_cannot_work_are_refused(train, test, match):
    with pytest.raises(ValueError, match=match):
        split_cell(resolve("hh"), "hh", train, test)


def test_one_step_level_has_no_default_split():
    recording = spikefit.get_model("lif").simulate(None, spikefit.step_protocol([0.2e-9, 0.2e-9], 0.1, 0.5, 0.6))
    with pytest.raises(ValueError, match=r"cell 'c' has 1 step level\(s\): the default split needs at least 2"):
        split_cell(recording, "c")
