import numpy as np
import pytest

import spikefit
from spikefit.models.presets import IZHIKEVICH_2003_CAPACITANCE, izhikevich_2003


def _izhikevich_2003_fine(a, b, c, d, current, dt_ms, n_steps, substeps=100):
    """The 2003 model in its own units (mV, ms), forward Euler at dt_ms / substeps, both
    variables from the old state; a spike at the end of its fine step."""
    v_rest = (-(5 - b) - np.sqrt((5 - b) ** 2 - 22.4)) / 0.08
    v, u, spikes = v_rest, b * v_rest, []
    h = dt_ms / substeps
    for i in range(n_steps):
        for s in range(substeps):
            v, u = v + h * (0.04 * v * v + 5 * v + 140 - u + current[i]), u + h * a * (b * v - u)
            if v >= 30:
                v, u = c, u + d
                spikes.append((i * substeps + s + 1) * h * 1e-3)
    return np.array(spikes)


@pytest.mark.parametrize("pattern", ["tonic_spiking", "spike_frequency_adaptation", "tonic_bursting"])
def test_2004_presets_reproduce_the_dimensionless_model(pattern):
    from spikefit.models.presets import _IZH_2004_PATTERNS

    a, b, c, d = _IZH_2004_PATTERNS[pattern]
    # An input of I model units is I * C amperes (C in farads): the 2003 model's C is 1 per ms.
    stim = spikefit.step(14 * IZHIKEVICH_2003_CAPACITANCE, 0.02, 0.5, 0.5, dt=1e-4)
    model_units = stim.current / IZHIKEVICH_2003_CAPACITANCE
    expected = _izhikevich_2003_fine(a, b, c, d, model_units, 0.1, stim.n_samples)
    trace = spikefit.get_model("izhikevich").simulate(izhikevich_2003(a, b, c, d), stim)
    assert expected.size > 3
    assert trace.spike_times.size == expected.size
    # the kernel at 0.1 ms against the 2003 model at 1 us: measured 0.11, 0.06, 0.48 ms
    assert np.max(np.abs(trace.spike_times - expected)) <= 1e-3


def test_book_regular_spiking_cell_adapts():
    izh = spikefit.get_model("izhikevich")
    trace = izh.simulate(izh.preset("rs_2007"), spikefit.step(300e-12, 0.1, 0.9, 1.0))
    isi = np.diff(trace.spike_times)
    assert isi.size >= 5 and isi[-1] > 1.3 * isi[0]


def test_mapping_refuses_sets_without_a_resting_state():
    with pytest.raises(ValueError, match="b <= 0.26 must hold for a resting state, got b=1"):
        izhikevich_2003(0.02, 1, -55, 4)


def test_threshold_ordering_is_checked():
    izh = spikefit.get_model("izhikevich")
    with pytest.raises(ValueError, match=r"v_t < v_peak must hold .*v_t=0.04, v_peak=0.035"):
        izh.simulate({"v_t": 0.04}, spikefit.step(1e-10, 0.1, 0.2, 0.3))
