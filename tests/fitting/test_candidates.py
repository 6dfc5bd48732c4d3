"""candidates: parameter sets scored before the search, the best one its start; the fit never
ends worse than its best candidate; bad input."""
import numpy as np
import pytest

import spikefit
from spikefit.fitting import search as S
from spikefit.fitting.candidates import CANDIDATE_ATTR

TRUTH = {"C": 150e-12, "g_L": 12e-9, "E_L": -68e-3, "V_th": -50e-3, "V_reset": -60e-3, "t_ref": 3e-3}
WRONG = {**TRUTH, "g_L": 30e-9, "V_th": -40e-3}


@pytest.fixture(scope="module")
def lif():
    return spikefit.get_model("lif")


@pytest.fixture(scope="module")
def target(lif):
    """LIF's own response to four steps: its true parameters score exactly 0 (every feature equal)."""
    return lif.simulate(TRUTH, spikefit.step_protocol([0.1e-9, 0.3e-9, 0.4e-9, 0.6e-9], 0.1, 0.6, 0.7))


def quick(model, target, **options):
    """A short fit, blind unless ``init`` is given: the candidates compete with the centre of the bounds."""
    return S.fit(model, target, **{"n_trials": 32, "seed": 0, "refine": False, "progress": False, "init": None,
                                   **options})


def test_a_candidate_better_than_the_start_is_where_the_search_starts_and_the_fit_keeps_it(lif, target):
    blind = quick(lif, target)
    assert blind.score > 0.1  # 32 blind trials do not find the truth: the candidate has to matter
    fit = quick(lif, target, candidates={"truth": TRUTH, "wrong": WRONG})
    assert fit.score == pytest.approx(0.0, abs=1e-9) and fit.params == pytest.approx(TRUTH)
    assert fit.init == "candidate"
    assert fit.init_reason.startswith("candidate 'truth' scored ") and "better than the centre of the bounds" in fit.init_reason
    assert "'wrong'" in fit.init_reason
    labelled = {t.user_attrs[CANDIDATE_ATTR]: t.values[0] for t in fit.study.trials if CANDIDATE_ATTR in t.user_attrs}
    assert labelled["truth"] == pytest.approx(0.0, abs=1e-9) and labelled["wrong"] > 0.5
    assert labelled["start"] > 0.5  # the centre of the bounds, scored beside them
    assert len([t for t in fit.study.trials if t.state.name == "COMPLETE"]) >= 32  # candidates count as trials
    centre = fit.start.mean
    assert centre == pytest.approx(fit.space.to_unit(np.array([TRUTH[n] for n in fit.space.names])))


def test_a_start_better_than_every_candidate_stays_the_start(lif, target):
    fit = quick(lif, target, init=TRUTH, candidates=[WRONG])
    assert fit.init == "given"
    assert "better than the candidates ('candidate 0'" in fit.init_reason
    assert fit.score == pytest.approx(0.0, abs=1e-9)  # the start scored is a trial too: nothing lost


def test_a_candidate_outside_the_bounds_is_moved_onto_them_with_a_warning(lif, target):
    outside = {**TRUTH, "t_ref": 20e-3}
    with pytest.warns(UserWarning, match=r"candidate 'slow': t_ref=0.02 lies outside its bound high=0.01"):
        fit = quick(lif, target, candidates={"slow": outside})
    trial = next(t for t in fit.study.trials if t.user_attrs.get(CANDIDATE_ATTR) == "slow")
    assert trial.params["t_ref"] == pytest.approx(10e-3)


def test_a_candidate_that_breaks_a_rule_is_left_out_with_a_warning(lif, target):
    with pytest.warns(UserWarning, match=r"candidate 'upside down' breaks the rule V_reset < V_th .*: left out"):
        fit = quick(lif, target, candidates={"upside down": {**TRUTH, "V_reset": -45e-3}})
    assert fit.init == "blind"
    assert not any(CANDIDATE_ATTR in t.user_attrs for t in fit.study.trials)


@pytest.mark.parametrize("candidates, options, match", [
    ({"C": 1e-10}, {}, "candidates must be a mapping label -> parameter set or a sequence of parameter sets"),
    ("truth", {}, "candidates must be a mapping label -> parameter set"),
    ([{k: v for k, v in TRUTH.items() if k != "C"}], {},
     r"candidate 'candidate 0' must name the searched parameters .* missing \['C'\]"),
    ({"x": {**TRUTH, "tau_w": 0.1}}, {}, r"candidate 'x' must name .* got unknown \['tau_w'\]"),
    ({"x": {**TRUTH, "C": float("nan")}}, {}, "candidate 'x': C must be finite, got nan"),
    ({"x": TRUTH}, {"fixed": {"t_ref": 1e-3}}, "candidate 'x' sets t_ref=0.003, which the fit does not search"),
])
def test_bad_candidates_are_refused_before_any_trial(lif, target, candidates, options, match):
    with pytest.raises(ValueError, match=match):
        quick(lif, target, candidates=candidates, **options)
