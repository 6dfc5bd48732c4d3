"""Sweeps, report and figures of the Destexhe 2009 network, on tiny networks."""
import pytest

from spikefit.models.network import destexhe2009
from spikefit.reports.network_sweeps import (SWEEP_FACTORS, plot_raster, summarise_sweep, sweep,
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


class _FakeRun:
    """Stands in for a NetworkResult: sustains below a threshold b or above a threshold n."""

    def __init__(self, sustained):
        self.sustained, self.persistence = sustained, 1.0 if sustained else 0.01
        self.cv_isi, self.synchrony, self.mean_rate = (1.2, 0.2, 15.0) if sustained else (float("nan"), 0.7, 0.0)


def test_weakest_sustaining_bisects_to_the_edge(monkeypatch):
    import spikefit.reports.network_sweeps as sweeps

    calls = []

    def fake(n, adaptation_b, **kwargs):
        calls.append((n, adaptation_b, kwargs["duration"]))
        return _FakeRun(adaptation_b < 17e-12 and n >= 333)

    monkeypatch.setattr(sweeps, "destexhe2009", fake)
    found = weakest_sustaining("adaptation_b", n=500, hold=1.0, b_range=(0.0, 64e-12), n_trials=8)
    assert found.parameter == "adaptation_b" and len(found.trials) == 8 == len(calls)
    assert calls[0][1] == 0.0 and calls[1][1] == pytest.approx(64e-12)  # the ends first
    assert calls[0][2] == pytest.approx(1.25)  # kick end + hold
    good, bad = found.bracket
    assert good == found.best and good < 17e-12 <= bad and bad - good == pytest.approx(1e-12)
    assert len(found.study.trials) == 8

    calls.clear()
    sized = weakest_sustaining("n", adaptation_b=5e-12, n_range=(100, 2000), n_trials=20)
    assert sized.best == 333 and sized.bracket == (333, 332)
    assert [c[0] for c in calls[:2]] == [2000, 100] and len(calls) < 20  # stops once closed


def test_weakest_sustaining_stops_when_nothing_sustains(monkeypatch):
    import spikefit.reports.network_sweeps as sweeps

    monkeypatch.setattr(sweeps, "destexhe2009", lambda **kwargs: _FakeRun(False))
    found = weakest_sustaining("adaptation_b", n_trials=8)
    assert found.best is None and len(found.trials) == 1


def test_weakest_sustaining_runs_the_network():
    found = weakest_sustaining("n", n_range=(60, 120), hold=0.1, n_trials=1, codegen_target="numpy")
    assert list(found.trials["n"]) == [120.0]
    assert {"sustained", "persistence", "cv_isi", "synchrony", "mean_rate"} <= set(found.trials.columns)


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
