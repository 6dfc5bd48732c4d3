"""The Brian 2 backend runs the same equations as the numba kernels and gives the same spikes."""
import dataclasses

import numpy as np
import pytest

import spikefit
from spikefit import get_model
from spikefit.data.units import BRIAN2_UNITS
from spikefit.models import brian2_backend
from spikefit.models.kernel_tools import DRAWN_SPIKE_PEAK

pA, pF, nS, mV, ms = 1e-12, 1e-12, 1e-9, 1e-3, 1e-3
DT = 0.1 * ms
DURATION = 1.0

# Three parameter sets per model, simulated in one batch. The LIF sets span the refractory
# conventions: 2 ms, none, and 3.7 ms (not a whole number of steps at dt/2 either way).
PARAMETER_SETS = {
    "lif": [{}, dict(C=150 * pF, g_L=8 * nS, t_ref=0.0),
            dict(C=300 * pF, g_L=15 * nS, V_th=-45 * mV, V_reset=-65 * mV, t_ref=3.7 * ms)],
    # Not fs_2003 or lts_2003: under a constant step their spike trains are chaotic at float
    # precision (numba against itself with C changed by 1e-15 slips by up to 15 steps in 1 s).
    "izhikevich": ["rs_2007", "ch_2003", "ib_2003"],
    "adex": ["naud_tonic", "naud_adapting", "destexhe_rs_weak"],  # the last has t_ref = 2.5 ms
}
STEP_AMPLITUDE = {"lif": 400 * pA, "izhikevich": 500 * pA, "adex": 500 * pA}
OU_MEAN = {"lif": 400 * pA, "izhikevich": 300 * pA, "adex": 400 * pA}


def parameter_table(name):
    """The model's three parameter sets as complete dicts."""
    model = get_model(name)
    return [model.preset(p) if isinstance(p, str) else {**model.defaults(), **p}
            for p in PARAMETER_SETS[name]]


def stimulus(name, kind):
    if kind == "step":
        return spikefit.step(STEP_AMPLITUDE[name], 0.1, 0.9, DURATION, DT)
    return spikefit.ou_noise(OU_MEAN[name], 150 * pA, 5 * ms, 0.1, 0.9, DURATION, DT, seed=7)


def simulate_both(name, stim, dt=None, record_v=True):
    """The same batch through numba and Brian 2 (numpy target)."""
    params = parameter_table(name)
    return tuple(get_model(name, backend=b).simulate_batch(params, stim, record_v=record_v, dt=dt)
                 for b in ("numba", "brian2"))


def assert_same_spikes(numba, brian, dt):
    """Same counts and every spike time within one integration step; the largest gap."""
    np.testing.assert_array_equal(brian.spike_counts, numba.spike_counts)
    assert numba.spike_counts.min() >= 2, "every set should fire for the comparison to mean something"
    gaps = [np.abs(brian.spikes(i) - numba.spikes(i)) for i in range(numba.n_sets)]
    largest = max(g.max() for g in gaps)
    assert largest <= dt * (1 + 1e-9), f"spike times differ by up to {largest} s, dt={dt} s"
    return largest


def assert_close_below_threshold(numba, brian):
    """Voltages agree wherever neither trace draws a spike."""
    a, b = numba.v[0], brian.v[0]
    drawn = (a >= DRAWN_SPIKE_PEAK) | (b >= DRAWN_SPIKE_PEAK)
    np.testing.assert_array_equal(drawn, a >= DRAWN_SPIKE_PEAK)  # drawn at the same samples
    np.testing.assert_allclose(b[~drawn], a[~drawn], rtol=0, atol=1e-6)  # 1 uV


@pytest.fixture(scope="module", params=[(m, k) for m in PARAMETER_SETS for k in ("step", "ou")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def both(request):
    name, kind = request.param
    return (name, *simulate_both(name, stimulus(name, kind)))


def test_spike_counts_and_times_agree(both):
    name, numba, brian = both
    assert_same_spikes(numba, brian, DT)
    assert not brian.diverged.any()


def test_voltages_agree_below_threshold(both):
    name, numba, brian = both
    assert brian.v[0].shape == numba.v[0].shape == (3, round(DURATION / DT))
    assert_close_below_threshold(numba, brian)


@pytest.mark.parametrize("name", list(PARAMETER_SETS))
def test_integration_step_finer_than_stimulus(name):
    stim = spikefit.ou_noise(OU_MEAN[name], 150 * pA, 5 * ms, 0.05, 0.45, 0.5, DT, seed=3)
    numba, brian = simulate_both(name, stim, dt=DT / 2)
    assert_same_spikes(numba, brian, DT / 2)
    assert_close_below_threshold(numba, brian)


def test_spikes_without_voltages_match_those_with():
    stim = spikefit.step(STEP_AMPLITUDE["lif"], 0.02, 0.18, 0.2, DT)
    numba, brian = simulate_both("lif", stim, record_v=False)
    assert brian.v is None
    assert_same_spikes(numba, brian, DT)


def test_brian_refractory_t_ref_alone_would_fire_early():
    """Why HOLD_FOR_T_REF: Brian's refractory=t_ref holds v one step less than the kernels."""
    model = get_model("lif", backend="brian2")
    params = model.table(None)
    stim = spikefit.step(400 * pA, 0.02, 0.18, 0.2, DT)
    numba = get_model("lif").simulate_batch(None, stim)
    plain_refractory = dataclasses.replace(model.brian2, refractory="t_ref")
    plain = type("PlainLIF", (type(model),), {"brian2": plain_refractory})(backend="brian2")
    early = brian2_backend.run(plain, params, stim, DT, False)[0][0]
    times = numba.spikes(0)
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
    np.testing.assert_array_equal(brian.spike_counts, numba.spike_counts)
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
@pytest.mark.parametrize("name", list(PARAMETER_SETS))
def test_cython_target_agrees_with_numba(name):
    stim = stimulus(name, "ou")
    model = get_model(name, backend="brian2")
    params = model.table(parameter_table(name))
    times, counts, diverged, _ = brian2_backend.run(model, params, stim, DT, False, codegen_target="cython")
    numba = get_model(name).simulate_batch(params, stim)
    np.testing.assert_array_equal(counts, numba.spike_counts[:, 0])
    assert np.nanmax(np.abs(times - numba.spike_times[0])) <= DT * (1 + 1e-9)
    assert not diverged.any()


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
