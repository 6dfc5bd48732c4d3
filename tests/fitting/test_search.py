"""fit: bad input before any trial and checks only there, rules never simulated, batches, resume."""
import numpy as np
import optuna
import pytest

import spikefit
from spikefit.fitting import search as S
from spikefit.fitting.studies import open_storage
from spikefit.fitting.target import build_target


@pytest.fixture(scope="module")
def lif():
    return spikefit.get_model("lif")


@pytest.fixture(scope="module")
def lif_target(lif):
    stimuli = spikefit.step_protocol([-0.05e-9, 0.1e-9, 0.3e-9, 0.5e-9], 0.1, 0.5, 0.6)
    return build_target(lif.simulate(None, stimuli))


def quick_fit(model, target, **options):
    options = {"n_trials": 64, "seed": 0, "refine": False, "progress": False, **options}
    return S.fit(model, target, **options)


# --- bad input: a clear error before any trial runs ----------------------------------
def test_bad_input_fails_before_any_trial(lif, lif_target, tmp_path):
    silent = lif.simulate(None, spikefit.step(0.05e-9, 0.1, 0.5, 0.6))
    with pytest.raises(ValueError, match="'spikes' objective needs target spikes"):
        quick_fit(lif, silent, objective="spikes")
    with pytest.raises(ValueError, match=r"V_reset < Threshold must hold .* got V_reset up to -0.01 V"):
        quick_fit(lif, lif_target, search={"V_reset": (-0.07, -0.01)})
    with pytest.raises(ValueError, match=r"V_reset < V_th must hold, and the bounds"):
        quick_fit(lif, lif_target, search={"V_reset": (-0.045, -0.04)}, fixed={"V_th": -0.06})
    with pytest.raises(ValueError, match="n_trials must be an int >= 1, got n_trials=0"):
        quick_fit(lif, lif_target, n_trials=0)
    with pytest.raises(ValueError, match="unknown sampler 'cma'"):
        quick_fit(lif, lif_target, sampler="cma")
    with pytest.raises(ValueError, match="CMA-ES optimises one objective, got 2"):
        quick_fit(lif, lif_target, objective="multi", sampler="cmaes")


def test_a_study_name_that_exists_with_other_parameters_is_an_error(lif, lif_target, tmp_path):
    storage = f"sqlite:///{tmp_path / 'fit.db'}"
    quick_fit(lif, lif_target, search=["C", "g_L"], storage=storage, study_name="cell1", n_trials=8)
    with pytest.raises(ValueError, match="study 'cell1' already exists in the storage: pass load_if_exists=True"):
        quick_fit(lif, lif_target, search=["C", "g_L"], storage=storage, study_name="cell1")
    with pytest.raises(ValueError, match="study 'cell1' exists with other searched parameters and bounds"):
        quick_fit(lif, lif_target, search=["C"], storage=storage, study_name="cell1", load_if_exists=True)
    with pytest.raises(ValueError, match="study 'cell1' exists with other objective"):
        quick_fit(lif, lif_target, search=["C", "g_L"], objective="trace", storage=storage, study_name="cell1",
                  load_if_exists=True)
    study = optuna.load_study(study_name="cell1", storage=storage)
    assert len(study.trials) == 8  # no trial ran for the rejected fits


def test_options_are_keyword_only(lif, lif_target):
    with pytest.raises(TypeError, match="positional"):
        S.fit(lif, lif_target, "features", 8)


def test_bounds_and_rules_are_checked_once_then_never_below(lif, lif_target, monkeypatch):
    """fit checks its space at the boundary; the loop and the polish simulate unchecked tables."""
    checks = []
    monkeypatch.setattr(type(lif), "table", lambda self, params=None: checks.append(params))
    result = quick_fit(lif, lif_target, search=["C", "g_L"], n_trials=32, refine=10)
    assert checks == [] and np.isfinite(result.score)


# --- the loop ------------------------------------------------------------------------
def test_infeasible_proposals_are_failed_trials_never_simulated(lif, lif_target, monkeypatch):
    simulated = []
    evaluate = S.Run.evaluate

    def spy(self, rows):
        simulated.append(self.space.table(rows))
        return evaluate(self, rows)

    monkeypatch.setattr(S.Run, "evaluate", spy)
    result = quick_fit(lif, lif_target, search={"V_th": (-0.06, -0.04), "V_reset": (-0.06, -0.04)},
                       n_trials=96, sampler="random")
    for table in simulated:
        assert np.all(table["V_reset"] < table["V_th"])
    failed = result.trials[result.trials["state"] == "FAIL"]
    assert len(failed) == result.failures["infeasible"] > 10
    assert set(failed["infeasible"]) == {"V_reset < V_th"}
    assert (result.trials["state"] == "COMPLETE").sum() == 96


def test_a_fit_in_memory_makes_the_trials_ask_and_tell_make(lif, lif_target, tmp_path, monkeypatch):
    """In memory, a batch's trials are made once it is scored, without Optuna's ask and tell;
    through ask and tell (a journal file) the same trials come, in the same order: the start,
    infeasible proposals among the feasible, the race and the winner's generations."""
    paths = []
    for name in ("score_and_tell", "record"):
        method = getattr(S.Run, name)
        monkeypatch.setattr(S.Run, name, lambda self, *a, _m=method, _n=name: (paths.append(_n), _m(self, *a))[1])
    options = dict(search={"C": None, "g_L": None, "V_th": (-0.06, -0.04), "V_reset": (-0.06, -0.04)},
                   n_trials=160, batch_size=16)
    memory = quick_fit(lif, lif_target, **options)
    in_memory, paths[:] = list(paths), []
    stored = quick_fit(lif, lif_target, storage=str(tmp_path / "fit.journal"), study_name="same", **options)
    assert in_memory[0] == "score_and_tell" and set(in_memory[1:]) == {"record"}  # the start is queued: asked
    assert set(paths) == {"score_and_tell"}

    def seen(trial):
        return (trial.number, trial.state, trial.params, trial.values, trial.user_attrs, trial.system_attrs)

    assert [seen(t) for t in memory.study.trials] == [seen(t) for t in stored.study.trials]
    assert memory.failures["infeasible"] > 10 and memory.study.user_attrs.keys() == stored.study.user_attrs.keys()
    assert memory.params == stored.params


def test_fit_result_contents(lif, lif_target):
    result = quick_fit(lif, lif_target, search=["C", "g_L", "V_th"], n_trials=96, refine=40)
    assert set(result.params) == {p.name for p in lif.parameters}
    assert result.params["E_L"] == lif.parameter("E_L").default
    best = result.trials["value"].min()
    assert result.score <= best and (result.score < best) == result.refined
    assert set(result.failures) == {"infeasible", "diverged", "missing_features", "retried"}
    assert {"ask", "tell", "simulate", "score", "refine", "batches"} <= set(result.timings)
    # the start (the estimate) a batch of its own, then 95 trials in generations of 32
    assert result.timings["batches"] == 4 and result.wall_time > 0
    assert list(result.trials.columns[:3]) == ["number", "state", "value"]
    trace = result.simulate(lif_target.stimuli[2])
    assert isinstance(trace, spikefit.Trace)
    assert len(result.predict(lif_target.recording)) == 4
    assert list(result.summary()["parameter"]) == [p.name for p in lif.parameters]


def test_same_seed_same_fit(lif, lif_target):
    a = quick_fit(lif, lif_target, search=["C", "g_L"], n_trials=64)
    b = quick_fit(lif, lif_target, search=["C", "g_L"], n_trials=64)
    assert a.params == b.params and a.score == b.score


@pytest.mark.parametrize("sampler", ["tpe", "random", "optuna-cmaes"])
def test_other_samplers(lif, lif_target, sampler):
    result = quick_fit(lif, lif_target, search=["C", "g_L"], n_trials=24, sampler=sampler, batch_size=8)
    assert (result.trials["state"] == "COMPLETE").sum() == 24


def test_multi_objective_with_nsga2(lif, lif_target):
    result = quick_fit(lif, lif_target, objective="multi", search=["C", "g_L", "E_L"], n_trials=64, refine=30)
    assert isinstance(result.score, tuple) and len(result.score) == 2
    assert list(result.trials.columns[2:4]) == ["value_firing", "value_subthreshold"]
    assert type(result.study.sampler).__name__ == "NSGAIISampler"


def test_weighted_objective_records_voltages_when_needed(lif, lif_target):
    result = quick_fit(lif, lif_target, objective={"spikes": 1, "trace": 0.1}, search=["C", "g_L"], n_trials=32)
    assert result.objective.describe() == ["1*spikes+0.1*trace"] and np.isfinite(result.score)


def test_a_model_with_spikes_of_its_own_fits_on_firing_features():
    """hh_fs on 'firing' (no subthreshold feature) once simulated without voltages and failed in
    the fast path's peak detection; its peaks are found in its voltage, so it records them."""
    hh_fs = spikefit.get_model("hh_fs")
    target = hh_fs.simulate(None, [spikefit.step(a, 0.02, 0.12, 0.15) for a in (0.2e-9, 0.4e-9)])
    result = quick_fit(hh_fs, target, objective="firing", search=["g_Na"], n_trials=8)
    assert np.isfinite(result.score) and result.score >= 0


# --- storage and resume --------------------------------------------------------------
class Interrupted(Exception):
    pass


def _interrupt_after(monkeypatch, n_batches):
    evaluate = S.Run.evaluate
    calls = []

    def flaky(self, rows):
        calls.append(len(rows))
        if len(calls) > n_batches:
            raise Interrupted  # as a Ctrl-C after the batch was asked for
        return evaluate(self, rows)

    monkeypatch.setattr(S.Run, "evaluate", flaky)


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_interrupted_fit_resumes_to_exactly_n_trials(lif, lif_target, tmp_path, monkeypatch, kind):
    storage = f"sqlite:///{tmp_path / 'fit.db'}" if kind == "sqlite" else str(tmp_path / "fit.journal")
    options = dict(search=["C", "g_L", "V_th"], storage=storage, study_name="resume", batch_size=16, init=None)
    _interrupt_after(monkeypatch, 2)
    with pytest.raises(Interrupted):
        quick_fit(lif, lif_target, n_trials=80, **options)
    study = optuna.load_study(study_name="resume", storage=open_storage(storage))
    states = [t.state.name for t in study.trials]
    interrupted = [t for t in study.trials if t.user_attrs.get("retried_because") == "interrupted"]
    assert states.count("COMPLETE") == 32 and states.count("WAITING") == 16 and "RUNNING" not in states
    assert len(interrupted) == 16 and all(t.state.name == "FAIL" for t in interrupted)
    queued = {t.system_attrs["failed_trial"]: t.params for t in study.trials if t.state.name == "WAITING"}
    assert queued == {t.number: t.params for t in interrupted}  # the same parameters, queued again
    monkeypatch.undo()
    result = quick_fit(lif, lif_target, n_trials=80, load_if_exists=True, **options)
    states = result.trials["state"].tolist()
    assert states.count("COMPLETE") == 80 and "RUNNING" not in states and "WAITING" not in states
    assert result.trials["number"].is_unique
    assert len(result.trials) == 80 + 16 + result.failures["infeasible"]  # nothing lost, nothing twice
    again = quick_fit(lif, lif_target, n_trials=80, load_if_exists=True, **options)
    assert len(again.trials) == len(result.trials)  # a finished study runs no more trials


def _completed(study):
    return [(t.params, t.values, t.system_attrs.get("spikefit:cma_generation")) for t in study.trials
            if t.state.name == "COMPLETE"]


@pytest.mark.parametrize("cut", ["between generations", "within a generation"])
def test_a_resumed_fit_completes_the_trials_of_a_fit_never_stopped(lif, lif_target, tmp_path, monkeypatch, cut):
    # The CMA-ES state stored in the study continues the same search in a new sampler: its random
    # state and whole covariance kept; a generation cut short drawn again to where it stopped.
    options = dict(search=["C", "g_L", "V_th"], batch_size=16, init=None, study_name="s")
    never = quick_fit(lif, lif_target, n_trials=96, storage=str(tmp_path / "never.journal"), **options)
    stopped = str(tmp_path / "stopped.journal")
    if cut == "between generations":
        quick_fit(lif, lif_target, n_trials=48, storage=stopped, **options)
    else:
        _interrupt_after(monkeypatch, 2)  # the third generation asked, then lost
        with pytest.raises(Interrupted):
            quick_fit(lif, lif_target, n_trials=96, storage=stopped, **options)
        monkeypatch.undo()
    resumed = quick_fit(lif, lif_target, n_trials=96, storage=stopped, load_if_exists=True, **options)
    assert {g for *_, g in _completed(never.study)} == {f"0:{k}" for k in range(6)}
    assert _completed(resumed.study) == _completed(never.study)


def test_cma_state_is_stored_once_per_generation(lif, lif_target, tmp_path):
    storage = f"sqlite:///{tmp_path / 'cma.db'}"
    result = quick_fit(lif, lif_target, search=["C", "g_L"], n_trials=48, batch_size=16, storage=storage,
                       study_name="cma", init=None)
    assert "spikefit:cma" in result.study.user_attrs
    generations = {t.system_attrs["spikefit:cma_generation"] for t in result.study.trials}
    assert generations == {"0:0", "0:1", "0:2"}
    # from the estimate: a generation of the run from it, one of the blind run (the race), then the winner's
    # (after the start itself, trial 0, which no generation proposed)
    started = quick_fit(lif, lif_target, search=["C", "g_L"], n_trials=49, batch_size=16)
    first, *rest = started.study.trials
    assert "spikefit:cma_generation" not in first.system_attrs
    order = [t.system_attrs["spikefit:cma_generation"] for t in rest if t.state.name == "COMPLETE"]
    assert order[:16] == ["0:0"] * 16 and order[16:32] == ["1:0"] * 16 and order[32:] in (["0:1"] * 16, ["1:1"] * 16)


def test_the_start_is_the_first_trial_and_each_cma_batch_one_generation(lif, lif_target):
    # CMA-ES samples around its centre, never at it: the start itself is scored first, alone.
    # Given the true values, a fit of a target simulated from them scores 0 (identical spikes).
    truth = {name: lif.defaults()[name] for name in ("C", "g_L", "E_L", "V_th", "V_reset")}
    result = quick_fit(lif, lif_target, objective="spikes", init=truth, search=tuple(truth), n_trials=65)
    first, *rest = result.study.trials
    assert first.params == pytest.approx(truth, rel=1e-9) and first.value == 0.0
    assert result.score == 0.0 and result.best_trial == 0
    generations = [t.system_attrs.get("spikefit:cma_generation") for t in rest if t.state.name == "COMPLETE"]
    assert generations == ["0:0"] * 32 + ["1:0"] * 32  # the race: a generation from the start, one blind
