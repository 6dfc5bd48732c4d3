"""Repeat groups: steps by level, any other waveform by its binned current."""
import glob

import numpy as np
import pytest

import spikefit
from spikefit.data import Recording, Trace, from_array, resolve
from spikefit.reports.cells import check_repeats, current_difference, repeat_groups, step_amplitude, step_levels

from noise_cells import noise_recording  # noqa: F401 (a fixture)


def _sweep(current, dt=1e-4):
    stimulus = from_array(current, dt, 0.0, len(current) * dt)
    return Trace(np.full(len(current), -0.07), stimulus)


def test_reference_levels_and_the_noise_sweep():
    recording = resolve("hh_rs")
    assert step_levels(recording) == [[i] for i in range(8)]  # the noise sweep (8) is no step
    assert np.isnan(step_amplitude(recording[8]))
    assert repeat_groups(recording) == [[i] for i in range(9)]


def test_repeats_of_a_real_cell_share_a_level():
    recording = resolve("sscx_l5ttpc_idrest")  # 8 amplitudes x 2 repeats, ideal steps
    levels = step_levels(recording)
    assert len(levels) == 8 and all(len(level) == 2 for level in levels)
    amplitudes = [np.mean([step_amplitude(recording[i]) for i in level]) for level in levels]
    assert np.all(np.diff(amplitudes) > 50e-12)
    assert repeat_groups(recording) == levels


def test_recorded_noisy_currents_repeat_by_waveform(recordings_dir):
    # the recorded current (about 170 pA of sample noise) is no step: the waveform rule groups it
    files = sorted(glob.glob(str(recordings_dir / "sscx_rat_L5TTPC" / "C060109A1-SR-C1" / "X_IDrest_ch*")))
    recording = resolve(files, stimulus="recorded")
    assert len(recording) == 32 and step_levels(recording) == []
    assert repeat_groups(recording) == [[i, i + 16] for i in range(16)]  # the file order: 16 levels, then again


def test_frozen_noise_repeats_and_other_seeds_do_not():
    frozen = spikefit.ou_noise(0.3e-9, 0.1e-9, 5e-3, 0.0, 1.0, 1.0, seed=1).current
    other = spikefit.ou_noise(0.3e-9, 0.1e-9, 5e-3, 0.0, 1.0, 1.0, seed=2).current
    amplifier = [np.random.default_rng(k).normal(0, 100e-12, frozen.size) for k in range(3)]  # white, 10 kHz
    recording = Recording([_sweep(frozen + amplifier[0]), _sweep(other), _sweep(frozen + amplifier[1]),
                           _sweep(frozen + amplifier[2])])
    assert repeat_groups(recording) == [[0, 2, 3], [1]]
    # by hand: white noise of 100 pA averaged over 100 samples leaves 10 pA per sweep, 14 pA in a difference
    assert current_difference(recording[0], recording[2]) == pytest.approx(100e-12 * np.sqrt(2 / 100), rel=0.15)


def test_simulated_noise_recording_is_one_repeat_group(noise_recording):
    assert repeat_groups(noise_recording) == [[0, 1, 2, 3]]


def test_given_repeats_are_checked_against_the_tolerance():
    frozen = spikefit.ou_noise(0.3e-9, 0.1e-9, 5e-3, 0.0, 1.0, 1.0, seed=1).current
    recording = Recording([_sweep(frozen), _sweep(frozen * 1.2), _sweep(frozen)])
    assert check_repeats(recording, "c", [[0, 2]]) == [[0, 2]]
    with pytest.raises(ValueError, match=r"sweeps 0 and 1 of cell 'c' are given as repeats, but their currents differ "
                                         r"by [0-9.]+ pA RMS .*beyond the repeat tolerance of 20 pA"):
        check_repeats(recording, "c", [[0, 1]])
    with pytest.raises(ValueError, match=r"each sweep belongs to one repeat group"):
        check_repeats(recording, "c", [[0, 2], [2]])
    with pytest.raises(ValueError, match=r"repeat sweep indices must lie in 0..2 for cell 'c', got \[3\]"):
        check_repeats(recording, "c", [[0, 3]])
