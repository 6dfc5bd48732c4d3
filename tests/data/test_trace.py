import numpy as np
import pytest

import spikefit
from spikefit.data import Recording, Trace, step


def _trace(spikes=(0.15, 0.25)):
    stim = step(1e-10, 0.1, 0.3, 0.4, dt=1e-3)
    return Trace(np.full(stim.n_samples, -0.07), stim, spikes, {"sweep": 0})


def test_trace_shares_its_stimulus_time_base():
    trace = _trace()
    assert trace.dt == 1e-3 and trace.time.size == trace.v.size == 400
    assert trace.firing_rate == pytest.approx(2 / 0.2)


def test_trace_refuses_voltage_of_another_length():
    stim = step(1e-10, 0.1, 0.3, 0.4, dt=1e-3)
    with pytest.raises(ValueError, match=r"as many samples as its stimulus \(400\)"):
        Trace(np.zeros(399), stim)


def test_trace_refuses_unsorted_spike_times():
    with pytest.raises(ValueError, match="sorted"):
        _trace(spikes=(0.2, 0.1))


def test_recording_is_an_ordered_sequence_of_sweeps():
    rec = Recording((_trace(), _trace((0.12,))), {"cell": "c1"})
    assert len(rec) == 2 and rec[1].spike_times.tolist() == [0.12]
    assert len(rec[:1]) == 1 and rec[:1].metadata["cell"] == "c1"
    assert [s.dt for s in rec.stimuli] == [1e-3, 1e-3]
    with pytest.raises(TypeError, match="sweep 0 must be a Trace"):
        Recording((np.zeros(3),))


def test_recordings_pickle_for_worker_processes():
    import pickle

    stimulus = spikefit.step(0.2e-9, 0.1, 0.4, 0.5)
    trace = spikefit.get_model("lif").simulate(None, stimulus)
    recording = spikefit.Recording([trace], {"cell": "c1"})
    again = pickle.loads(pickle.dumps(recording))
    assert again.cell == "c1" and dict(again[0].metadata) == dict(trace.metadata)
    np.testing.assert_array_equal(again[0].v, trace.v)
    np.testing.assert_array_equal(again[0].spike_times, trace.spike_times)
    assert (again[0].stimulus.start, again[0].stimulus.stop) == (0.1, 0.4)


def test_window_slices_samples_spikes_and_stimulus_window_consistently():
    stim = step(1e-10, 0.1, 0.3, 0.4, dt=1e-3)
    v = np.arange(400) * 1e-3  # sample i holds i mV: which samples survive is visible
    trace = Trace(v, stim, [0.05, 0.15, 0.25, 0.35], {"sweep": 3})
    part = trace.window(0.2, 0.38)
    assert part.v.size == 180 and part.v[0] == pytest.approx(0.2) and part.v[-1] == pytest.approx(0.379)
    assert part.spike_times == pytest.approx([0.05, 0.15])  # 0.25 and 0.35 s, shifted by 0.2 s
    assert (part.stimulus.start, part.stimulus.stop) == pytest.approx((0.0, 0.1))  # step 0.1-0.3 cut at 0.2
    assert part.current[:100] == pytest.approx(1e-10) and part.current[100:] == pytest.approx(0.0)
    assert part.metadata["sweep"] == 3 and part.metadata["offset"] == pytest.approx(0.2)
    again = part.window(0.1, 0.18)  # offsets add up
    assert again.metadata["offset"] == pytest.approx(0.3) and again.stimulus.start is None  # misses the step
    assert again.stimulus.metadata["offset"] == pytest.approx(0.3)


def test_recording_window_slices_every_sweep_and_keeps_the_cell():
    recording = Recording([_trace(), _trace((0.05,))], {"cell": "c"})
    part = recording.window(0.0, 0.2)
    assert part.cell == "c" and len(part) == 2
    assert [list(s.spike_times) for s in part] == [[0.15], [0.05]]


@pytest.mark.parametrize("start, stop", [(0.3, 0.2), (-0.1, 0.2), (0.1, 0.5), (0.1, 0.1002)])
def test_window_refuses_an_empty_or_outside_slice(start, stop):
    with pytest.raises(ValueError, match="window"):
        _trace().window(start, stop)
