"""NWB 2 files: current-clamp series paired with their stimuli, writing and reading back, bad files."""
from datetime import datetime, timezone

import numpy as np
import pytest
from synthetic import step_sweep

from spikefit.data import Recording, RecordingError, Trace, load, step


def _nwb(path, sweeps, table=True, with_stimulus=True, conversion=1.0, species="Mus musculus"):
    """An NWB file as another tool writes it: one current-clamp series and stimulus per sweep."""
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.file import Subject
    from pynwb.icephys import CurrentClampSeries, CurrentClampStimulusSeries

    nwb = NWBFile(session_description="cell42", identifier="id42",
                  session_start_time=datetime(2020, 1, 2, tzinfo=timezone.utc),
                  subject=Subject(subject_id="m1", species=species, age="P30D", sex="F"))
    device = nwb.create_device(name="amp")
    electrode = nwb.create_icephys_electrode(name="e0", description="patch", device=device, location="S1 L2/3")
    for k, (v, current) in enumerate(sweeps):
        common = dict(starting_time=0.0, rate=4000.0, electrode=electrode, gain=1.0, sweep_number=np.uint32(k))
        response = CurrentClampSeries(name=f"ccs_{k}", data=v / conversion, conversion=conversion,
                                      stimulus_description="steps", description=f"sweep {k}", **common)
        stimulus = CurrentClampStimulusSeries(name=f"stim_{k}", data=current, **common)
        if table:
            nwb.add_intracellular_recording(electrode=electrode, stimulus=stimulus, response=response)
        else:
            nwb.add_acquisition(response)
            if with_stimulus:
                nwb.add_stimulus(stimulus)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


@pytest.mark.parametrize("table", [True, False])
def test_series_pair_with_their_stimuli(tmp_path, table):
    sweeps = [step_sweep(a) for a in (100e-12, 250e-12)]
    recording = load(_nwb(tmp_path / "cell.nwb", sweeps, table=table, conversion=1e-3))
    assert recording.cell == "cell42" and recording.metadata["species"] == "Mus musculus"
    assert recording.metadata["age"] == "P30D" and recording.metadata["location"] == "S1 L2/3"
    assert [t.metadata["sweep_name"] for t in recording] == ["ccs_0", "ccs_1"]
    for trace, (v, current) in zip(recording, sweeps):
        assert np.allclose(trace.v, v) and np.array_equal(trace.current, current)  # data * conversion
        assert trace.metadata["protocol"] == "steps" and trace.metadata["units"]["voltage"] == "volts"
    assert recording[1].stimulus.metadata["amplitude"] == pytest.approx(250e-12)


def test_a_series_without_stimulus(tmp_path):
    path = _nwb(tmp_path / "nostim.nwb", [step_sweep()], table=False, with_stimulus=False)
    with pytest.raises(RecordingError, match=r"nostim.nwb: sweep ccs_0: no current-clamp stimulus series pairs"):
        load(path)


def test_a_file_without_current_clamp(tmp_path):
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.icephys import VoltageClampSeries

    nwb = NWBFile(session_description="vc", identifier="vc",
                  session_start_time=datetime(2020, 1, 2, tzinfo=timezone.utc))
    electrode = nwb.create_icephys_electrode(name="e0", description="patch", device=nwb.create_device(name="amp"))
    nwb.add_acquisition(VoltageClampSeries(name="vcs", data=np.zeros(10), rate=1e4, electrode=electrode, gain=1.0))
    with NWBHDF5IO(str(tmp_path / "vc.nwb"), "w") as io:
        io.write(nwb)
    with pytest.raises(RecordingError, match=r"vc.nwb: no current-clamp series in the acquisition "
                                             r"\(found VoltageClampSeries\)"):
        load(tmp_path / "vc.nwb")


def test_truncated_file(tmp_path):
    path = _nwb(tmp_path / "whole.nwb", [step_sweep()])
    cut = tmp_path / "cut.nwb"
    cut.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(RecordingError, match=r"cut.nwb: not a readable NWB file .*truncated or corrupt"):
        load(cut)


def _synthetic_recording():
    stimuli = [step(a, 0.2, 0.8, 1.0, dt=2.5e-4, holding=-20e-12) for a in (100e-12, 300e-12)]
    traces = [Trace(np.linspace(-0.07, -0.05, s.n_samples), s, [0.3, 0.6 + k / 10],
                    {"model": "lif", "params": {"C": np.float64(2e-10), "tau": 0.02}, "sweep": k})
              for k, s in enumerate(stimuli)]
    return Recording(tuple(traces), {"model": "lif", "cell": "sim", "species": "Rattus norvegicus"})


@pytest.mark.parametrize("suffix", [".nwb", ".npz"])
def test_written_recordings_read_back_identical(tmp_path, suffix, ibw_cell, assert_same_recording):
    simulated = _synthetic_recording()
    assert_same_recording(load(simulated.write(tmp_path / f"sim{suffix}")), simulated)
    with pytest.warns(UserWarning, match="rebuilt"):
        loaded = load(ibw_cell, ljp=0.014, stimulus="ideal_step", metadata={"species": "Rattus norvegicus"})
    again = load(loaded.write(tmp_path / f"cell{suffix}"))
    assert_same_recording(again, loaded)
    assert again.metadata["ljp_applied"] == 0.014 and again.metadata["options"]["stimulus"] == "ideal_step"


@pytest.mark.parametrize("suffix", [".nwb", ".npz"])
def test_written_recordings_select_sweeps_but_refuse_reprocessing(tmp_path, suffix, ibw_cell):
    path = load(ibw_cell).write(tmp_path / f"cell{suffix}")
    assert [t.metadata["sweep_name"] for t in load(path, sweeps=["12", 0])] == ["12", "10"]
    with pytest.raises(RecordingError, match=rf"cell{suffix}: holds a Recording written by spikefit, processed when it "
                                             r"was first loaded \(ljp_applied=0.0, .*option ljp does not apply"):
        load(path, ljp=0.014)


def test_write_needs_a_known_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"path must end in .npz, .nwb or .csv, got '.*rec.h5'"):
        _synthetic_recording().write(tmp_path / "rec.h5")


def test_metadata_that_cannot_be_written(tmp_path):
    recording = Recording(_synthetic_recording().sweeps, {"cell": "x", "when": datetime(2020, 1, 1)})
    with pytest.raises(TypeError, match=r"recording metadata: datetime.datetime\(2020, 1, 1, 0, 0\) of type datetime "
                                        r"cannot be written"):
        recording.write(tmp_path / "x.npz")
