"""start: a fit from the estimate of the voltage trace, the blind fallback, bounds, resume."""
import dataclasses
import math
import warnings

import numpy as np
import pytest

import spikefit
from spikefit.data import ou_noise, step
from spikefit.fitting import search as S
from spikefit.fitting.estimation import estimate
from spikefit.fitting.samplers import GENERATION_ATTR
from spikefit.fitting.start import START_SHARE, STEP_CEILING, STEP_FLOOR

DT = 1e-4
TRUTH = {"C": 150e-12, "g_L": 12e-9, "E_L": -68e-3, "V_th": -50e-3, "V_reset": -60e-3, "t_ref": 3e-3}
SEARCH = ("C", "g_L", "E_L", "V_th", "V_reset")


@pytest.fixture(scope="module")
def lif():
    return spikefit.get_model("lif")


@pytest.fixture(scope="module")
def noise_rec(lif):
    """4 s of OU noise current, simulated from TRUTH: voltage and current."""
    stimulus = ou_noise(0.3e-9, 0.15e-9, 5e-3, 0.05, 3.95, 4.0, dt=DT, seed=3)
    return lif.simulate({**lif.defaults(), **TRUTH}, [stimulus])


@pytest.fixture(scope="module")
def lif_estimate(lif, noise_rec):
    return estimate(lif, noise_rec)


def quick_fit(model, target, **options):
    options = {"n_trials": 64, "seed": 0, "refine": False, "progress": False, "search": SEARCH,
               "objective": "trace", **options}
    return S.fit(model, target, **options)


def trials_to_truth(result, tolerance=0.05) -> float:
    """Completed trials until the first whose every searched parameter is within
    ``tolerance`` of TRUTH (relative); inf if none is."""
    done = result.trials[result.trials.state == "COMPLETE"].reset_index(drop=True)
    close = np.ones(len(done), bool)
    for name in SEARCH:
        close &= np.abs(done[name] / TRUTH[name] - 1) < tolerance
    hits = np.flatnonzero(close)
    return float(hits[0] + 1) if hits.size else math.inf


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_start_from_estimate_reaches_truth_with_fewer_trials(lif, noise_rec, lif_estimate, seed):
    """On every seed the fit started from the estimate has a trial within 5 % of every true
    parameter within two generations, sooner than the blind search (which, at this budget,
    mostly has none: measured 6-32 trials against 168 or none on seeds 0-3)."""
    started = quick_fit(lif, noise_rec, init=lif_estimate, n_trials=256, seed=seed)
    blind = quick_fit(lif, noise_rec, init=None, n_trials=256, seed=seed)
    assert started.init == "estimate" and blind.init == "blind"
    n_started, n_blind = trials_to_truth(started), trials_to_truth(blind)
    assert n_started < n_blind, (n_started, n_blind)
    assert n_started <= 64


def test_start_follows_the_estimate_and_its_stderr(lif, noise_rec, lif_estimate):
    result = quick_fit(lif, noise_rec, init=lif_estimate, n_trials=32)
    start, space = result.start, result.space
    for i, name in enumerate(space.names):
        assert start.values[name] == pytest.approx(lif_estimate.params[name], rel=1e-9)
        assert STEP_FLOOR <= start.steps[i] <= STEP_CEILING
    moved = result.movement().set_index("parameter")
    name = "C"
    expected = (result.params[name] - lif_estimate.params[name]) / lif_estimate.params[name]
    assert moved.loc[name, "relative"] == pytest.approx(expected)
    assert moved.loc[name, "stderrs"] == pytest.approx(
        (result.params[name] - lif_estimate.params[name]) / lif_estimate.stderr[name])
    summary = result.summary().set_index("parameter")
    assert summary.loc["C", "start"] == pytest.approx(lif_estimate.params["C"] * 1e12)
    assert math.isnan(summary.loc["t_ref", "start"])  # not searched: no start, keeps its default
    assert result.params["t_ref"] == lif.defaults()["t_ref"]


def test_blind_fallback_warns_and_says_so(lif):
    """20 ms of data is too short for the regression (300 intervals needed): blind, and why."""
    short = lif.simulate(None, [step(0.5e-9, 0.002, 0.02, 0.02, dt=DT)])
    with pytest.warns(UserWarning, match=r"fit of lif: no estimate from the voltage trace \(.*needs at "
                                         r"least 300 subthreshold sampling intervals.*\): blind search"):
        result = quick_fit(lif, short, init="estimate", n_trials=32)
    assert result.init == "blind" and "needs at least 300" in result.init_reason
    assert result.estimate is None and result.movement().empty
    assert "start" not in result.summary().columns


def test_no_warning_when_blind_is_asked_for(lif, noise_rec):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = quick_fit(lif, noise_rec, init=None, n_trials=32)
    assert result.init == "blind" and result.init_reason.startswith("init=None")


def test_start_outside_the_bounds_starts_on_the_bound_it_crossed_with_a_warning(lif, noise_rec):
    with pytest.warns(UserWarning, match=r"start of C: 5e-09 lies outside its bound high=1e-09; the search "
                                         r"starts on that bound"):
        result = quick_fit(lif, noise_rec, init={"C": 5e-9}, n_trials=32)
    assert result.init == "given"
    assert result.start.values["C"] == pytest.approx(1e-9, rel=1e-12)
    assert result.start.mean[0] == 1.0


def test_a_start_past_a_rule_between_two_values_starts_at_their_midpoint():
    """Izhikevich's v_r <= v_t, which the b = 0.26 presets meet with equality: a start 3 uV past
    it would be a failed trial; the midpoint (by hand) meets it and the first trial completes."""
    izh = spikefit.get_model("izhikevich")
    truth = izh.preset("rz_2003")
    assert truth["v_r"] == truth["v_t"]
    recording = izh.simulate(truth, [step(0.1e-9, 0.05, 0.45, 0.5, DT)])
    start = {"v_r": truth["v_r"], "v_t": truth["v_t"] - 3e-6}
    with pytest.warns(UserWarning, match=r"start values v_r=-0\.0625, v_t=-0\.062503 break the rule v_r <= v_t: "
                                         r"both start at their midpoint, -0\.0625015"):
        result = S.fit(izh, recording, search={"v_r": None, "v_t": (-70e-3, -50e-3)}, fixed={n: v for n, v in truth.items()
                                                                     if n not in start},
                       init=start, n_trials=16, seed=0, refine=False, progress=False, objective="trace")
    middle = truth["v_r"] - 1.5e-6
    assert result.start.values["v_r"] == pytest.approx(middle, abs=1e-12)
    assert result.start.values["v_t"] == pytest.approx(middle, abs=1e-12)
    first = result.trials.sort_values("number").iloc[0]
    assert first["state"] == "COMPLETE" and first["v_r"] <= first["v_t"]


def test_a_start_past_a_strict_rule_is_left_for_the_search():
    """V_reset < V_th of LIF: no midpoint meets a strict rule, so the start stays as given."""
    lif = spikefit.get_model("lif")
    recording = lif.simulate(lif.defaults(), [step(0.3e-9, 0.05, 0.45, 0.5, DT)])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = S.fit(lif, recording, search=["V_th", "V_reset"], init={"V_th": -52e-3, "V_reset": -52e-3},
                       n_trials=16, seed=0, refine=False, progress=False, objective="trace")
    assert not any("break the rule" in str(w.message) for w in seen)
    assert result.start.values["V_th"] == pytest.approx(-52e-3) == pytest.approx(result.start.values["V_reset"])


def test_bad_init(lif, noise_rec, lif_estimate):
    with pytest.raises(ValueError, match=r"init names parameters that are not searched: \['t_ref'\]"):
        quick_fit(lif, noise_rec, init={"t_ref": 1e-3})
    with pytest.raises(ValueError, match="init must be 'estimate', an Estimate.*got 'guess'"):
        quick_fit(lif, noise_rec, init="guess")
    with pytest.raises(ValueError, match="init is an estimate of model 'lif', the fit is of 'adex'"):
        S.fit("adex", noise_rec, init=lif_estimate, n_trials=1, progress=False)


def test_resume_keeps_the_start(lif, noise_rec, tmp_path):
    """A resumed study starts from the start it stored, whatever the resuming call passes."""
    storage = f"sqlite:///{tmp_path / 'fit.db'}"
    first = quick_fit(lif, noise_rec, init={"C": 300e-12}, n_trials=32, storage=storage, study_name="s")
    again = quick_fit(lif, noise_rec, init={"C": 100e-12}, n_trials=64, storage=storage, study_name="s",
                      load_if_exists=True)
    stored = again.study.user_attrs["spikefit:start"]
    assert stored["mean"] == pytest.approx(list(first.start.mean))
    assert again.study.sampler.start[0] == pytest.approx(first.start.mean)
    assert len(again.trials[again.trials.state == "COMPLETE"]) >= 64


def test_the_default_starts_from_the_estimate(lif, noise_rec):
    """No init given: a target with voltage and current starts from its estimate, no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = S.fit(lif, noise_rec, n_trials=32, seed=0, refine=False, progress=False, search=SEARCH,
                       objective="trace")
    assert result.init == "estimate" and result.init_reason == "estimate from the voltage trace"
    assert result.start.values["C"] == pytest.approx(estimate(lif, noise_rec).params["C"], rel=1e-9)


def test_the_default_runs_blind_without_current_and_says_why(lif):
    """A target without injected current has no estimate: blind, warned and recorded."""
    rest = lif.simulate(None, [step(0.0, 0.1, 0.9, 1.0, dt=DT)])
    with pytest.warns(UserWarning, match=r"fit of lif: no estimate from the voltage trace \(the injected "
                                         r"current is 0 in every sample.*\): blind search"):
        result = S.fit(lif, rest, n_trials=32, seed=0, refine=False, progress=False, search=SEARCH,
                       objective="trace")
    assert result.init == "blind" and "current is 0 in every sample" in result.init_reason
    assert result.start.mean is None and result.study.sampler.start is None


def test_a_model_without_estimator_runs_blind_and_says_why():
    ref = spikefit.data.resolve("hh")
    with pytest.warns(UserWarning, match=r"fit of hh: no estimate .*model 'hh' has no estimator"):
        result = S.fit("hh", ref, n_trials=8, seed=0, refine=False, progress=False)
    assert result.init == "blind" and "has no estimator" in result.init_reason


def _runs(result):
    """Per completed CMA-ES trial, in order: the run it came from (0: the start's). The start
    itself, trial 0, no run proposed."""
    done = [t for t in result.study.trials if t.state.name == "COMPLETE" and GENERATION_ATTR in t.system_attrs]
    return np.array([int(t.system_attrs[GENERATION_ATTR].split(":")[0]) for t in done]), done


def test_the_start_takes_its_share_then_the_blind_run_from_the_centre(lif, noise_rec, lif_estimate):
    """256 trials in generations of 32: the run from the estimate takes START_SHARE of them
    (2 generations), then the blind search's first run as many, centred in the box with its
    step; then the run with the lower objective goes on (here the estimate's, near the truth)."""
    result = quick_fit(lif, noise_rec, init=lif_estimate, n_trials=256, seed=0)
    runs, done = _runs(result)
    n_start = math.ceil(START_SHARE * 256 / 32) * 32
    assert (runs[:n_start] == 0).all() and (runs[n_start:2 * n_start] == 1).all()
    assert (runs[2 * n_start:] == 0).all()
    space = result.space
    unit = space.to_unit(np.array([[t.params[n] for n in space.names] for t in done]))
    first_start, first_blind = unit[:32], unit[n_start:n_start + 32]
    # around the estimate with its narrow step; around the centre with the blind step 0.25
    assert np.abs(first_start.mean(axis=0) - result.start.mean).max() < 0.1
    assert np.abs(first_blind.mean(axis=0) - 0.5).max() < 0.2
    assert first_blind.std(axis=0).mean() > 2 * first_start.std(axis=0).mean()


def test_a_start_in_the_wrong_place_costs_only_its_share(lif, noise_rec, lif_estimate):
    """An estimate far from the truth (C and g_L 6-7 times too large, V_th 8 mV too low, still above V_reset) with
    a tiny stderr: it loses the race (128 trials each) to the blind search's first run, which
    goes on, trial for trial the blind fit's (same seed): the fit ends at least as good as
    the blind fit with the trials the start left (384)."""
    wrong = dataclasses.replace(lif_estimate, params={**lif_estimate.params, "C": 900e-12, "g_L": 90e-9,
                                                      "V_th": -58e-3},
                                stderr={n: 1e-6 * abs(v) for n, v in lif_estimate.params.items()})
    started = quick_fit(lif, noise_rec, init=wrong, n_trials=512, seed=1)  # the start, then 511
    blind = quick_fit(lif, noise_rec, init=None, n_trials=384, seed=1)
    runs, done = _runs(started)
    values = np.array([t.value for t in done])
    assert started.init == "estimate" and (runs == 0).sum() == 128 and (runs == 1).sum() >= 383
    assert started.score == pytest.approx(values.min())
    assert values[runs >= 1].min() < values[runs == 0].min()
    blind_values = [t.value for t in blind.study.trials if t.state.name == "COMPLETE"]
    assert values[runs == 1][:383] == pytest.approx(blind_values[:383])
    assert started.score <= blind.score
