"""Parameter recovery from simulated targets, with fixed seeds and stated tolerances.

Measured with these seeds (benchmarks/RESULTS.md, "Fitting: where the time goes"): LIF within
3.5 %, AdEx within 1 %, Izhikevich within 4 %; the tolerances below leave room for other CPUs
(numba's fastmath may round differently). Gamma on held-out noise must reach 0.9.
"""
import numpy as np
import pytest

import spikefit
from spikefit.fitting import recovery as R

HELD_OUT_GAMMA = 0.9


def check(result, tolerances):
    errors = result.errors()
    for name, tolerance in tolerances.items():
        assert abs(errors[name]) < tolerance, f"{name}: {errors[name]:+.3%} (tolerance {tolerance:.0%})"
    assert result.heldout_gamma >= HELD_OUT_GAMMA


def test_lif_recovers_every_parameter():
    result = R.recover("lif", n_trials=1500, seed=0, progress=False)
    check(result, {"C": 0.05, "g_L": 0.02, "E_L": 0.01, "V_th": 0.02, "V_reset": 0.02, "t_ref": 0.15})
    assert list(result.table.columns) == ["parameter", "unit", "true", "recovered", "relative_error",
                                          "spread", "identifiable"]
    assert result.table["identifiable"].all()


def test_adex_recovers_from_a_multi_amplitude_step_protocol():
    result = R.recover("adex", "brette_gerstner_2005", n_trials=2000, seed=0,
                       search=["C", "g_L", "a", "b", "tau_w", "V_reset"],
                       objective={"features": 1.0, "trace": 0.1}, progress=False)
    check(result, {"C": 0.05, "g_L": 0.05, "a": 0.1, "b": 0.05, "tau_w": 0.05, "V_reset": 0.05})
    assert len(result.protocol) == len(R.RHEOBASE_FACTORS)
    assert result.fit.params["V_T"] == result.true_params["V_T"]  # the others stay fixed at the truth


def test_izhikevich_recovers_a_b_c_d_k():
    result = R.recover("izhikevich", "rs_2007", n_trials=3000, seed=0, search=["a", "b", "c", "d", "k"],
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
