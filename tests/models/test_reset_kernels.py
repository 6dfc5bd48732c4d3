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


_FIRST_CALLS = """
import json, spikefit
from spikefit.models import adex, izhikevich, lif
stim = spikefit.step(1e-9, 0.01, 0.02, 0.03, 1e-4)
for name in ("lif", "izhikevich", "adex"):
    model = spikefit.get_model(name)
    for n in (1, {many}):  # the block alone, then the parallel kernel
        model.simulate_batch([model.defaults()] * n, stim)
kernels = [lif.lif_block, lif.lif_kernel, izhikevich.izhikevich_block, izhikevich.izhikevich_kernel,
           adex.adex_block, adex.adex_kernel]
print(json.dumps([[len(k.stats.cache_hits), len(k.stats.cache_misses)] for k in kernels]))
"""


@pytest.mark.slow  # compiles every reset kernel from an empty cache: 20 to 30 s
def test_a_second_process_loads_every_kernel_from_the_cache(tmp_path):
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    code = _FIRST_CALLS.format(many=BLOCK + 1)

    def first_calls():
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert all(hits == 0 and misses == 1 for hits, misses in first_calls())  # compiled
    assert all(hits == 1 and misses == 0 for hits, misses in first_calls())  # loaded
