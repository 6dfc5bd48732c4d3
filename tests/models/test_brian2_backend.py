"""The Brian 2 backend runs the models' equations; at 1 us it is the model the kernels are
tested against (test_reset_kernels_accuracy.py, through fine_reference.py)."""
import dataclasses

import numpy as np
import pytest

import spikefit
from spikefit import get_model
from spikefit.data.units import BRIAN2_UNITS
from spikefit.models import brian2_backend

from fine_reference import simulate as fine_spikes  # tests/models/fine_reference.py

pA, pF, nS, mV, ms = 1e-12, 1e-12, 1e-9, 1e-3, 1e-3
DT = 0.1 * ms

# One parameter set per model for the fine-step check (the LIF with t_ref = 3.7 ms, not a
# whole number of 0.1 ms steps), under a step that makes it fire several times in 30 ms.
FINE_CASES = {
    "lif": (dict(C=300 * pF, g_L=15 * nS, V_th=-45 * mV, V_reset=-65 * mV, t_ref=3.7 * ms), 1500 * pA),
    "izhikevich": ("rs_2007", 1000 * pA),
    "adex": (dict(t_ref=2.5 * ms), 2000 * pA),  # Brette-Gerstner; Brian rk4 overflows at V_cut = -20 mV
}
FINE_DT = 1e-6


def parameters(name, spec):
    model = get_model(name)
    return model.preset(spec) if isinstance(spec, str) else {**model.defaults(), **spec}


@pytest.mark.parametrize("name", list(FINE_CASES))
def test_fine_reference_agrees_with_brian_at_1_us(name):
    """The accuracy tests' reference (fine_reference.py, RK4 at 1 us) is the model Brian 2
    integrates (rk4 at 1 us): spike times within 2 us over 30 ms (Brian stamps the end of
    its 1 us step, the reference interpolates within it)."""
    spec, amplitude = FINE_CASES[name]
    params = parameters(name, spec)
    stim = spikefit.step(amplitude, 2 * ms, 30 * ms, 30 * ms, DT)
    model = get_model(name, backend="brian2")
    fine = dataclasses.replace(model.brian2, method="rk4" if name != "lif" else "exact")
    brian_model = type("Fine", (type(model),), {"brian2": fine})(backend="brian2")
    times, counts, diverged, _ = brian2_backend.run(brian_model, brian_model.table([params]), stim,
                                                    FINE_DT, False)
    reference = fine_spikes(get_model(name), params, stim)
    assert counts[0] >= 3 and not diverged.any()
    assert counts[0] == reference.size
    np.testing.assert_allclose(times[0, :counts[0]], reference, rtol=0, atol=2 * FINE_DT)


def test_spikes_without_voltages_match_those_with():
    stim = spikefit.step(400 * pA, 0.02, 0.18, 0.2, DT)
    model = get_model("lif", backend="brian2")
    without, with_v = (model.simulate_batch(None, stim, record_v=r) for r in (False, True))
    assert without.v is None and with_v.v[0].shape == (1, stim.n_samples)
    np.testing.assert_array_equal(without.spike_counts, with_v.spike_counts)
    np.testing.assert_array_equal(without.spikes(0), with_v.spikes(0))
    assert without.spike_counts[0, 0] >= 3


def test_brian_refractory_t_ref_alone_would_fire_early():
    """Why HOLD_FOR_T_REF: Brian's refractory=t_ref holds v one step less than round(t_ref/dt)."""
    model = get_model("lif", backend="brian2")
    params = model.table(None)
    stim = spikefit.step(400 * pA, 0.02, 0.18, 0.2, DT)
    plain_refractory = dataclasses.replace(model.brian2, refractory="t_ref")
    plain = type("PlainLIF", (type(model),), {"brian2": plain_refractory})(backend="brian2")
    early = brian2_backend.run(plain, params, stim, DT, False)[0][0]
    times = brian2_backend.run(model, params, stim, DT, False)[0][0]
    np.testing.assert_allclose(times[:4] - early[:4], [0, DT, 2 * DT, 3 * DT], atol=1e-12)


def test_divergence_is_reported_and_spikes_before_it_kept():
    model = get_model("adex")
    runaway = {**model.preset("naud_tonic"), "V_cut": 5.0}  # exp overflows before the cut
    stim = spikefit.step(500 * pA, 0.05, 0.15, 0.2, DT)
    params = [runaway, model.preset("naud_tonic")]
    numba, brian = (get_model("adex", backend=b).simulate_batch(params, stim, record_v=True)
                    for b in ("numba", "brian2"))
    np.testing.assert_array_equal(brian.diverged.ravel(), [True, False])
    np.testing.assert_array_equal(brian.diverged, numba.diverged)
    # the finite set: Brian's heun spikes at step ends, the kernel's at its crossings
    assert abs(int(brian.spike_counts[1, 0]) - int(numba.spike_counts[1, 0])) <= 1
    assert not np.isfinite(brian.v[0][0, -1])


def test_every_parameter_is_declared_to_brian_with_its_unit():
    import brian2

    for name in spikefit.available_models():
        model = get_model(name)
        equations = brian2_backend._equations(brian2, model)
        assert {p.name for p in model.parameters} | {"v", "I"} <= set(equations.names)
        assert set(model.brian2_initial(model.table(None))) <= set(equations.names)
        for p in model.parameters:
            expected = brian2.Quantity(1, dim=brian2.get_dimensions(eval(BRIAN2_UNITS[p.unit],
                                                                            vars(brian2))))
            assert equations[p.name].dim == brian2.get_dimensions(expected), p.name


def test_unknown_codegen_target_is_refused():
    model = get_model("lif", backend="brian2")
    stim = spikefit.step(400 * pA, 0.01, 0.02, 0.03, DT)
    with pytest.raises(ValueError, match="codegen_target must be one of numpy, cython, got 'cpp'"):
        brian2_backend.run(model, model.table(None), stim, DT, False, codegen_target="cpp")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FINE_CASES))
def test_cython_target_agrees_with_numpy(name):
    spec, amplitude = FINE_CASES[name]
    model = get_model(name, backend="brian2")
    params = model.table([parameters(name, spec)])
    stim = spikefit.step(amplitude, 0.02, 0.18, 0.2, DT)
    numpy_run, cython_run = (brian2_backend.run(model, params, stim, DT, False, codegen_target=t)
                             for t in ("numpy", "cython"))
    np.testing.assert_array_equal(cython_run[1], numpy_run[1])
    np.testing.assert_allclose(cython_run[0], numpy_run[0], rtol=0, atol=1e-12)


@pytest.mark.slow  # Brian's numpy target takes several seconds per HH run at dt = 8.3 us
@pytest.mark.parametrize("name", ["hh", "hh_rs", "hh_fs", "hh_ib", "hh_lts"])
def test_hh_runs_under_brian2_and_agrees_with_numba(name):
    """Spike times within 0.2 ms; the kernels interpolate the 0 mV crossing, Brian does not."""
    model = get_model(name, backend="brian2")
    numba_model = get_model(name)
    for amplitude in (0.1e-9, 0.3e-9, 1e-9, 3e-9):  # the first that fires repetitively
        stim = spikefit.step(amplitude, 5 * ms, 55 * ms, 60 * ms, 0.025 * ms)
        numba = numba_model.simulate_batch(None, stim)
        if numba.spike_counts[0, 0] >= 3:
            break
    else:
        pytest.fail(f"{name} fires fewer than 3 spikes for every step tried")
    brian = model.simulate_batch(None, stim)
    np.testing.assert_array_equal(brian.spike_counts, numba.spike_counts)
    np.testing.assert_allclose(brian.spikes(0), numba.spikes(0), rtol=0, atol=0.2 * ms)
