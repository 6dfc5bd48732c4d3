"""CSV and NPZ with named columns and explicit units; NPZ and CSV written by spikefit."""
import numpy as np
import pytest
from synthetic import step_sweep

from spikefit.data import RecordingError, load


def _csv(path, header="sweep,time [ms],voltage [mV],current [pA]", sweeps=(100e-12, 300e-12), dt=2.5e-4, edit=None):
    lines = [header]
    for k, amplitude in enumerate(sweeps):
        v, current = step_sweep(amplitude, n=4000, dt=dt)
        for i in range(v.size):
            lines.append(f"{k},{i * dt * 1e3:.4f},{v[i] * 1e3:.4f},{current[i] * 1e12:.3f}")
    if edit:
        edit(lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_csv_with_units_in_the_header(tmp_path):
    recording = load(_csv(tmp_path / "cell.csv"))
    assert len(recording) == 2 and recording.cell == "cell" and recording.metadata["format"] == "csv"
    trace = recording[1]
    assert trace.dt == pytest.approx(2.5e-4)
    assert trace.metadata["units"] == {"time": "ms", "voltage": "mV", "current": "pA"}
    assert trace.stimulus.metadata["amplitude"] == pytest.approx(300e-12)
    assert trace.v.min() == pytest.approx(-0.07) and len(trace.spike_times) == 2


def test_csv_units_given_by_the_caller(tmp_path):
    path = _csv(tmp_path / "bare.csv", header="sweep,time,voltage,current")
    with pytest.raises(RecordingError, match=r"bare.csv: the unit of time must be explicit: in the file \(CSV header "
                                             r"'time \[unit\]'"):
        load(path)
    recording = load(path, units={"time": "ms", "voltage": "mV", "current": "pA"})
    assert recording[0].v.max() == pytest.approx(0.03)


def test_csv_units_that_contradict_or_measure_something_else(tmp_path):
    path = _csv(tmp_path / "cell.csv")
    with pytest.raises(RecordingError, match=r"cell.csv: voltage is in 'mV' according to the file but units says 'V'"):
        load(path, units={"voltage": "V"})
    odd = _csv(tmp_path / "odd.csv", header="sweep,time [ms],voltage [pA],current [pA]")
    with pytest.raises(RecordingError, match=r"odd.csv: voltage: unit 'pA' is not a voltage unit; expected one of V"):
        load(odd)


def test_one_sweep_without_a_sweep_column(tmp_path):
    path = tmp_path / "one.csv"
    v, current = step_sweep(n=400, dt=1e-3)
    rows = ["time (s),voltage (V),current (A)"] + [f"{i * 1e-3!r},{float(v[i])!r},{float(current[i])!r}"
                                                   for i in range(400)]
    path.write_text("\n".join(rows))
    recording = load(path)
    assert len(recording) == 1 and recording[0].dt == pytest.approx(1e-3) and recording[0].metadata["sweep_name"] == "0"


@pytest.mark.parametrize("header, message", [
    ("sweep,time [ms],voltage [mV],amps [pA]", r"column 'amps \[pA\]' is not one of time, voltage, current, sweep"),
    ("sweep,time [ms],voltage [mV]", None),
    ("time [ms],voltage [mV],current [pA],voltage [mV]", r"column 'voltage' given twice"),
])
def test_csv_columns_must_be_the_named_ones(tmp_path, header, message):
    path = tmp_path / "cols.csv"
    path.write_text(header + "\n" + ",".join(["1"] * len(header.split(","))) + "\n")
    with pytest.raises(RecordingError, match=r"cols.csv: " + (message or r"no 'current' column")):
        load(path)


def test_csv_bad_values(tmp_path):
    def text(lines):
        lines[10] = "0,2.2500,abc,-20.000"
    with pytest.raises(RecordingError, match=r"text.csv: column 'voltage \[mV\]' holds 'abc' at data row 10"):
        load(_csv(tmp_path / "text.csv", edit=text))

    def hole(lines):
        lines[10] = "0,2.2500,,-20.000"
    with pytest.raises(RecordingError, match=r"hole.csv: sweep 0: voltage has 1 NaN or infinite samples, the first at "
                                             r"sample 9 \(t = 0.00225 s\)"):
        load(_csv(tmp_path / "hole.csv", edit=hole))

    def jump(lines):
        del lines[500]
    with pytest.raises(RecordingError, match=r"jump.csv: sweep 0: time must increase in even steps"):
        load(_csv(tmp_path / "jump.csv", edit=jump))


def test_csv_implausible_units(tmp_path):
    path = _csv(tmp_path / "volts.csv", header="sweep,time [ms],voltage [V],current [pA]")
    with pytest.raises(RecordingError, match=r"volts.csv: sweep 0: voltage reaches 7e\+04 mV, beyond the \+-200 mV .* "
                                             r"\(file says 'V'\)"):
        load(path)
    path = _csv(tmp_path / "amps.csv", header="sweep,time [ms],voltage [mV],current [nA]")
    with pytest.raises(RecordingError, match=r"amps.csv: sweep 0: current reaches 8e\+04 pA, beyond the \+-1e\+04 pA"):
        load(path)


def test_csv_that_is_no_table(tmp_path):
    path = tmp_path / "blob.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\x00" * 50)
    with pytest.raises(RecordingError, match=r"blob.csv: "):
        load(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(RecordingError, match=r"empty.csv: not a readable CSV table"):
        load(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("time [s],voltage [V],current [A]\n")
    with pytest.raises(RecordingError, match=r"header.csv: holds no sweeps"):
        load(header_only)


def test_npz_with_named_arrays(tmp_path):
    sweeps = [step_sweep(a) for a in (100e-12, 200e-12)]
    path = tmp_path / "arrays.npz"
    np.savez(path, voltage=np.array([v for v, _ in sweeps]) * 1e3, current=np.array([i for _, i in sweeps]) * 1e12,
             time=np.arange(4000) * 0.25, voltage_unit="mV", current_unit="pA", time_unit="ms")
    recording = load(path)
    assert np.allclose(recording[1].v, sweeps[1][0]) and np.allclose(recording[1].current, sweeps[1][1])
    assert recording[0].dt == pytest.approx(2.5e-4)


def test_npz_sampling_interval_from_the_caller(tmp_path):
    v, current = step_sweep()
    path = tmp_path / "nodt.npz"
    np.savez(path, voltage=v, current=current, voltage_unit="V", current_unit="A")
    with pytest.raises(RecordingError, match=r"nodt.npz: no 'time' array; store the time, or pass dt \(s\)"):
        load(path)
    assert load(path, dt=2.5e-4)[0].dt == 2.5e-4


@pytest.mark.parametrize("arrays, message", [
    ({"voltage": np.zeros(3), "current": np.zeros(3), "time": np.arange(3), "gain": 1.0},
     r"array 'gain' is not one of voltage, current, time"),
    ({"current": np.zeros(3), "time": np.arange(3)}, r"no 'voltage' array"),
    ({"voltage": np.zeros((2, 3)), "current": np.zeros((3, 3)), "time": np.arange(3)},
     r"2 voltage sweeps but 3 current sweeps"),
    ({"voltage": np.zeros((2, 2, 3)), "current": np.zeros(3), "time": np.arange(3)},
     r"voltage has shape \(2, 2, 3\); one sweep \(1-D\) or sweeps x samples \(2-D\) expected"),
    ({"voltage": np.array(["a", "b"]), "current": np.zeros(2), "time": np.arange(2)}, r"voltage holds <U1 values"),
])
def test_npz_bad_arrays(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays, voltage_unit="V", current_unit="A", time_unit="s")
    with pytest.raises(RecordingError, match=r"bad.npz: " + message):
        load(path)


def test_csv_written_reads_back_its_arrays(tmp_path):
    recording = load(_csv(tmp_path / "cell.csv"))
    again = load(recording.write(tmp_path / "again.csv"))
    for a, b in zip(recording, again):
        assert np.array_equal(a.v, b.v) and np.array_equal(a.current, b.current) and a.dt == pytest.approx(b.dt)
