"""spikefit.load: choosing the reader, the options every reader honours, and the shared checks."""
import numpy as np
import pytest
from synthetic import step_sweep

import spikefit
from spikefit.data import RecordingError, load
from spikefit.data.loaders import RawSweep, RecordingNotFoundError, check_sweep, identify


def _npz(path, v, current, dt=2.5e-4, **extra):
    v, current = np.asarray(v), np.asarray(current)
    time = np.arange(np.shape(v)[-1]) * dt
    np.savez(path, time=time, voltage=v, current=current, time_unit="s", voltage_unit="V", current_unit="A", **extra)
    return path


@pytest.fixture
def steps_npz(tmp_path):
    """Three step sweeps (100, 200, 300 pA) with two spikes each, as an NPZ with named columns."""
    sweeps = [step_sweep(a) for a in (100e-12, 200e-12, 300e-12)]
    return _npz(tmp_path / "steps.npz", [v for v, _ in sweeps], [i for _, i in sweeps],
                sweep_names=np.array(["a", "b", "c"]), protocol="steps")


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
    path = _npz(tmp_path / "ramp.npz", np.full(4000, -0.07), ramp)
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


def test_truncated_npz(tmp_path, steps_npz):
    cut = tmp_path / "cut.npz"
    cut.write_bytes(steps_npz.read_bytes()[:2000])
    with pytest.raises(RecordingError, match=r"cut.npz: not a readable NPZ file .*truncated or corrupt"):
        load(cut)


def test_voltage_and_current_of_different_lengths(tmp_path):
    v, current = step_sweep()
    path = _npz(tmp_path / "short.npz", v, current[:-5])
    with pytest.raises(RecordingError, match=r"short.npz: sweep 0: voltage and current must have the same length, "
                                             r"got 4000 voltage and 3995 current samples"):
        load(path)


def test_nans(tmp_path):
    v, current = step_sweep()
    v[1234] = np.nan
    path = _npz(tmp_path / "nan.npz", v, current)
    with pytest.raises(RecordingError, match=r"nan.npz: sweep 0: voltage has 1 NaN or infinite samples, the first "
                                             r"at sample 1234 \(t = 0.3085 s\)"):
        load(path)
    current[7] = np.inf
    path = _npz(tmp_path / "inf.npz", step_sweep()[0], current)
    with pytest.raises(RecordingError, match=r"inf.npz: sweep 0: current has 1 NaN or infinite samples"):
        load(path)


def test_empty_sweep(tmp_path):
    path = _npz(tmp_path / "empty.npz", np.zeros(0), np.zeros(0))
    with pytest.raises(RecordingError, match=r"empty.npz: sweep 0: empty sweep \(voltage has 0 samples"):
        load(path)


@pytest.mark.parametrize("scale, message", [
    (1e3, r"voltage reaches 7e\+04 mV, beyond the \+-200 mV of a membrane potential; is the unit right"),
    (1e-3, r"voltage never leaves \+-1 mV"),
    (-1, r"voltage sits at 60 mV \(median\), outside the -130..-20 mV of a neuron"),
])
def test_implausible_voltage(tmp_path, scale, message):
    v, current = step_sweep(spikes=())
    path = _npz(tmp_path / "volts.npz", v * scale, current)
    with pytest.raises(RecordingError, match=r"volts.npz: sweep 0: " + message):
        load(path)


def test_microampere_current(tmp_path):
    v, current = step_sweep()
    path = _npz(tmp_path / "micro.npz", v, current * 1e3)  # 0.18 uA: nA taken for pA
    with pytest.raises(RecordingError, match=r"micro.npz: sweep 0: current reaches 1.8e\+05 pA, "
                                             r"beyond the \+-1e\+04 pA "
                                             r"plausible for a neuron \(max_current\); is the unit right"):
        load(path)
    assert len(load(path, max_current=1e-6)) == 1
    with pytest.raises(ValueError, match=r"max_current must be <= 1e-06 A"):
        load(path, max_current=1e-5)


def test_implausible_sampling_interval():
    sweep = RawSweep(np.full(10, -0.07), np.zeros(10), 0.5, "7", None, "f.abf", {"time": "ms"}, "command", 0)
    with pytest.raises(RecordingError, match=r"f.abf: sweep 7: sampling interval 0.5 s is outside"):
        check_sweep(sweep)


@pytest.mark.parametrize("options, error, message", [
    ({"ljpp": 0.01}, TypeError, "unknown option 'ljpp' for spikefit.load; did you mean ljp"),
    ({"ljp": 14}, ValueError, r"ljp must be a potential within \+-0.05 V \(14 mV is ljp=0.014\), got ljp=14"),
    ({"stimulus": "ideal"}, ValueError, "stimulus must be one of recorded, smoothed, ideal_step"),
    ({"window": (0.5, 0.1)}, ValueError, r"window must satisfy 0 <= start < stop"),
    ({"window": "auto"}, ValueError, r"window must be 'detect', None or \(start, stop\)"),
    ({"protocol": 3}, ValueError, "protocol must be a name or a list of names"),
    ({"smooth_width": 0}, ValueError, "smooth_width must be > 0"),
    ({"channel_units": {0: "pA"}}, ValueError, r"steps.npz: option channel_units applies to ibw files, not to npz"),
])
def test_bad_options(steps_npz, options, error, message):
    with pytest.raises(error, match=message):
        load(steps_npz, **options)


def test_identify_formats(tmp_path, steps_npz, ibw_cell):
    assert identify(steps_npz) == "npz" and identify(ibw_cell) == "ibw"
    assert identify(sorted(ibw_cell.glob("*.ibw"))) == "ibw"
    with pytest.raises(RecordingError, match="a list of files must hold Igor .ibw waves only"):
        identify([steps_npz])
