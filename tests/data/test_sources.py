"""``resolve``: one way from a name or a path to a Recording, for every command and comparison."""
import warnings

import numpy as np
import pytest

import spikefit
from spikefit.data import REFERENCES, Recording, resolve, samples
from spikefit.data.sources import DEFAULT_STIMULUS, reference_path


@pytest.mark.parametrize("name", REFERENCES)
def test_a_reference_is_its_shipped_file_every_sweep_kept(name):
    recording = resolve(name)
    with np.load(reference_path(name)) as arrays:  # the truth: the file's own arrays
        n = sum(key.startswith("v_") for key in arrays.files)
        assert len(recording) == n == (13 if name == "hh_rs_repeats" else 9)  # 8 steps, the noise sweep(s)
        for i, trace in enumerate(recording):
            np.testing.assert_array_equal(trace.v, arrays[f"v_{i}"])
    assert recording.cell == name and recording.metadata["reference"] == name


def test_a_recording_is_kept_as_it_is():
    recording = resolve("hh")
    assert resolve(recording) is recording
    with pytest.raises(ValueError, match="options sweeps apply to files and samples, got them for a Recording"):
        resolve(recording, sweeps=[0])
    with pytest.raises(ValueError, match="options ljp apply to files and samples, got them for reference 'hh'"):
        resolve("hh", ljp=0.014)


def test_a_sample_reads_its_current_as_the_ideal_step_by_default():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rebuilt step is the rule, not news
        rebuilt = resolve("sscx_l5ttpc_idrest", sweeps=[0])
    recorded = resolve("sscx_l5ttpc_idrest", sweeps=[0], stimulus="recorded")
    assert DEFAULT_STIMULUS == "ideal_step" and rebuilt.metadata["stimulus_mode"] == "ideal_step"
    inside = rebuilt[0].stimulus.inner_current()
    assert np.ptp(inside) == 0 and np.ptp(recorded[0].stimulus.inner_current()) > 10e-12  # a flat step, a noisy one
    # The level: the median of the recorded current inside the window, to the amplifier's noise.
    assert inside[0] == pytest.approx(np.median(recorded[0].stimulus.inner_current()), abs=10e-12)
    np.testing.assert_array_equal(rebuilt[0].v, recorded[0].v)
    assert rebuilt.cell == samples.load("sscx_l5ttpc_idrest", sweeps=[0]).cell == "C060109A1-SR-C1"


def test_a_path_and_a_file_spikefit_wrote(tmp_path):
    by_path = resolve(str(samples.path("pyabf_fsi")), sweeps=[3])
    by_name = resolve("pyabf_fsi", sweeps=[3])
    np.testing.assert_array_equal(by_path[0].stimulus.current, by_name[0].stimulus.current)
    written = tmp_path / "cell.npz"
    spikefit.get_model("lif").simulate(None, spikefit.step_protocol([0.2e-9, 0.4e-9], 0.1, 0.5, 0.6)).write(written)
    again = resolve(written)  # read as written: its stimulus was chosen when it was made
    assert isinstance(again, Recording) and len(again) == 2 and again.cell == str(written)
    with pytest.raises(spikefit.data.RecordingError, match="option stimulus does not apply"):
        resolve(written, stimulus="smoothed")


def test_an_unknown_source_names_what_there_is():
    with pytest.raises(ValueError, match="no file or folder 'hh_xx', and no sample or reference of that name; "
                                         "samples are bluepyefe_b6_idrest, bluepyefe_b8_idrest, pyabf_171116sh_0018, pyabf_fsi, "
                                         "sscx_l5ttpc_c060112a3_idrest, sscx_l5ttpc_idrest, references hh, hh_rs, hh_fs, hh_ib, "
                                         "hh_lts, hh_rs_repeats"):
        resolve("hh_xx")
    with pytest.raises(ValueError, match="unknown reference 'hh_xx'; references are hh, hh_rs, hh_fs, hh_ib, hh_lts, hh_rs_repeats"):
        reference_path("hh_xx")
