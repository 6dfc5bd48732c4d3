"""The search space: names and bounds checked once, the unit box, rules between parameters."""
import numpy as np
import pytest

import spikefit
from spikefit.fitting.space import check_region, feasible, search_space


@pytest.fixture(scope="module")
def lif():
    return spikefit.get_model("lif")


def test_search_space_defaults_and_narrowing(lif):
    space = search_space(lif)
    assert space.names == tuple(p.name for p in lif.parameters) and not space.fixed
    narrow = search_space(lif, {"C": (100e-12, 300e-12), "g_L": None}, fixed={"t_ref": 0.0})
    assert narrow.names == ("C", "g_L") and narrow.low[0] == 100e-12 and narrow.high[1] == 100e-9
    assert narrow.fixed["t_ref"] == 0.0 and narrow.fixed["E_L"] == lif.parameter("E_L").default
    u = narrow.to_unit(np.array([[100e-12, 10e-9]]))
    np.testing.assert_allclose(narrow.from_unit(u), [[100e-12, 10e-9]])


@pytest.mark.parametrize("search, fixed, match", [
    (["C", "tau"], None, "unknown parameter 'tau' for lif"),
    ({"C": (300e-12, 100e-12)}, None, "low < high must hold for the bounds of C, got low=3e-10, high=1e-10"),
    ({"C": (-1e-12, 100e-12)}, None, r"a log-scale parameter needs low > 0, got C low=-1e-12"),
    ({"t_ref": (-1e-3, 5e-3)}, None, r"bounds of t_ref must lie in its physical domain \(t_ref >= 0\), got low=-0.001"),
    ({"V_th": (-60e-3, np.inf)}, None, "bounds must be finite"),
    (["C"], {"C": 1e-10}, "either searched or fixed, got C in both"),
    (None, {"Vth": 0.0}, "unknown parameter 'Vth'"),
    ({"C": "wide"}, None, "bounds must be \\(low, high\\)"),
])
def test_search_space_rejects(lif, search, fixed, match):
    with pytest.raises(ValueError, match=match):
        search_space(lif, search, fixed)


def test_a_fixed_value_must_be_finite(lif):
    with pytest.raises(ValueError, match="a fixed parameter must be finite, got E_L=nan"):
        search_space(lif, ["C"], fixed={"E_L": np.nan})


def test_unit_box_is_linear_or_logarithmic_as_the_spec_says(lif):
    space = search_space(lif, {"C": (10e-12, 1000e-12), "E_L": (-0.08, -0.06)})  # C log, E_L linear
    assert lif.parameter("C").log and not lif.parameter("E_L").log
    # By hand: the middle of the box is the geometric mean of C's bounds and the mean of E_L's.
    middle = space.from_unit(np.array([[0.5, 0.5]]))[0]
    assert middle[0] == pytest.approx(100e-12, rel=1e-12) and middle[1] == pytest.approx(-0.07, rel=1e-12)
    np.testing.assert_allclose(space.to_unit(np.array([[100e-12, -0.075]])), [[0.5, 0.25]])
    corners = space.from_unit(np.array([[0.0, 1.0], [-3.0, 7.0]]))  # clipped to the box, then to the bounds
    assert corners.tolist() == [[10e-12, -0.06], [10e-12, -0.06]]


def test_the_sampler_uses_the_spaces_transform(lif):
    from spikefit.fitting.samplers import BatchCmaEsSampler

    space = search_space(lif, ["C", "g_L", "E_L"])
    sampler = BatchCmaEsSampler(space, popsize=4, seed=0)
    u = np.array([0.1, 0.5, 0.9])
    assert sampler._from_unit(u) == dict(zip(space.names, space.from_unit(u).tolist()))
    np.testing.assert_allclose(sampler._to_unit(sampler._from_unit(u)), u, rtol=1e-12)


def test_feasible_names_the_rule_each_row_breaks(lif):
    space = search_space(lif, ["V_th", "V_reset"])
    ok, reasons = feasible(lif, space, np.array([[-0.05, -0.06], [-0.06, -0.05]]))
    assert ok.tolist() == [True, False] and reasons == [None, "V_reset < V_th"]


def test_a_region_the_rules_leave_empty_is_refused(lif):
    space = search_space(lif, {"V_th": (-0.07, -0.06), "V_reset": (-0.055, -0.05)})
    with pytest.raises(ValueError, match=r"leaves 0 % of parameter sets feasible for model 'lif': V_reset < V_th"):
        check_region(lif, space)


def test_an_adex_without_a_stable_rest_is_infeasible_for_a_fit_but_simulates():
    """Below a = -g_L AdEx's one fixed point is a saddle (Touboul and Brette 2008): kicked
    below rest, the voltage runs away; above, it comes back."""
    import spikefit
    from spikefit.models import get_model

    adex = get_model("adex")
    space = search_space(adex, ["a", "g_L"])
    rows = [{"a": a, "g_L": 10e-9} for a in (-11e-9, -9e-9, -10e-9)]
    ok, reasons = feasible(adex, space, np.array([[row[n] for n in space.names] for row in rows]))
    assert ok.tolist() == [False, True, True] and reasons == ["a >= -g_L", None, None]
    kick = spikefit.step(-50e-12, 0.0, 0.1, 3.0)  # 50 pA down for 100 ms, then nothing
    base = {**adex.preset("brette_gerstner_2005"), "g_L": 10e-9}
    for a, runs_away in ((-20e-9, True), (-5e-9, False)):
        v = adex.simulate({**base, "a": a}, kick).v  # it simulates: not a rule of the model
        assert bool(v.min() < base["E_L"] - 0.1) is runs_away, (a, v.min())
        assert bool(abs(v[-1] - base["E_L"]) < 1e-3) is not runs_away, (a, v[-1])
