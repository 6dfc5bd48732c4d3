"""Igor .ibw waves: grouping by name, channels told by unit, and the bad files."""
from pathlib import Path

import numpy as np
import pytest
from synthetic import step_sweep

from spikefit.data import RecordingError, load
from spikefit.data.igor import parse_name, read_wave


@pytest.mark.parametrize("name, parsed", [
    ("X_IDrest_ch0_326.ibw", ("X", "IDrest", 0, 326)),
    ("B6_Ch3_IDRest_181.ibw", ("B6", "IDRest", 3, 181)),
    ("exp_AP_Threshold_ch1_1033.ibw", ("exp", "AP_Threshold", 1, 1033)),
])
def test_names_give_cell_protocol_channel_and_sweep(name, parsed):
    n = parse_name(Path(name))
    assert (n.prefix, n.protocol, n.channel, n.sweep) == parsed


@pytest.mark.parametrize("name", ["X_IDrest_326.ibw", "X_ch0_IDrest.ibw", "IDrest_ch0_1.ibw", "X_ch0_ch1_IDrest_3.ibw"])
def test_names_that_tell_no_channel_and_sweep(name):
    with pytest.raises(RecordingError, match=rf"{name}: name must read <cell>_<protocol>_ch<k>_<sweep>.ibw"):
        parse_name(Path(name))


def test_a_folder_groups_channels_into_sweeps(ibw_cell):
    recording = load(ibw_cell)
    assert recording.cell == "cellX" and recording.metadata["file_prefix"] == "X"
    assert [t.metadata["sweep_name"] for t in recording] == ["10", "11", "12"]
    assert recording.metadata["protocols"] == ["IDrest"]
    trace = recording[1]
    assert trace.metadata["source"].endswith("X_IDrest_ch1_11.ibw")
    assert trace.metadata["current_file"].endswith("X_IDrest_ch0_11.ibw")
    assert trace.metadata["units"] == {"voltage": "V", "current": "A", "time": "s"}
    assert trace.stimulus.metadata["amplitude"] == pytest.approx(200e-12, rel=1e-6)
    assert trace.stimulus.metadata["origin"] == "recorded"


def test_one_file_loads_its_sweep_and_a_list_its_sweeps(ibw_cell):
    one = load(ibw_cell / "X_IDrest_ch1_11.ibw")
    assert len(one) == 1 and one[0].metadata["sweep_name"] == "11"
    files = [ibw_cell / f"X_IDrest_ch{c}_{s}.ibw" for s in (10, 12) for c in (0, 1)]
    assert [t.metadata["sweep_name"] for t in load(files)] == ["10", "12"]


def test_channels_without_units_are_named_by_the_caller(tmp_path, write_ibw):
    v, current = step_sweep()
    write_ibw(tmp_path / "B7_Ch0_IDRest_5.ibw", current * 1e12, unit="")
    write_ibw(tmp_path / "B7_Ch3_IDRest_5.ibw", v * 1e3, unit="")
    with pytest.raises(RecordingError, match=r"B7_Ch0_IDRest_5.ibw: the wave states no unit; say which channel is "
                                             r"which, e.g. channel_units=\{0: 'mV'\}"):
        load(tmp_path)
    recording = load(tmp_path, channel_units={"ch0": "pA", 3: "mV"})
    assert np.allclose(recording[0].v, v) and np.allclose(recording[0].current, current)
    assert recording[0].metadata["units"]["current"] == "pA"
    swapped = dict(channel_units={0: "mV", 3: "pA"})
    with pytest.raises(RecordingError, match=r"B7_Ch0_IDRest_5.ibw: sweep 5: voltage sits at 180 mV \(median\).* "
                                             r"or is this the current channel\?"):
        load(tmp_path, **swapped)


def test_channel_units_that_contradict_the_header(ibw_cell):
    with pytest.raises(RecordingError, match=r"X_IDrest_ch0_10.ibw: header says unit 'A' but channel_units says 'pA'"):
        load(ibw_cell, channel_units={0: "pA"})
    with pytest.raises(ValueError, match=r"channel_units\[0\] must be a voltage or current unit such as mV or pA"):
        load(ibw_cell, channel_units={0: "ms"})
    with pytest.raises(ValueError, match=r"channel_units keys must be channel numbers such as 0 or 'ch0', got 'x'"):
        load(ibw_cell, channel_units={"x": "pA"})


def test_time_unit_from_the_header_the_note_or_the_caller(tmp_path, write_ibw):
    v, current = step_sweep()
    write_ibw(tmp_path / "B7_Ch0_IDRest_5.ibw", current * 1e12, unit="pA", x_unit="", note=b"SIZE:4000;SI:250;")
    write_ibw(tmp_path / "B7_Ch3_IDRest_5.ibw", v * 1e3, unit="mV", x_unit="", note=b"SI:250")
    trace = load(tmp_path)[0]
    assert trace.dt == 2.5e-4 and trace.metadata["units"]["time"].startswith("s (none in header; wave note SI:250")
    write_ibw(tmp_path / "B7_Ch3_IDRest_5.ibw", v * 1e3, unit="mV", x_unit="", note=b"SI:100")
    with pytest.raises(RecordingError, match=r"B7_Ch3_IDRest_5.ibw: x step 0.00025 has no unit and the wave note says "
                                             r"SI:100 us; pass dt"):
        load(tmp_path)
    write_ibw(tmp_path / "B7_Ch3_IDRest_5.ibw", v * 1e3, unit="mV", x_unit="")
    with pytest.raises(RecordingError, match=r"B7_Ch3_IDRest_5.ibw: the wave states no time unit"):
        load(tmp_path)
    assert load(tmp_path, dt=2.5e-4)[0].metadata["units"]["time"] == "none in file; dt given"


def test_corrupt_and_truncated_waves(ibw_cell):
    path = ibw_cell / "X_IDrest_ch1_11.ibw"
    raw = bytearray(path.read_bytes())
    raw[40] ^= 0xFF  # a byte of the wave header
    path.write_bytes(bytes(raw))
    with pytest.raises(RecordingError, match=r"X_IDrest_ch1_11.ibw: Igor wave header is truncated or corrupt"):
        load(ibw_cell)
    raw[40] ^= 0xFF
    path.write_bytes(bytes(raw[:3000]))
    with pytest.raises(RecordingError, match=r"X_IDrest_ch1_11.ibw: not a readable Igor wave .*is it truncated\?"):
        load(ibw_cell)
    path.write_bytes(b"\x00")
    with pytest.raises(RecordingError, match=r"X_IDrest_ch1_11.ibw: 1 bytes, too short for an Igor wave"):
        read_wave(path)


def test_a_sweep_needs_one_voltage_and_one_current(ibw_cell, write_ibw):
    (ibw_cell / "X_IDrest_ch0_11.ibw").unlink()
    with pytest.raises(RecordingError, match=r"X_IDrest_ch1_11.ibw: sweep 11: one voltage and one current channel "
                                             r"expected, found ch1 in V"):
        load(ibw_cell)
    write_ibw(ibw_cell / "X_IDrest_ch2_11.ibw", step_sweep()[0], unit="V")
    with pytest.raises(RecordingError, match=r"found ch1 in V, ch2 in V"):
        load(ibw_cell)


def test_voltage_and_current_of_different_lengths(ibw_cell, write_ibw):
    write_ibw(ibw_cell / "X_IDrest_ch0_12.ibw", step_sweep()[1][:3000], unit="A")
    with pytest.raises(RecordingError, match=r"X_IDrest_ch1_12.ibw: sweep 12: voltage and current must have the same "
                                             r"length, got 4000 voltage and 3000 current samples"):
        load(ibw_cell)
    assert len(load(ibw_cell, sweeps=["10", "11"])) == 2  # the bad sweep left out on purpose


def test_nan_and_empty_waves(ibw_cell, write_ibw):
    v = step_sweep()[0]
    v[100:110] = np.nan
    write_ibw(ibw_cell / "X_IDrest_ch1_10.ibw", v, unit="V")
    with pytest.raises(RecordingError, match=r"X_IDrest_ch1_10.ibw: sweep 10: voltage has 10 NaN or infinite "
                                             r"samples, the first at sample 100"):
        load(ibw_cell)
    write_ibw(ibw_cell / "X_IDrest_ch1_10.ibw", np.zeros(0), unit="V")
    write_ibw(ibw_cell / "X_IDrest_ch0_10.ibw", np.zeros(0), unit="A")
    with pytest.raises(RecordingError, match=r"X_IDrest_ch1_10.ibw: sweep 10: empty sweep"):
        load(ibw_cell)


def test_channels_sampled_differently(ibw_cell, write_ibw):
    write_ibw(ibw_cell / "X_IDrest_ch0_10.ibw", step_sweep()[1], unit="A", dt=1e-4)
    with pytest.raises(RecordingError, match=r"sweep 10: voltage sampled every 0.00025 s but current every 0.0001 s"):
        load(ibw_cell)


def test_wave_units_that_are_no_voltage_nor_current(ibw_cell, write_ibw):
    write_ibw(ibw_cell / "X_IDrest_ch0_10.ibw", step_sweep()[1], unit="S")
    with pytest.raises(RecordingError, match=r"X_IDrest_ch0_10.ibw: unit 'S' is neither a voltage nor a current"):
        load(ibw_cell)


def test_folders_of_several_cells_or_none(tmp_path, ibw_cell, write_ibw):
    write_ibw(ibw_cell / "Y_IDrest_ch1_99.ibw", step_sweep()[0], unit="V")
    with pytest.raises(RecordingError, match=r"cellX: files of several cells \(X, Y\)"):
        load(ibw_cell)
    with pytest.raises(RecordingError, match=r"folder holds no .ibw files \(its subfolders cellX do: load each cell"):
        load(tmp_path)
