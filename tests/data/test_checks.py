"""The plausibility checks of a raw sweep, through spikefit.load and directly: each error names the file and sweep."""
import numpy as np
import pytest
from synthetic import columns_npz, step_sweep

from spikefit.data import RecordingError, load
from spikefit.data.checks import check_sweep
from spikefit.data.raw import RawSweep


def test_voltage_and_current_of_different_lengths(tmp_path):
    v, current = step_sweep()
    path = columns_npz(tmp_path / "short.npz", v, current[:-5])
    with pytest.raises(RecordingError, match=r"short.npz: sweep 0: voltage and current must have the same length, "
                                             r"got 4000 voltage and 3995 current samples"):
        load(path)


def test_nans(tmp_path):
    v, current = step_sweep()
    v[1234] = np.nan
    path = columns_npz(tmp_path / "nan.npz", v, current)
    with pytest.raises(RecordingError, match=r"nan.npz: sweep 0: voltage has 1 NaN or infinite samples, the first "
                                             r"at sample 1234 \(t = 0.3085 s\)"):
        load(path)
    current[7] = np.inf
    path = columns_npz(tmp_path / "inf.npz", step_sweep()[0], current)
    with pytest.raises(RecordingError, match=r"inf.npz: sweep 0: current has 1 NaN or infinite samples"):
        load(path)


def test_empty_sweep(tmp_path):
    path = columns_npz(tmp_path / "empty.npz", np.zeros(0), np.zeros(0))
    with pytest.raises(RecordingError, match=r"empty.npz: sweep 0: empty sweep \(voltage has 0 samples"):
        load(path)


@pytest.mark.parametrize("scale, message", [
    (1e3, r"voltage reaches 7e\+04 mV, beyond the \+-200 mV of a membrane potential; is the unit right"),
    (1e-3, r"voltage never leaves \+-1 mV"),
    (-1, r"voltage sits at 60 mV \(median\), outside the -130..-20 mV of a neuron"),
])
def test_implausible_voltage(tmp_path, scale, message):
    v, current = step_sweep(spikes=())
    path = columns_npz(tmp_path / "volts.npz", v * scale, current)
    with pytest.raises(RecordingError, match=r"volts.npz: sweep 0: " + message):
        load(path)


def test_microampere_current(tmp_path):
    v, current = step_sweep()
    path = columns_npz(tmp_path / "micro.npz", v, current * 1e3)  # 0.18 uA: nA taken for pA
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
