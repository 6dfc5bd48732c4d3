"""Sweeps, report and figures of the Destexhe 2009 network, on tiny networks."""
import pytest

from spikefit.models.network import destexhe2009
from spikefit.reports.network_sweeps import (SWEEP_FACTORS, SustainSearch, plot_raster, summarise_sweep, sweep,
                                             weakest_sustaining, write_sweep_report)

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


def test_write_sweep_report(tmp_path, table):
    result = destexhe2009(seed=0, **TINY)
    path = write_sweep_report(table, tmp_path / "out", rasters={"baseline": result})
    text = path.read_text()
    assert path.name == "report.md" and "## delay (ms)" in text and "raster_baseline.png" in text
    assert (tmp_path / "out" / "sweep.csv").stat().st_size > 100
    for name in ("sweep.png", "raster_baseline.png"):
        assert (tmp_path / "out" / name).stat().st_size > 1000


def test_plot_raster_returns_figure(tmp_path):
    result = destexhe2009(seed=0, **TINY)
    fig = plot_raster(result)
    assert len(fig.axes) == 2
    plot_raster(result, tmp_path / "raster.png")
    assert (tmp_path / "raster.png").stat().st_size > 1000


def test_sweep_rejects_unknown_factor():
    with pytest.raises(ValueError, match="factors must name delay"):
        sweep(["axon_length"], **TINY)
    with pytest.raises(ValueError, match="factor must be one of"):
        sweep({"tau_e": (1e-3,)}, **TINY)
    assert set(SWEEP_FACTORS) == {"delay", "delay_jitter", "facilitation", "depression", "stdp",
                                  "stochastic_release"}


def test_weakest_sustaining_small_budget():
    found = weakest_sustaining("adaptation_b", n=100, hold=0.1, b_range=(0.0, 40e-12), n_trials=2,
                               codegen_target="numpy")
    assert isinstance(found, SustainSearch) and found.parameter == "adaptation_b"
    assert len(found.trials) == 2 and 0.0 in list(found.trials["adaptation_b"])  # first trial: b_range[0]
    if found.best is not None:
        assert found.trials["sustained"].any() and 0 <= found.best <= 40e-12
    sized = weakest_sustaining("n", n_range=(60, 120), hold=0.1, n_trials=1, codegen_target="numpy")
    assert list(sized.trials["n"]) == [120]


@pytest.mark.parametrize("kwargs, match", [
    (dict(parameter="tau_w"), "parameter must be 'adaptation_b' or 'n'"),
    (dict(n_trials=0), "n_trials must be >= 1"),
    (dict(b_range=(10e-12, 5e-12)), r"0 <= b_range\[0\] < b_range\[1\] must hold"),
    (dict(n_range=(500, 100)), r"0 < n_range\[0\] < n_range\[1\] must hold"),
    (dict(hold=0.0), "hold must be > 0"),
])
def test_weakest_sustaining_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        weakest_sustaining(**kwargs)
