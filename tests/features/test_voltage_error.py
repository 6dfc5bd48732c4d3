"""Subthreshold voltage error: against hand computations, and its bad input."""
import numpy as np
import pytest

import spikefit
from spikefit.features.voltage_error import subthreshold_error


@pytest.fixture(scope="module")
def traces():
    stim = spikefit.step(0.5e-9, 0.1, 0.9, 1.0)
    lif = spikefit.get_model("lif")
    return lif.simulate(None, stim), lif.simulate({"V_reset": -65e-3}, stim)


def test_subthreshold_error(traces):
    a, b = traces
    assert subthreshold_error(a, a) == 0.0
    whole = subthreshold_error(a, b)
    assert 0 < whole < 0.02
    assert subthreshold_error(a, b, windows=[(0.0, 0.1)]) == pytest.approx(0.0, abs=1e-12)  # before the step
    shifted = a.v + 1e-3
    assert subthreshold_error(a.v, shifted, dt=a.dt, spike_margin=(0, 0)) == pytest.approx(1e-3)


@pytest.mark.parametrize("kwargs, message", [
    ({"windows": [(0.5, 1.5)]}, r"0 <= start < stop <= duration must hold for each window, got \(0.5, 1.5\)"),
    ({"windows": [(0.4, 0.3)]}, r"got \(0.4, 0.3\) s"),
    ({"windows": [(0.3, 0.3001)], "spike_margin": (1.0, 1.0)}, "the windows hold no sample"),
])
def test_subthreshold_error_bad_windows(traces, kwargs, message):
    with pytest.raises(ValueError, match=message):
        subthreshold_error(*traces, **kwargs)


def test_subthreshold_error_arrays_need_dt():
    with pytest.raises(ValueError, match=r"dt \(s\) must be given"):
        subthreshold_error(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="1-D of equal length"):
        subthreshold_error(np.zeros(5), np.zeros(4), dt=1e-4)
