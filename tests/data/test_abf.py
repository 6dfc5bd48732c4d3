"""Axon ABF files (pyabf): sweeps, channels, the command waveform, and the bad files.

Uses the pyABF sample shipped with spikefit, so it runs without the shared recordings.
"""
import shutil
from types import SimpleNamespace

import numpy as np
import pytest

from spikefit.data import RecordingError, load, samples
from spikefit.data.abf import _current_channel, _voltage_channel

FSI = samples.path("pyabf_fsi")


def test_every_sweep_with_its_command():
    recording = load(FSI)
    assert len(recording) == 17 and recording.cell == "2019_07_24_0055_fsi"
    assert recording.metadata["format"] == "abf" and recording.metadata["recorded_at"].startswith("2019-07-24")
    assert recording.metadata["protocols"] == ["0113 AP gain [-100 to 300]"]
    trace = recording[8]
    assert trace.metadata["units"] == {"voltage": "mV", "current": "pA", "time": "s"}
    assert trace.metadata["current_origin"] == "command" and trace.metadata["current_channel"] == "Cmd 0"
    assert trace.metadata["voltage_channel"] == "IN 0" and trace.metadata["sweep_name"] == "8"
    assert trace.dt == 5e-5 and trace.v.size == 60000
    assert np.unique(trace.current) == pytest.approx([-100e-12, 0.0, 100e-12])


def test_voltage_channel_by_name_or_index():
    assert len(load(FSI, voltage_channel="IN 0", sweeps=[0])) == 1
    assert len(load(FSI, voltage_channel=0, sweeps=[0])) == 1
    with pytest.raises(RecordingError, match=r"fsi.abf: no ADC channel 'IN 3'; channels are 'IN 0' in 'mV'"):
        load(FSI, voltage_channel="IN 3")


def test_options_of_other_formats_are_refused():
    with pytest.raises(ValueError, match=r"option units applies to csv and npz files, not to abf"):
        load(FSI, units={"voltage": "mV"})


def test_truncated_and_corrupt(tmp_path):
    cut = tmp_path / "cut.abf"
    cut.write_bytes(FSI.read_bytes()[:300_000])
    with pytest.raises(RecordingError, match=r"cut.abf: (not a readable ABF file .*truncated or corrupt|truncated)"):
        load(cut)
    bad = tmp_path / "bad.abf"
    bad.write_bytes(b"ABF2" + bytes(range(256)) * 20)
    with pytest.raises(RecordingError, match=r"bad.abf: not a readable ABF file"):
        load(bad)


def test_voltage_clamp_or_command_less_files(tmp_path):
    from pyabf.abfWriter import writeABF1

    data = np.full((2, 2000), -70.0)
    writeABF1(data, str(tmp_path / "vc.abf"), 20000, units="pA")
    with pytest.raises(RecordingError, match=r"vc.abf: no voltage channel \(ADC channels: '' in 'pA'\)"):
        load(tmp_path / "vc.abf")
    writeABF1(data, str(tmp_path / "nocommand.abf"), 20000, units="mV")
    with pytest.raises(RecordingError, match=r"nocommand.abf: the command \(DAC ''\) is in '', not a current"):
        load(tmp_path / "nocommand.abf")


def test_a_recorded_current_channel_is_preferred_to_the_command():
    abf = SimpleNamespace(adcUnits=["mV", "pA"], adcNames=["Vm", "Im"], channelCount=2)
    assert _voltage_channel(abf, "f.abf", None) == 0 and _current_channel(abf, "f.abf", 0) == 1
    two = SimpleNamespace(adcUnits=["mV", "mV"], adcNames=["V1", "V2"], channelCount=2)
    with pytest.raises(RecordingError, match=r"f.abf: several voltage channels .* choose one with voltage_channel="):
        _voltage_channel(two, "f.abf", None)
    assert _voltage_channel(two, "f.abf", "V2") == 1 and _current_channel(two, "f.abf", 1) is None


def test_a_copy_elsewhere_loads_the_same(tmp_path):
    shutil.copy(FSI, tmp_path / "copy.abf")
    a, b = load(FSI, sweeps=[3]), load(tmp_path / "copy.abf", sweeps=[3])
    assert np.array_equal(a[0].v, b[0].v) and np.array_equal(a[0].current, b[0].current)
