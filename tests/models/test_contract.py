"""One contract, every model: shapes, units, determinism, rest, spiking and bad input."""
import numpy as np
import pytest
from brian2 import ms, pF

import spikefit
from spikefit.models import BatchResult, Parameter

MODELS = spikefit.available_models()
STRONG_STEP = 1e-9  # A: well above rheobase for every model's defaults


@pytest.fixture(scope="module")
def stim():
    return spikefit.step(STRONG_STEP, 0.05, 0.25, 0.3)


@pytest.fixture(params=MODELS)
def model(request):
    return spikefit.get_model(request.param)


def test_parameters_are_complete_specs(model):
    names = [p.name for p in model.parameters]
    assert len(set(names)) == len(names)
    assert list(model.defaults()) == names
    for p in model.parameters:
        assert isinstance(p, Parameter) and p.unit and p.doc
        assert p.low <= p.default <= p.high
    model.table(model.defaults())  # defaults obey the model's own rules


def test_every_preset_is_valid(model):
    for name in model.presets:
        params = model.preset(name)
        assert set(params) == set(model.defaults())
        model.table(params)


def test_simulate_gives_a_trace_sampled_like_the_stimulus(model, stim):
    trace = model.simulate(None, stim)
    assert isinstance(trace, spikefit.Trace)
    assert trace.v.shape == (stim.n_samples,) and trace.stimulus is stim
    assert np.all(np.isfinite(trace.v))
    assert -0.12 < trace.v.min() and trace.v.max() < 0.08  # volts, not millivolts
    assert np.all(np.diff(trace.spike_times) > 0)
    assert trace.metadata["model"] == model.name


def test_the_model_declares_how_its_traces_show_a_spike(model, stim):
    """What features read from the data instead of a list of model names."""
    from spikefit.models.kernel_tools import DRAWN_SPIKE_PEAK

    trace = model.simulate(None, stim)
    assert (trace.metadata["spike_drawing"], trace.metadata["reset_parameter"]) == (
        model.spike_drawing, model.reset_parameter)
    drawn = trace.v[np.ceil(trace.spike_times / stim.dt - 1e-6).astype(int)]
    if model.spike_drawing == "reset":
        assert model.reset_parameter in model.defaults()
        assert np.all(drawn >= DRAWN_SPIKE_PEAK)  # each spike is one drawn sample
    else:
        assert model.spike_drawing == "shape" and model.reset_parameter is None
        assert not np.all(drawn >= DRAWN_SPIKE_PEAK)  # an action potential, not a drawn sample


def test_spikes_under_a_strong_step_fall_inside_it(model, stim):
    spikes = model.simulate(None, stim).spike_times
    assert spikes.size >= 3
    assert spikes.min() > stim.start and spikes.max() < stim.stop + 0.01


def test_rest_without_input(model):
    trace = model.simulate(None, spikefit.step(0.0, 0.1, 0.2, 0.3))
    assert trace.spike_times.size == 0
    assert np.ptp(trace.v) < 1e-3


def test_simulation_is_deterministic(model, stim):
    a, b = model.simulate(None, stim), model.simulate(None, stim)
    assert np.array_equal(a.v, b.v) and np.array_equal(a.spike_times, b.spike_times)


def test_a_list_of_stimuli_gives_a_recording(model, stim):
    weak = spikefit.step(STRONG_STEP / 4, 0.05, 0.25, 0.3)
    rec = model.simulate(None, [weak, stim])
    assert isinstance(rec, spikefit.Recording) and len(rec) == 2
    assert rec[1].spike_times.size >= rec[0].spike_times.size


def test_batch_matches_single_simulations(model, stim):
    first = model.parameters[0]
    values = [first.default, first.default * 1.1]
    result = model.simulate_batch({first.name: values}, [stim, stim], record_v=True)
    assert isinstance(result, BatchResult)
    assert result.spike_counts.shape == (2, 2) and not result.diverged.any()
    assert len(result.v) == 2 and result.v[0].shape == (2, stim.n_samples)
    for i, value in enumerate(values):
        single = model.simulate({first.name: value}, stim)
        assert np.array_equal(result.spikes(i, 1), single.spike_times)
        assert np.array_equal(result.v[0][i], single.v)
    assert result.spike_counts[:, 0].tolist() == [len(result.spikes(i, 0)) for i in range(2)]


def test_finer_integration_step_is_sampled_back(model, stim):
    coarse = model.simulate(None, stim)
    fine = model.simulate(None, stim, dt=stim.dt / 4)
    assert fine.v.shape == coarse.v.shape
    assert abs(fine.spike_times.size - coarse.spike_times.size) <= max(2, coarse.spike_times.size // 10)


def test_unknown_parameter_names_the_model_and_suggests(model, stim):
    name = model.parameters[0].name
    with pytest.raises(ValueError, match=f"unknown parameter '{name}x' for model '{model.name}'.*did you mean {name}"):
        model.simulate({name + "x": 1.0}, stim)


def test_non_finite_parameter_is_refused(model, stim):
    name = model.parameters[0].name
    with pytest.raises(ValueError, match=f"{name} must be finite .*got {name}=nan"):
        model.simulate({name: np.nan}, stim)


@pytest.mark.parametrize("dt, message", [
    (-1e-5, "dt must be > 0, got dt=-1e-05"),
    (0.0, "dt must be > 0"),
    (3e-5, "dt must divide the stimulus's sampling interval"),
    (2e-4, "dt must divide the stimulus's sampling interval"),
])
def test_bad_integration_step_is_refused(model, stim, dt, message):
    with pytest.raises(ValueError, match=message):
        model.simulate(None, stim, dt=dt)


def test_bad_batch_tables_are_refused(model, stim):
    name = model.parameters[0].name
    with pytest.raises(ValueError, match="one length"):
        model.simulate_batch({name: [1.0, 2.0], model.parameters[1].name: [1.0, 2.0, 3.0]}, stim)
    with pytest.raises(TypeError, match="stimuli must be"):
        model.simulate_batch(None, [])


def test_unknown_model_and_backend():
    with pytest.raises(ValueError, match="unknown model 'adx'.*did you mean adex"):
        spikefit.get_model("adx")
    with pytest.raises(ValueError, match="backend must be one of numba, brian2, got 'nest'"):
        spikefit.get_model("lif", backend="nest")


def test_brian2_quantities_are_accepted_as_parameters(stim):
    lif = spikefit.get_model("lif")
    a = lif.simulate({"C": 150 * pF, "t_ref": 3 * ms}, stim)
    b = lif.simulate({"C": 150e-12, "t_ref": 3e-3}, stim)
    assert np.array_equal(a.spike_times, b.spike_times)
    with pytest.raises(ValueError, match="C must have the dimension of F"):
        lif.simulate({"C": 3 * ms}, stim)
