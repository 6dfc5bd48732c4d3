"""Bisection for the edge of self-sustained activity, on stand-in runs and one real one."""
import pytest

from spikefit.studies.destexhe2009.edge_bisection import sustaining_edge


class _FakeRun:
    """Stands in for a NetworkResult: sustains below a threshold b or above a threshold n."""

    def __init__(self, sustained):
        self.sustained, self.persistence = sustained, 1.0 if sustained else 0.01
        self.cv_isi, self.synchrony, self.mean_rate = (1.2, 0.2, 15.0) if sustained else (float("nan"), 0.7, 0.0)


def test_sustaining_edge_bisects_to_the_edge(monkeypatch):
    import spikefit.studies.destexhe2009.edge_bisection as edge

    calls = []

    def fake(n, b, **kwargs):
        calls.append((n, b, kwargs["duration"]))
        return _FakeRun(b < 17e-12 and n >= 333)

    monkeypatch.setattr(edge, "simulate_network", fake)
    found = sustaining_edge("b", n=500, hold=1.0, b_range=(0.0, 64e-12), n_trials=8)
    assert found.parameter == "b" and len(found.trials) == 8 == len(calls)
    assert calls[0][1] == 0.0 and calls[1][1] == pytest.approx(64e-12)  # the ends first
    assert calls[0][2] == pytest.approx(1.25)  # kick end + hold
    good, bad = found.bracket
    assert good == found.best and good < 17e-12 <= bad and bad - good == pytest.approx(1e-12)
    assert list(found.trials.sort_values("trial")["b"][:2]) == [0.0, 64e-12]

    calls.clear()
    sized = sustaining_edge("n", b=5e-12, n_range=(100, 2000), n_trials=20)
    assert sized.best == 333 and sized.bracket == (333, 332)
    assert [c[0] for c in calls[:2]] == [2000, 100] and len(calls) < 20  # stops once closed


def test_sustaining_edge_stops_when_nothing_sustains(monkeypatch):
    import spikefit.studies.destexhe2009.edge_bisection as edge

    monkeypatch.setattr(edge, "simulate_network", lambda **kwargs: _FakeRun(False))
    found = sustaining_edge("b", n_trials=8)
    assert found.best is None and len(found.trials) == 1


def test_sustaining_edge_runs_the_network():
    found = sustaining_edge("n", n_range=(60, 120), hold=0.1, n_trials=1, codegen_target="numpy")
    assert list(found.trials["n"]) == [120.0]
    assert {"sustained", "persistence", "cv_isi", "synchrony", "mean_rate"} <= set(found.trials.columns)


@pytest.mark.parametrize("kwargs, match", [
    (dict(parameter="tau_w"), "parameter must be 'b' or 'n'"),
    (dict(n_trials=0), "n_trials must be >= 1"),
    (dict(b_range=(10e-12, 5e-12)), r"0 <= b_range\[0\] < b_range\[1\] must hold"),
    (dict(n_range=(500, 100)), r"0 < n_range\[0\] < n_range\[1\] must hold"),
    (dict(hold=0.0), "hold must be > 0"),
])
def test_sustaining_edge_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sustaining_edge(**kwargs)
