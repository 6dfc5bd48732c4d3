"""spikefit.load: choosing the reader, and the options every reader honours."""
import numpy as np
import pytest
from synthetic import columns_npz

import spikefit
from spikefit.data import RecordingError, load
from spikefit.data.loaders import identify
from spikefit.data.raw import RecordingNotFoundError


def test_load_is_exported_at_the_top():
    assert spikefit.load is load and "load" in spikefit.__all__ and "load" in spikefit.data.__all__


def test_a_recording_knows_its_cell_rates_and_sweeps(steps_npz):
    recording = load(steps_npz)
    assert recording.cell == "steps" and recording.metadata["format"] == "npz"
    assert recording.sampling_rates == [4000.0] * 3
    assert recording.metadata["source"] == str(steps_npz) and recording.metadata["protocols"] == ["steps"]
    trace = recording[1]
    assert trace.metadata["sweep_name"] == "b" and trace.metadata["sweep"] == 1
    assert trace.metadata["sampling_rate"] == 4000.0 and trace.metadata["units"]["voltage"] == "V"
    assert trace.metadata["ljp_applied"] == 0.0 and trace.metadata["stimulus_mode"] == "recorded"
    assert trace.stimulus.start == pytest.approx(0.2, abs=1e-3) and trace.stimulus.stop == pytest.approx(0.8, abs=1e-3)
    assert trace.stimulus.metadata["amplitude"] == pytest.approx(200e-12)
    assert trace.stimulus.metadata["holding"] == pytest.approx(-20e-12)
    assert trace.spike_times == pytest.approx([0.3, 0.5], abs=3e-4)


def test_sweeps_are_chosen_by_position_or_name(steps_npz):
    assert [t.metadata["sweep_name"] for t in load(steps_npz, sweeps=[2, 0])] == ["c", "a"]
    assert [t.metadata["sweep_name"] for t in load(steps_npz, sweeps="b")] == ["b"]
    assert load(steps_npz, sweeps=1)[0].metadata["sweep"] == 1


@pytest.mark.parametrize("sweeps, message", [
    ([3], r"steps.npz: sweep 3 is not a name nor a position in 0..2"),
    (["z"], r"steps.npz: no sweep named 'z'; sweeps are a, b, c"),
    ([1, "b"], r"steps.npz: sweep 'b' asked for twice"),
])
def test_bad_sweep_selection_names_the_file(steps_npz, sweeps, message):
    with pytest.raises(RecordingError, match=message):
        load(steps_npz, sweeps=sweeps)


def test_protocol_selection(steps_npz):
    assert len(load(steps_npz, protocol="steps")) == 3
    with pytest.raises(RecordingError, match=r"steps.npz: no protocol 'IDrest'; protocols are steps"):
        load(steps_npz, protocol="IDrest")


def test_ljp_is_off_unless_asked_and_recorded_either_way(steps_npz):
    plain, corrected = load(steps_npz), load(steps_npz, ljp=0.014)
    assert np.allclose(plain[0].v - corrected[0].v, 0.014)
    assert corrected.metadata["ljp_applied"] == corrected[0].metadata["ljp_applied"] == 0.014
    assert corrected.metadata["options"] == {"ljp": 0.014}
    assert np.array_equal(plain[0].spike_times, corrected[0].spike_times)


def test_ljp_accepts_a_brian2_quantity(steps_npz):
    from brian2 import mV

    assert load(steps_npz, ljp=14 * mV).metadata["ljp_applied"] == pytest.approx(0.014)


def test_stimulus_window_given_or_none(steps_npz):
    given = load(steps_npz, window=(0.1, 0.9))[0].stimulus
    assert (given.start, given.stop, given.metadata["window"]) == (0.1, 0.9, "given")
    none = load(steps_npz, window=None)[0].stimulus
    assert none.start is None and none.metadata["amplitude"] is None
    with pytest.raises(RecordingError, match=r"steps.npz: sweep a: window \(0.1, 5.0\) s ends after the sweep"):
        load(steps_npz, window=(0.1, 5.0))


def test_stimulus_modes_warn_when_they_repair(steps_npz):
    with pytest.warns(UserWarning, match=r"steps.npz: stimulus of 3 sweeps rebuilt as ideal steps"):
        ideal = load(steps_npz, stimulus="ideal_step")
    assert np.unique(ideal[2].current) == pytest.approx([-20e-12, 280e-12])
    assert ideal[2].stimulus.metadata["mode"] == "ideal_step"
    with pytest.warns(UserWarning, match=r"stimulus of 3 sweeps smoothed \(running median 1 ms, running mean 2 ms\)"):
        smoothed = load(steps_npz, stimulus="smoothed")
    assert smoothed[0].current[2000] == pytest.approx(80e-12)


def test_ideal_step_needs_a_step(tmp_path):
    t = np.arange(4000) * 2.5e-4
    ramp = np.clip((t - 0.1) / 0.8, 0, 1) * 300e-12
    path = columns_npz(tmp_path / "ramp.npz", np.full(4000, -0.07), ramp)
    assert load(path)[0].stimulus.metadata["window"] == "span"
    with pytest.raises(RecordingError, match=r"ramp.npz: sweep 0: stimulus='ideal_step' needs a step protocol"):
        load(path, stimulus="ideal_step")


def test_spike_threshold_is_an_option(steps_npz):
    assert len(load(steps_npz, spike_threshold=-0.045)[0].spike_times) == 2
    assert load(steps_npz, spike_threshold=None)[0].spike_times is None
    assert len(load(steps_npz, spike_threshold=0.05)[0].spike_times) == 0


def test_cell_name_and_metadata_can_be_given(steps_npz):
    recording = load(steps_npz, cell="c7", metadata={"species": "Mus musculus"})
    assert recording.cell == "c7" and recording[0].metadata["cell"] == "c7"
    assert recording.metadata["species"] == "Mus musculus" and recording.metadata["cell_type"] is None


# ---------------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    with pytest.raises(RecordingNotFoundError, match=r"nowhere.abf: no such file or folder"):
        load(tmp_path / "nowhere.abf")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nowhere.abf")


def test_unknown_format(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(RecordingError, match=r"notes.txt: unknown format; spikefit reads .abf, .nwb, .ibw"):
        load(path)


def test_content_that_does_not_match_its_name(tmp_path, steps_npz):
    fake = tmp_path / "fake.abf"
    fake.write_bytes(steps_npz.read_bytes())
    with pytest.raises(RecordingError, match=r"fake.abf: named .abf but its content is a npz file"):
        load(fake)
    junk = tmp_path / "junk.nwb"
    junk.write_bytes(b"junk" * 10)
    with pytest.raises(RecordingError, match=r"junk.nwb: not a valid .nwb file .*truncated or corrupt"):
        load(junk)


def test_truncatedcolumns_npz(tmp_path, steps_npz):
    cut = tmp_path / "cut.npz"
    cut.write_bytes(steps_npz.read_bytes()[:2000])
    with pytest.raises(RecordingError, match=r"cut.npz: not a readable NPZ file .*truncated or corrupt"):
        load(cut)



def test_identify_formats(tmp_path, steps_npz, ibw_cell):
    assert identify(steps_npz) == "npz" and identify(ibw_cell) == "ibw"
    assert identify(sorted(ibw_cell.glob("*.ibw"))) == "ibw"
    with pytest.raises(RecordingError, match="a list of files must hold Igor .ibw waves only"):
        identify([steps_npz])
