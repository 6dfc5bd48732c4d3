"""Every recording in ../shared/data/recordings loads as its README describes it.

Resting potential, spike peaks and currents in plausible ranges; spike counts per sweep equal to
eFEL's on the raw voltage; step amplitudes, onsets and offsets as the folder's README gives them.
Skipped, with the reason, where the folder is absent.
"""
import shutil

import efel
import numpy as np
import pytest

import spikefit

SSCX = "sscx_rat_L5TTPC"
PYABF = "pyabf_samples"
LANTYER = "lantyer2018_mouse_S1_L23/LantyerEtAl2018_180817_ME_9_CC.nwb"

# relative path -> (number of sweeps, sampling rates in Hz)
RECORDINGS = {
    f"{SSCX}/C060109A1-SR-C1": (122, {2e3, 4e3, 1e4, 2e4, 1e5}),
    f"{SSCX}/C060112A3-SR-C1": (80, {4e3}),
    "bluepyefe_rat_ssc_IDRest/B6": (5, {4e3}),
    "bluepyefe_rat_ssc_IDRest/B8": (5, {4e3}),
    "bluepyefe_rat_ssc_IDRest": (1, {4e3}),  # B95, the one cell at the top of the folder
    LANTYER: (10, {2e4}),
    f"{PYABF}/171116sh_0016.abf": (11, {2e4}),
    f"{PYABF}/171116sh_0017.abf": (3, {1e4}),
    f"{PYABF}/171116sh_0018.abf": (17, {2e4}),
    f"{PYABF}/17o05028_ic_steps.abf": (16, {2e4}),
    f"{PYABF}/18711001.abf": (30, {2e4}),
    f"{PYABF}/2019_07_24_0055_fsi.abf": (17, {2e4}),
    f"{PYABF}/File_axon_5.abf": (9, {2e4}),
}


@pytest.fixture(scope="module")
def loaded(recordings_dir):
    """load(relative path) -> Recording, each file read once per module."""
    cache = {}

    def get(relative):
        if relative not in cache:
            cache[relative] = spikefit.load(recordings_dir / relative)
        return cache[relative]
    return get


def _protocol(recording, name):
    return [t for t in recording if t.metadata["protocol"] == name]


def _amplitudes_pa(traces):
    return np.array([t.stimulus.metadata["amplitude"] * 1e12 for t in traces])


@pytest.mark.parametrize("relative", list(RECORDINGS))
def test_every_recording_loads_with_plausible_values(loaded, relative):
    recording = loaded(relative)
    n_sweeps, rates = RECORDINGS[relative]
    assert len(recording) == n_sweeps
    assert {round(r) for r in recording.sampling_rates} == rates
    assert recording.metadata["ljp_applied"] == 0.0 and recording.cell
    for trace in recording:
        before = trace.v[:max(10, int((trace.stimulus.start or 0.05) / trace.dt))]
        assert -0.085 < np.median(before) < -0.040, trace.metadata["sweep_name"]  # resting potential
        if len(trace.spike_times):
            assert 0.010 < trace.v.max() < 0.080  # spike peaks, mV range
        assert np.abs(trace.current).max() < 2.5e-9  # pA to a few nA, never uA
    assert np.abs(np.concatenate([t.current for t in recording])).max() > 15e-12


@pytest.mark.parametrize("relative", list(RECORDINGS))
def test_spike_counts_equal_efel_on_the_raw_voltage(loaded, relative):
    recording = loaded(relative)
    efel.reset()
    traces = [{"T": t.time * 1e3, "V": t.v * 1e3, "stim_start": [0.0], "stim_end": [t.stimulus.duration * 1e3]}
              for t in recording]
    counts = [int(f["spike_count"][0]) for f in efel.get_feature_values(traces, ["spike_count"])]
    assert [len(t.spike_times) for t in recording] == counts


def test_sscx_idrest_steps_as_the_readme_says(loaded):
    for cell, low in (("C060109A1-SR-C1", 180), ("C060112A3-SR-C1", 130)):
        idrest = _protocol(loaded(f"{SSCX}/{cell}"), "IDrest")
        assert len(idrest) == 32  # 16 amplitudes x 2 repetitions
        for t in idrest:
            assert t.dt == 2.5e-4 and t.stimulus.duration == pytest.approx(3.0)
            assert t.stimulus.start == pytest.approx(0.7, abs=2e-3) and t.stimulus.stop == pytest.approx(2.7, abs=2e-3)
            assert t.metadata["units"] == {"voltage": "V", "current": "A", "time": "s"}
            assert t.stimulus.metadata["origin"] == "recorded"
        first, second = _amplitudes_pa(idrest[:16]), _amplitudes_pa(idrest[16:])
        assert np.all(np.diff(first) > 0) and np.allclose(first, second, atol=10)
        assert 130 <= first.min() and first.min() < low + 10 and first.max() <= 1320  # README: ~130-1320 pA
        holding = np.array([t.stimulus.metadata["holding"] for t in idrest]) * 1e12
        assert np.all((-60 < holding) & (holding < 0))  # on top of a small negative holding current


def test_sscx_other_protocols(loaded):
    cell = loaded(f"{SSCX}/C060109A1-SR-C1")
    assert cell.metadata["protocols"] == ["APThreshold", "IV", "APWaveform", "sAHP", "IDrest", "IDhyperpol",
                                          "IDthresh", "SpikeRec"]  # in acquisition order
    iv = _protocol(cell, "IV")
    assert {t.v.size for t in iv} == {5280}  # 1.32 s at 4 kHz
    assert iv[0].stimulus.start == pytest.approx(0.020, abs=2e-3)
    assert iv[0].stimulus.stop == pytest.approx(1.020, abs=2e-3)
    amplitudes = _amplitudes_pa(iv)
    assert amplitudes.min() < -150 and 0 < amplitudes.max() < 150  # hyperpolarising and small depolarising
    assert all(len(t.spike_times) == 0 for t in iv)
    threshold = _protocol(cell, "IDthresh")
    assert threshold[0].stimulus.start == pytest.approx(0.7, abs=2e-3)
    assert {t.dt for t in _protocol(cell, "APThreshold")} == {1e-4}
    assert _protocol(cell, "APThreshold")[0].stimulus.metadata["window"] == "span"  # a ramp
    waveform = _protocol(cell, "APWaveform")
    assert {t.dt for t in waveform} == {1e-5} and waveform[0].stimulus.duration == pytest.approx(0.06, abs=1e-4)
    assert {t.dt for t in _protocol(cell, "sAHP")} == {5e-4}
    assert {t.dt for t in _protocol(cell, "SpikeRec")} == {5e-5}


def test_bluepyefe_cells(loaded):
    for cell, counts in (("B6", (26, 89)), ("B8", (20, 81))):
        recording = loaded(f"bluepyefe_rat_ssc_IDRest/{cell}")
        for t in recording:
            assert t.stimulus.start == pytest.approx(0.7, abs=2e-3) and t.stimulus.stop == pytest.approx(2.7, abs=2e-3)
            assert t.metadata["units"]["voltage"] == "mV" and t.metadata["units"]["current"] == "pA"
        spikes = [len(t.spike_times) for t in recording]
        assert (min(spikes), max(spikes)) == counts  # fast firing; README says 26-89 for B6 and B8
    b95 = loaded("bluepyefe_rat_ssc_IDRest")
    assert b95.metadata["file_prefix"] == "B95" and b95[0].metadata["sweep_name"] == "107"


def test_lantyer_nwb_steps_pair_by_sweep_number(loaded):
    recording = loaded(LANTYER)
    assert recording.metadata["species"] == "Mus musculus" and recording.cell == "180817_ME_9_CC"
    amplitudes = _amplitudes_pa(recording)
    assert np.allclose(amplitudes, np.arange(40, 401, 40), rtol=0.03)  # 40...400 pA, +40 each
    for t in recording:
        assert t.v.size == 23200 and t.dt == 5e-5
        assert t.stimulus.start == pytest.approx(0.1, abs=1e-3) and t.stimulus.stop == pytest.approx(0.6, abs=1e-3)
    spikes = [len(t.spike_times) for t in recording]
    assert spikes[0] == 0 and spikes[-1] == 46 and spikes == sorted(spikes)
    # The series' descriptions are off by one sweep in this conversion; they are kept, not used.
    assert "40.0pA" in recording[-1].metadata["nwb_description"]


@pytest.mark.parametrize("name, window, steps", [
    ("171116sh_0018.abf", (0.14685, 0.64685), np.arange(-100, 301, 25)),
    ("2019_07_24_0055_fsi.abf", (0.14685, 0.64685), np.arange(-100, 301, 25)),
    ("17o05028_ic_steps.abf", (0.14685, 0.64685), np.arange(-50, 101, 10)),
    ("18711001.abf", (0.8234, 1.3234), np.arange(0, 291, 10)),
    ("File_axon_5.abf", (0.2156, 0.7156), np.arange(-100, 301, 50)),
])
def test_pyabf_step_protocols(loaded, name, window, steps):
    recording = loaded(f"{PYABF}/{name}")
    for t in recording:
        assert t.stimulus.start == pytest.approx(window[0], abs=2e-4)
        assert t.stimulus.stop == pytest.approx(window[1], abs=2e-4)
        assert t.stimulus.metadata["origin"] == "command" and t.metadata["units"]["current"] == "pA"
    assert np.allclose(_amplitudes_pa(recording), steps, atol=0.5)


def test_pyabf_details(loaded):
    fsi = loaded(f"{PYABF}/2019_07_24_0055_fsi.abf")
    in_step = [np.sum((t.spike_times >= t.stimulus.start) & (t.spike_times < t.stimulus.stop)) for t in fsi]
    assert max(in_step) == 64  # up to 64 spikes in 500 ms
    assert len(fsi[0].spike_times) > 0  # a few spontaneous spikes at rest
    spontaneous = loaded(f"{PYABF}/17o05028_ic_steps.abf")
    assert all(len(t.spike_times) >= 10 for t in spontaneous[:5])  # fires at rest, under negative steps
    ramp = loaded(f"{PYABF}/171116sh_0016.abf")
    assert ramp[0].stimulus.metadata["window"] == "span" and np.abs(ramp[-1].current).max() == pytest.approx(1e-10)
    chirp = loaded(f"{PYABF}/171116sh_0017.abf")
    assert chirp[0].metadata["stimulus_file"].endswith("sine sweep magnitude 20.abf")
    assert np.abs(chirp[0].current).max() == pytest.approx(20e-12, rel=1e-3)  # 0 +- 20 pA chirp
    assert all(len(t.spike_times) == 0 for t in chirp)  # subthreshold


def test_a_stimulus_waveform_file_is_no_recording(recordings_dir):
    with pytest.raises(spikefit.data.RecordingError, match=r"sine sweep magnitude 20.abf: no voltage channel"):
        spikefit.load(recordings_dir / PYABF / "sine sweep magnitude 20.abf")


def test_chirp_without_its_waveform_file_names_it(recordings_dir, tmp_path):
    shutil.copy(recordings_dir / PYABF / "171116sh_0017.abf", tmp_path)
    with pytest.raises(spikefit.data.RecordingError,
                       match=r"171116sh_0017.abf: its protocol reads the stimulus waveform from "
                             r"'sine sweep magnitude 20.abf', which must sit beside it"):
        spikefit.load(tmp_path / "171116sh_0017.abf")
    recording = spikefit.load(tmp_path / "171116sh_0017.abf", stimulus_folder=recordings_dir / PYABF)
    assert np.abs(recording[0].current).max() == pytest.approx(20e-12, rel=1e-3)


def test_sscx_channels_are_told_by_unit_not_by_number(recordings_dir, tmp_path):
    # As in the 2008 cells of the same database: voltage in ch0, current in ch1.
    source = recordings_dir / SSCX / "C060109A1-SR-C1"
    for channel, other in (("ch0", "ch1"), ("ch1", "ch0")):
        shutil.copy(source / f"X_IDrest_{channel}_330.ibw", tmp_path / f"X_IDrest_{other}_330.ibw")
    swapped, original = spikefit.load(tmp_path)[0], spikefit.load(source, sweeps="330")[0]
    assert np.array_equal(swapped.v, original.v) and np.array_equal(swapped.current, original.current)
    assert swapped.metadata["source"].endswith("X_IDrest_ch0_330.ibw")


def test_ljp_correction_is_asked_for_and_recorded(recordings_dir):
    folder = recordings_dir / SSCX / "C060112A3-SR-C1"
    raw = spikefit.load(folder, protocol="IDrest", sweeps=[0, 5])
    corrected = spikefit.load(folder, protocol="IDrest", sweeps=[0, 5], ljp=0.014)
    for a, b in zip(raw, corrected):
        assert np.allclose(a.v - b.v, 0.014) and np.array_equal(a.spike_times, b.spike_times)
        assert (a.metadata["ljp_applied"], b.metadata["ljp_applied"]) == (0.0, 0.014)
    assert corrected.metadata["ljp_applied"] == 0.014


def test_sscx_stimulus_smoothed_or_rebuilt(recordings_dir):
    folder = recordings_dir / SSCX / "C060109A1-SR-C1"
    raw = spikefit.load(folder, protocol="IDrest", sweeps=[3])[0]
    with pytest.warns(UserWarning, match="smoothed"):
        smooth = spikefit.load(folder, protocol="IDrest", sweeps=[3], stimulus="smoothed")[0]
    with pytest.warns(UserWarning, match="rebuilt as ideal steps"):
        ideal = spikefit.load(folder, protocol="IDrest", sweeps=[3], stimulus="ideal_step")[0]
    inside = slice(int(1.0 / raw.dt), int(2.5 / raw.dt))
    assert np.std(smooth.current[inside]) < 0.3 * np.std(raw.current[inside])  # the ~90 pA noise, mostly gone
    holding, amplitude = ideal.stimulus.metadata["holding"], ideal.stimulus.metadata["amplitude"]
    levels = holding, holding + amplitude
    assert set(np.unique(ideal.current)) == set(levels)
    assert ideal.stimulus.metadata["mode"] == "ideal_step" and ideal.metadata["stimulus_mode"] == "ideal_step"
    assert np.mean(raw.current[inside]) == pytest.approx(levels[1], abs=10e-12)
