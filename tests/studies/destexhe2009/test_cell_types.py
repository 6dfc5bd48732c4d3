"""Destexhe 2009 cell types (Fig. 1): adaptation, rebound bursts, and what is refused."""
import numpy as np
import pytest

from spikefit.data import Recording
from spikefit.studies.destexhe2009.cell_types import CELL_TYPES, STEP_START, STEP_STOP, simulate_cell_types


@pytest.fixture(scope="module")
def recordings():
    return simulate_cell_types()


def _isi(trace):
    return np.diff(trace.spike_times)


def test_cell_types_gives_every_type_two_steps_in_the_papers_order(recordings):
    assert list(recordings) == list(CELL_TYPES)
    for name, rec in recordings.items():
        assert isinstance(rec, Recording) and len(rec) == 2
        assert rec.metadata["cell"] == name and rec.metadata["preset"] == CELL_TYPES[name][0]
        pos, neg = rec
        assert pos.current.max() == pytest.approx(0.25e-9) and neg.current.min() == pytest.approx(-0.25e-9)
        assert (pos.stimulus.start, pos.stimulus.stop) == (STEP_START, STEP_STOP)
        assert pos.v[0] == pytest.approx(-60e-3)  # from rest at E_L
        # spikes are drawn as in the paper: one sample at +20 mV per spike
        assert np.sum(pos.v >= 20e-3 - 1e-12) == pos.spike_times.size > 0


def test_rs_cells_adapt_and_fs_cells_do_not(recordings):
    strong = _isi(recordings["rs_strong"][0])
    weak = _isi(recordings["rs_weak"][0])
    fs = _isi(recordings["fs"][0])
    assert strong[-1] / strong[0] > 3  # 137 ms after 24 ms
    assert 1.1 < weak[-1] / weak[0] < strong[-1] / strong[0]  # 28 ms after 20 ms
    assert fs[-1] / fs[0] == pytest.approx(1.0, abs=0.05)  # 20.2 ms after 19.9 ms
    assert fs.size + 1 > weak.size + 1 > strong.size + 1


@pytest.mark.parametrize("name", ["lts", "tc", "re"])
def test_lts_tc_and_re_fire_on_release_from_hyperpolarisation(recordings, name):
    neg = recordings[name][1]
    assert neg.spike_times.size >= 1
    assert np.all(neg.spike_times > STEP_STOP)  # none during the hyperpolarising step
    assert neg.spike_times[0] < STEP_STOP + 0.05  # within 50 ms of its end


@pytest.mark.parametrize("name", ["rs_strong", "rs_weak", "fs"])
def test_rs_and_fs_cells_do_not_rebound(recordings, name):
    assert recordings[name][1].spike_times.size == 0


def test_names_amplitude_and_overrides_select_what_is_simulated():
    from brian2 import nA, ms

    recs = simulate_cell_types(["tc"], amplitude=0.3 * nA, duration=1000 * ms, overrides={"V_reset": -55e-3})
    assert list(recs) == ["tc"]
    pos, neg = recs["tc"]
    assert pos.current.max() == pytest.approx(0.3e-9) and pos.stimulus.duration == pytest.approx(1.0)
    assert recs["tc"].metadata["params"]["V_reset"] == pytest.approx(-55e-3)
    assert list(simulate_cell_types("fs")) == ["fs"]


@pytest.mark.parametrize("names, match", [
    (["rs_stong", "fs"], "unknown cell type 'rs_stong' for Destexhe 2009; did you mean rs_strong"),
    ("RS", "unknown cell type 'RS' .* Known: rs_strong, rs_weak, fs, lts, tc, re"),
    (["fs", "fs"], "must not repeat a cell type, got fs"),
    ([], "at least one cell type"),
])
def test_bad_names_are_refused(names, match):
    with pytest.raises(ValueError, match=match):
        simulate_cell_types(names)


@pytest.mark.parametrize("amplitude, match", [
    (-0.25e-9, r"amplitude must be > 0 .* got amplitude=-2.5e-10 A"),
    (0.0, "amplitude must be > 0"),
    (0.25, "was a current in nA passed as A"),
    (float("nan"), "amplitude must be finite"),
])
def test_bad_amplitudes_are_refused(amplitude, match):
    with pytest.raises(ValueError, match=match):
        simulate_cell_types(["fs"], amplitude=amplitude)


def test_bad_timing_overrides_and_recordings_are_refused():
    from brian2 import mV

    with pytest.raises(ValueError, match="amplitude must have the dimension of A"):
        simulate_cell_types(["fs"], amplitude=10 * mV)
    with pytest.raises(ValueError, match="start < stop <= duration"):
        simulate_cell_types(["fs"], stop=2.0)
    with pytest.raises(ValueError, match="unknown parameter 'Vreset'"):
        simulate_cell_types(["fs"], overrides={"Vreset": -55e-3})
    with pytest.raises(ValueError, match="V_reset < V_cut must hold"):
        simulate_cell_types(["fs"], overrides={"V_reset": 0.0})
