"""Fixtures of the loader tests: synthetic files of every format, and a comparison of recordings."""
import numpy as np
import pytest
from synthetic import columns_npz, ibw_bytes, step_sweep


@pytest.fixture
def write_ibw():
    """write_ibw(path, data, unit="mV", x_unit="s", dt=2.5e-4, note=b"") writes an .ibw and returns its path."""
    def write(path, data, unit="mV", x_unit="s", dt=2.5e-4, note=b""):
        path.write_bytes(ibw_bytes(data, unit, x_unit, dt, note))
        return path
    return write


@pytest.fixture
def ibw_cell(tmp_path, write_ibw):
    """A folder of .ibw waves of cell X: 3 IDrest sweeps (ch0 current in A, ch1 voltage in V)."""
    folder = tmp_path / "cellX"
    folder.mkdir()
    for k, amplitude in enumerate((100e-12, 200e-12, 300e-12)):
        v, current = step_sweep(amplitude)
        write_ibw(folder / f"X_IDrest_ch0_{10 + k}.ibw", current, unit="A")
        write_ibw(folder / f"X_IDrest_ch1_{10 + k}.ibw", v, unit="V")
    return folder


@pytest.fixture
def steps_npz(tmp_path):
    """Three step sweeps (100, 200, 300 pA) with two spikes each, as an NPZ with named columns."""
    sweeps = [step_sweep(a) for a in (100e-12, 200e-12, 300e-12)]
    return columns_npz(tmp_path / "steps.npz", [v for v, _ in sweeps], [i for _, i in sweeps],
                       sweep_names=np.array(["a", "b", "c"]), protocol="steps")


@pytest.fixture
def assert_same_recording():
    """assert_same_recording(a, b): equal arrays, windows, spike times and metadata, sweep by sweep."""
    def check(a, b):
        assert len(a) == len(b)
        assert dict(a.metadata) == dict(b.metadata)
        for x, y in zip(a, b):
            assert np.array_equal(x.v, y.v) and np.array_equal(x.current, y.current)
            assert x.dt == y.dt and (x.stimulus.start, x.stimulus.stop) == (y.stimulus.start, y.stimulus.stop)
            assert dict(x.stimulus.metadata) == dict(y.stimulus.metadata)
            assert dict(x.metadata) == dict(y.metadata)
            assert (x.spike_times is None) == (y.spike_times is None)
            if x.spike_times is not None:
                assert np.array_equal(x.spike_times, y.spike_times)
    return check
