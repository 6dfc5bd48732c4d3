"""limits: a LIF parameter set written in AdEx's parameters behaves as the LIF, against LIF's
closed-form rate and rheobase (hand computed); Izhikevich is not offered LIF; bad input."""
import numpy as np
import pytest

import spikefit
from spikefit.data import step
from spikefit.models.limits import embed, held, variants

LIF = {"C": 200e-12, "g_L": 10e-9, "E_L": -70e-3, "V_th": -50e-3, "V_reset": -65e-3, "t_ref": 2e-3}
RHEOBASE = LIF["g_L"] * (LIF["V_th"] - LIF["E_L"])  # 0.2 nA, by hand
START, STOP, DURATION = 0.1, 2.1, 2.2


def rate(model, params, current):
    trace = spikefit.get_model(model).simulate(params, step(current, START, STOP, DURATION))
    spikes = trace.spike_times
    return np.sum((spikes >= START) & (spikes < STOP)) / (STOP - START), spikes


@pytest.mark.parametrize("variant", variants("lif", "adex"))
@pytest.mark.parametrize("factor", [1.2, 2.0, 3.0])
def test_adex_without_adaptation_approaches_lifs_closed_form_rate(variant, factor):
    truth = float(spikefit.get_model("lif").rate(LIF, factor * RHEOBASE))
    sharp = embed(LIF, source="lif", into="adex", variant=variant, delta_t=0.01e-3)
    assert sharp["a"] == 0 and sharp["b"] == 0
    got = rate("adex", sharp, factor * RHEOBASE)[0]
    assert got == pytest.approx(truth, rel=0.03), (variant, factor, got, truth)  # a step (0.1 ms) a spike
    # Delta_T at its bound, 0.2 mV: the way from V_th to V_cut costs 8-14 % of the rate (measured), never more than 15 %
    at_bound = rate("adex", embed(LIF, source="lif", into="adex", variant=variant), factor * RHEOBASE)[0]
    assert 0.85 * truth <= at_bound < truth, (variant, factor, at_bound, truth)


def test_adex_rheobase_variant_keeps_lifs_rheobase():
    params = embed(LIF, source="lif", into="adex", variant="rheobase")
    assert rate("adex", params, 0.98 * RHEOBASE)[0] == 0
    assert rate("adex", params, 1.05 * RHEOBASE)[0] > 0


def test_izhikevich_is_not_offered_lif():
    """Its quadratic does not contain LIF (models.limits says what was measured)."""
    assert variants("lif", "izhikevich") == ()
    with pytest.raises(ValueError, match="model 'izhikevich' does not contain 'lif' as a limit case"):
        embed(LIF, source="lif", into="izhikevich")


def test_adex_bounds_hold_lifs_refractory_period_and_threshold():
    """Every LIF a fit can reach has an AdEx embedding within AdEx's bounds (but Delta_T's floor)."""
    lif, adex = spikefit.get_model("lif"), spikefit.get_model("adex")
    for name, into in (("t_ref", "t_ref"), ("V_reset", "V_reset"), ("C", "C"), ("g_L", "g_L"), ("E_L", "E_L")):
        assert adex.parameter(into).low <= lif.parameter(name).low, name
        assert adex.parameter(into).high >= lif.parameter(name).high, name
    assert adex.parameter("V_T").low <= lif.parameter("V_th").low


def test_every_embedding_meets_the_richer_models_rules():
    adex = spikefit.get_model("adex")
    for variant in variants("lif", "adex"):
        adex.table(embed(LIF, source="lif", into="adex", variant=variant))  # raises on a broken rule


def test_what_every_embedding_holds_alike_leaves_adex_without_adaptation():
    embeddings = [embed(LIF, source="lif", into="adex", variant=v) for v in variants("lif", "adex")]
    holds = [held(e, source="lif", into="adex") for e in embeddings]
    assert holds[0] == holds[1] and set(holds[0]) == {"a", "b", "tau_w"}
    assert holds[0]["a"] == 0.0 and holds[0]["b"] == 0.0  # no adaptation current: tau_w acts on nothing
    # with w = 0 throughout, any tau_w gives the same trace
    first, other = (spikefit.get_model("adex").simulate({**embeddings[0], "tau_w": t}, step(3 * RHEOBASE, START, STOP,
                                                                                          DURATION)) for t in (0.01, 0.5))
    assert np.array_equal(first.v, other.v) and first.spike_times.size > 10
    assert held(LIF, source="adex", into="lif") == {}


@pytest.mark.parametrize("kwargs, match", [
    (dict(source="lif", into="hh"), "model 'hh' does not contain 'lif' as a limit case; known: lif in adex"),
    (dict(source="adex", into="lif"), "model 'lif' does not contain 'adex'"),
    (dict(source="lif", into="adex", variant="exact"), r"variant must be one of \['threshold', 'rheobase'\]"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        embed(LIF, **kwargs)


def test_a_missing_parameter_is_named():
    with pytest.raises(ValueError, match=r"params must hold every parameter of 'lif', missing \['t_ref'\]"):
        embed({k: v for k, v in LIF.items() if k != "t_ref"}, source="lif", into="adex")
