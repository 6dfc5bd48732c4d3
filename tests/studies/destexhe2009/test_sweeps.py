"""Sweeps over the Destexhe 2009 network, on tiny networks."""
import pytest

from spikefit.studies.destexhe2009.sweeps import SWEEP_FACTORS, summarise_sweep, sweep

TINY = dict(n=100, duration=0.35, codegen_target="numpy")


@pytest.fixture(scope="module")
def table():
    # stochastic_release=False is the delay sweep's 3 ms run again: simulated once
    return sweep({"delay": (3e-3, 5e-3), "stochastic_release": (False, True)}, seeds=(0,), **TINY)


def test_sweep_is_tidy(table):
    assert len(table) == 4
    assert list(table["factor"]) == ["delay", "delay", "stochastic_release", "stochastic_release"]
    assert list(table["value"]) == [3e-3, 5e-3, 0.0, 1.0]
    # the delay sweep keeps the notebook's jitter of half the delay
    assert list(table.loc[table["factor"] == "delay", "delay_jitter"]) == pytest.approx([1.5e-3, 2.5e-3])
    for column in ("seed", "persistence", "sustained", "cv_isi", "synchrony", "mean_rate", "rate_RS", "n"):
        assert column in table.columns
    baseline = table[(table["factor"] == "delay") & (table["value"] == 3e-3)].iloc[0]
    assert table.iloc[2]["wall_time"] == baseline["wall_time"]  # the same run, not a second one
    summary = summarise_sweep(table)
    assert list(summary.columns[:2]) == ["factor", "value"] and len(summary) == 4


def test_sweep_rejects_unknown_factor():
    with pytest.raises(ValueError, match="factors must name delay"):
        sweep(["axon_length"], **TINY)
    with pytest.raises(ValueError, match="factor must be one of"):
        sweep({"tau_e": (1e-3,)}, **TINY)
    assert set(SWEEP_FACTORS) == {"delay", "delay_jitter", "facilitation", "depression", "stdp",
                                  "stochastic_release"}
