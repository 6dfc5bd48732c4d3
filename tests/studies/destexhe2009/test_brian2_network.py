"""The network's Brian 2 objects: each plasticity option changes what it says it changes."""
import inspect

import numpy as np
import pytest

from spikefit.studies.destexhe2009 import simulate
from spikefit.studies.destexhe2009.brian2_network import CODEGEN_TARGETS, available_codegen_target, build
from spikefit.studies.destexhe2009.network import SYNAPSES

SMALL = dict(n=100, duration=0.3, seed=0)


def run_synapses(**kwargs):
    """Build and run a network as ``simulate_network`` would (numpy target); its synapses."""
    import brian2 as b2
    from brian2.codegen.runtime.numpy_rt import NumpyCodeObject

    bound = inspect.signature(simulate.simulate_network).bind(**SMALL, **kwargs)
    bound.apply_defaults()
    settings = {k: v for k, v in bound.arguments.items() if k != "codegen_target"}
    config = simulate._validate(**settings)
    state = np.random.get_state()
    try:
        b2.seed(config["seed"])
        net, cortex_spikes, _ = build(b2, config, NumpyCodeObject)
        net.run(config["duration"] * b2.second, namespace={})
    finally:
        np.random.set_state(state)
    assert cortex_spikes.num_spikes > 0
    return net["exc_synapses"], net["inh_synapses"]


def test_codegen_targets():
    assert available_codegen_target(None) in CODEGEN_TARGETS
    assert available_codegen_target("numpy") == "numpy"


def test_without_plasticity_synapses_stay_at_rest():
    exc, _ = run_synapses()
    # no facilitation: p_s = p_s0 = 1; no depression: resources never used (up to the
    # rounding of the event-driven relaxation)
    np.testing.assert_allclose(exc.p_s[:], 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(exc.n_s[:], 1.0, rtol=0, atol=1e-12)


def test_facilitation_raises_release_probability_and_depression_uses_resources():
    exc, inh = run_synapses(facilitation=0.4, depression=0.3)
    for syn in (exc, inh):
        p_s, n_s = np.asarray(syn.p_s[:]), np.asarray(syn.n_s[:])
        # p_s0 = 0.6; a spike moves p_s towards 1 (p_s += p_s0 (1 - p_s)), then it relaxes back
        assert p_s.min() >= 0.6 - 1e-12 and p_s.max() > 0.7
        assert n_s.max() <= 1.0 and n_s.min() < 0.9


def test_stdp_moves_weights_within_their_bounds():
    exc, _ = run_synapses(stdp=0.5, stdp_rate=0.1e-9)
    w = np.asarray(exc.w_syn_[:])
    w_e = SYNAPSES["w_e"]
    assert w.min() >= 0.5 * w_e * (1 - 1e-12) and w.max() <= w_e * (1 + 1e-12)
    assert np.mean(w < w_e * (1 - 1e-6)) > 0.01  # some weights moved down from their start


def outgoing_spread(syn) -> float:
    """Largest spread of n_s among the synapses of one presynaptic cell."""
    pre, n_s = np.asarray(syn.i[:]), np.asarray(syn.n_s[:])
    return max(np.ptp(n_s[pre == i]) for i in np.unique(pre))


@pytest.mark.parametrize("stochastic", [False, True])
def test_stochastic_release_fails_sometimes(stochastic):
    """Graded release uses the same resources at every synapse of a cell (its spikes arrive
    at the same intervals); all-or-none release fails at some and not others."""
    exc, _ = run_synapses(depression=0.3, stochastic_release=stochastic)
    spread = outgoing_spread(exc)
    if stochastic:
        assert spread > 0.1
    else:
        assert spread < 1e-9
