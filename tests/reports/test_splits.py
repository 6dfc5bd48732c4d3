"""Splits of a cell: each kind, the default, and splits that cannot work."""
import numpy as np
import pytest

import spikefit
from spikefit.data import resolve
from spikefit.models.references import STEP_FACTORS
from spikefit.reports.splits import MIN_TIME_PART, TIME_TRAIN_FRACTION, split_cell

from noise_cells import noise_recording, repeated_noise  # noqa: F401 (noise_recording: a fixture)


def test_reference_default_split_is_by_level():
    recording = resolve("hh_rs")
    assert len(recording) == len(STEP_FACTORS) + 1  # the steps and the noise sweep
    split = split_cell(recording, "hh_rs")
    assert split.kind == "level" and "8 step levels" in split.reason
    assert split.train == (0, 2, 4, 6) and split.test == (1, 3, 5, 7, 8)
    assert len(split.sweeps("train")) == 4 and split.groups("test") == [[0], [1], [2], [3], [4]]


def test_a_real_cell_splits_by_level_and_keeps_its_repeats_together():
    recording = resolve("sscx_l5ttpc_idrest")  # 8 amplitudes x 2 repeats, ideal steps
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


def test_repeated_noise_splits_in_time_by_default(noise_recording):
    split = split_cell(noise_recording, "noise")
    assert split.kind == "time" and "no step levels" in split.reason and split.fraction == TIME_TRAIN_FRACTION
    train, test = split.sweeps("train"), split.sweeps("test")
    boundary = TIME_TRAIN_FRACTION * 4.0
    for whole, first, rest in zip(noise_recording, train, test):
        # every trained sample lies before the boundary, every held-out one after it, none in both
        assert first.stimulus.duration == pytest.approx(boundary) and first.metadata.get("offset", 0.0) == 0.0
        assert rest.metadata["offset"] == pytest.approx(boundary)
        assert first.v.size + rest.v.size == whole.v.size
        assert np.array_equal(np.concatenate([first.v, rest.v]), whole.v)
        assert np.allclose(np.concatenate([first.spike_times, rest.spike_times + boundary]), whole.spike_times)
    assert split.groups("test") == [[0, 1, 2, 3]]
    [reliability] = split.reliability("test")
    assert reliability.sweeps == (0, 1, 2, 3) and 0 < reliability.value < 1 and reliability.above_chance


def test_stimulus_split_holds_out_whole_waveforms():
    a, b = repeated_noise(n_repeats=2, duration=1.0, seed=1), repeated_noise(n_repeats=2, duration=1.0, seed=2)
    recording = spikefit.data.Recording([a[0], b[0], a[1], b[1]], {"cell": "two"})
    split = split_cell(recording, "two", split="stimulus")
    assert split.kind == "stimulus" and split.train == (0, 2) and split.test == (1, 3)
    assert "split='stimulus'" in split.reason


def test_repeat_split_trains_on_some_repeats_of_every_stimulus(noise_recording):
    split = split_cell(noise_recording, "noise", split="repeat")
    assert split.train == (0, 2) and split.test == (1, 3) and split.groups("test") == [[0, 1]]
    with pytest.raises(ValueError, match=r"the repeat split leaves repeat group\(s\) \[\[0\], \[1\], .*of cell 'hh' "
                                         r"with nothing to test on: every group needs at least 2 repeats"):
        split_cell(resolve("hh"), "hh", split="repeat")


def test_level_split_asked_of_a_recording_without_steps(noise_recording):
    with pytest.raises(ValueError, match="the level split needs at least 2 step levels, got 0 for cell 'noise'"):
        split_cell(noise_recording, "noise", split="level")
    with pytest.raises(ValueError, match="the stimulus split needs at least 2 distinct stimuli, got 1 for cell 'noise'"):
        split_cell(noise_recording, "noise", split="stimulus")


def test_time_split_too_short_is_refused():
    short = repeated_noise(n_repeats=2, duration=1.0)
    with pytest.raises(ValueError, match=rf"the time split leaves sweep 0 of cell 'short' a test part of 0.4 s .*"
                                         rf"each part must last at least {MIN_TIME_PART:g} s"):
        split_cell(short, "short", split="time")


def test_split_kind_and_bad_combinations(noise_recording):
    with pytest.raises(ValueError, match="split must be one of level, time, stimulus, repeat, got split='halves'"):
        split_cell(noise_recording, "noise", split="halves")
    with pytest.raises(ValueError, match="give split= or train=/test= sweep indices for cell 'noise', not both"):
        split_cell(noise_recording, "noise", [0], split="time")
    with pytest.raises(ValueError, match="cell 'noise' are given as repeats, but their currents differ"):
        split_cell(spikefit.data.Recording([noise_recording[0], repeated_noise(1, seed=5)[0]]), "noise",
                   repeats=[[0, 1]])
    with pytest.raises(ValueError, match="the default split needs at least 2 step levels .* or, without steps, a "
                                         "stimulus repeated at least twice"):
        split_cell(noise_recording[:1], "noise")


def test_repeat_and_stimulus_splits_of_a_real_cell():
    recording = resolve("sscx_l5ttpc_idrest")  # 8 levels x 2 repeats
    by_repeat = split_cell(recording, "c", split="repeat")
    assert len(by_repeat.train) == len(by_repeat.test) == 8
    assert all(len(group) == 1 for group in by_repeat.groups("train"))  # one repeat of every level each side
    assert len(by_repeat.groups("test")) == 8
    by_stimulus = split_cell(recording, "c", split="stimulus")
    levels = [set(g) for g in by_stimulus.repeats]
    assert all(g <= set(by_stimulus.train) or g <= set(by_stimulus.test) for g in levels)  # levels stay whole
    assert len(by_stimulus.train) == len(by_stimulus.test) == 8


def test_a_real_recorded_current_splits_in_time(recordings_dir):
    import glob

    files = sorted(glob.glob(str(recordings_dir / "sscx_rat_L5TTPC" / "C060109A1-SR-C1" / "X_IDrest_ch*")))
    recording = resolve(files, stimulus="recorded")  # noisy currents: no step levels, 16 stimuli x 2
    split = split_cell(recording, "C060109A1", split=None)
    assert split.kind == "time" and "16 stimulus/stimuli repeated 2 times" in split.reason
    train, test = split.sweeps("train"), split.sweeps("test")
    assert train[0].stimulus.duration == pytest.approx(1.8) and test[0].stimulus.duration == pytest.approx(1.2)
    assert (train[0].stimulus.start, train[0].stimulus.stop) == pytest.approx((0.7, 1.8), abs=1e-3)  # the step, cut
    assert (test[0].stimulus.start, test[0].stimulus.stop) == pytest.approx((0.0, 0.9), abs=1e-3)
    reliabilities = split.reliability("test")
    assert len(reliabilities) == 16 and all(r.sweeps[1] - r.sweeps[0] == 16 for r in reliabilities)
