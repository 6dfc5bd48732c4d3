"""Parameter recovery from simulated targets, on seeds 0-4, asserting what holds on each.

Measured here (blind CMA-ES search, the budgets below): LIF recovers every parameter on all
five seeds (C within 2.2 %, t_ref within 5.5 %, held-out Gamma 1.0). AdEx (Brette-Gerstner,
features + 0.1 trace) recovers on seed 0 only; seeds 1-4 settle 5-53 % off (a up to +53 %,
held-out Gamma 0.71-0.94). Izhikevich (rs_2007) recovers on seeds 0 and 2; seeds 1, 3, 4 settle
in a second basin (a and d 80-440 % off, Gamma 0.31-0.43). Those seeds are strict xfails: the
test fails the day they recover, so that this list is kept true (issue 12 is to make every seed
recover).
"""
import numpy as np
import pytest

import spikefit
from spikefit.fitting import recovery as R

HELD_OUT_GAMMA = 0.9
SEEDS = range(5)


def check(result, tolerances):
    errors = result.errors()
    for name, tolerance in tolerances.items():
        assert abs(errors[name]) < tolerance, f"{name}: {errors[name]:+.3%} (tolerance {tolerance:.0%})"
    assert result.heldout_gamma >= HELD_OUT_GAMMA


def seeds_failing(failing, why):
    return [pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=why)) if s in failing else s
            for s in SEEDS]


@pytest.mark.parametrize("seed", SEEDS)
def test_lif_recovers_every_parameter(seed):
    result = R.recover("lif", n_trials=1500, seed=seed, progress=False)
    check(result, {"C": 0.05, "g_L": 0.02, "E_L": 0.01, "V_th": 0.02, "V_reset": 0.02, "t_ref": 0.15})
    assert list(result.table.columns) == ["parameter", "unit", "true", "recovered", "relative_error",
                                          "spread", "identifiable"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", seeds_failing({1, 2, 3, 4}, "blind search: a 18-53 % off (issue 12)"))
def test_adex_recovers_from_a_multi_amplitude_step_protocol(seed):
    result = R.recover("adex", "brette_gerstner_2005", n_trials=2000, seed=seed,
                       search=["C", "g_L", "a", "b", "tau_w", "V_reset"],
                       objective={"features": 1.0, "trace": 0.1}, progress=False)
    check(result, {"C": 0.05, "g_L": 0.05, "a": 0.1, "b": 0.05, "tau_w": 0.05, "V_reset": 0.05})
    assert len(result.protocol) == len(R.RHEOBASE_FACTORS)
    assert result.fit.params["V_T"] == result.true_params["V_T"]  # the others stay fixed at the truth


@pytest.mark.slow
@pytest.mark.parametrize("seed", seeds_failing({1, 3, 4}, "blind search: a second basin, a and d 80-440 % off (issue 12)"))
def test_izhikevich_recovers_a_b_c_d_k(seed):
    result = R.recover("izhikevich", "rs_2007", n_trials=3000, seed=seed, search=["a", "b", "c", "d", "k"],
                       progress=False)
    check(result, {"a": 0.1, "b": 0.1, "c": 0.05, "d": 0.1, "k": 0.05})


def test_default_protocol_is_built_on_the_rheobase():
    lif = spikefit.get_model("lif")
    base = R.rheobase(lif, lif.defaults())
    assert base == pytest.approx(200e-12, rel=0.02)  # g_L (V_th - E_L) = 10 nS x 20 mV
    protocol = R.default_protocol(lif, lif.defaults())
    amplitudes = [s.metadata["amplitude"] for s in protocol]
    np.testing.assert_allclose(amplitudes, np.array(R.RHEOBASE_FACTORS) * base)


def test_recovery_table_and_text():
    result = R.recover("lif", n_trials=96, seed=1, search=["C", "g_L"], refine=False, progress=False)
    assert list(result.table["parameter"]) == ["C", "g_L"]
    assert result.table.loc[0, "unit"] == "pF" and result.table.loc[0, "true"] == pytest.approx(200)
    assert np.all((result.table["spread"] >= 0) & (result.table["spread"] <= 1))
    text = R.format_table(result)
    assert "relative_error" in text and " %" in text


def test_no_rheobase_is_a_clear_error():
    lif = spikefit.get_model("lif")
    with pytest.raises(ValueError, match="does not fire for steps up to 1e-11 A"):
        R.rheobase(lif, lif.defaults(), high=1e-11)
