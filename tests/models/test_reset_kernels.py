"""The reset-model kernel template: every parameter is read, by name; one block or many, one answer."""
import numpy as np
import pytest

import spikefit
from spikefit import get_model
from spikefit.models.kernel_tools import BLOCK
from spikefit.models.reset_kernels import parameter_rows

RESET_MODELS = ("lif", "izhikevich", "adex")
STIMULUS = spikefit.step(1e-9, 0.02, 0.18, 0.2, 1e-4)


def test_parameter_rows_follow_the_spec_order_by_name():
    model = get_model("adex")
    rows = parameter_rows(model.parameters)
    assert rows.tau_w == [p.name for p in model.parameters].index("tau_w")
    assert rows._fields == tuple(p.name for p in model.parameters)


def nudged(model, base, name):
    """``base`` with one parameter moved by 5 % of its search range, inside its bounds."""
    spec = model.parameter(name)
    step = 0.05 * (spec.high - spec.low)
    value = base[name] + step if base[name] + step <= spec.high else base[name] - step
    return {**base, name: value}


@pytest.mark.parametrize("name", RESET_MODELS)
def test_every_parameter_changes_the_simulation(name):
    """A parameter the kernel did not read (or read from another row) would leave its
    perturbation without effect or with the effect of another one."""
    model = get_model(name)
    names = [p.name for p in model.parameters]
    base = model.defaults()
    if name == "adex":  # t_ref defaults to 0, where v is never held: V_reset's nudge would act alone
        base["t_ref"] = 1e-3
    table = [base] + [nudged(model, base, p) for p in names]
    result = model.simulate_batch(table, STIMULUS, record_v=True)
    assert result.spike_counts[0, 0] >= 3, "the base set must fire for spike parameters to matter"
    v = result.v[0]
    for i, p in enumerate(names, start=1):
        assert not np.array_equal(v[i], v[0]), f"{name}: changing {p} changed nothing"
    # different parameters, different effects: no two nudges give the same trace
    for i in range(1, len(names) + 1):
        for j in range(i + 1, len(names) + 1):
            assert not np.array_equal(v[i], v[j]), f"{name}: {names[i - 1]} and {names[j - 1]} act alike"


@pytest.mark.parametrize("name", RESET_MODELS)
def test_one_block_alone_gives_what_the_parallel_kernel_gives(name):
    model = get_model(name)
    rng = np.random.default_rng(4)
    table = model.table([model.defaults()] * (BLOCK + 3))
    first = model.parameters[0]
    table[first.name] = first.default * rng.uniform(0.9, 1.1, len(table))
    many = model.simulate_batch(table, STIMULUS, record_v=True)  # two blocks: the thread pool
    one = model.simulate_batch(table.iloc[:BLOCK], STIMULUS, record_v=True)  # the block alone
    np.testing.assert_array_equal(one.spike_counts, many.spike_counts[:BLOCK])
    np.testing.assert_array_equal(one.spike_times[0], many.spike_times[0][:BLOCK, :one.spike_times[0].shape[1]])
    np.testing.assert_array_equal(one.v[0], many.v[0][:BLOCK])
    assert many.spike_counts.min() >= 1
