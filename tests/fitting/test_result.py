"""A fit's tables and counts, from a study built here trial by trial."""
import numpy as np
import optuna
import pytest

import spikefit
from spikefit.fitting.objectives import parse_objective
from spikefit.fitting.result import best_trial, failure_counts, trial_table
from spikefit.fitting.space import search_space


@pytest.fixture
def study_and_space():
    space = search_space(spikefit.get_model("lif"), ["C", "g_L"])
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    values = [3.0, 1.0, 2.0]
    for value in values:
        trial = study.ask(space.distributions())
        if value == 2.0:
            trial.set_user_attr("n_missing", 4)
            trial.set_user_attr("n_diverged", 1)
        study.tell(trial, value)
    broken = study.ask(space.distributions())
    broken.set_user_attr("infeasible", "V_reset < V_th")
    study.tell(broken, state=optuna.trial.TrialState.FAIL)
    return study, space


def test_trial_table_has_a_row_per_trial(study_and_space):
    study, space = study_and_space
    table = trial_table(study, space, parse_objective("features"))
    assert list(table.columns) == ["number", "state", "value", "C", "g_L", "n_missing", "diverged", "infeasible",
                                   "worker", "retry_of"]
    assert table["state"].tolist() == ["COMPLETE"] * 3 + ["FAIL"]
    assert table["value"].tolist()[:3] == [3.0, 1.0, 2.0] and np.isnan(table["value"].iloc[3])
    assert table["infeasible"].tolist() == ["", "", "", "V_reset < V_th"] and table["diverged"].sum() == 1
    assert (table["retry_of"] == -1).all()


def test_failure_counts_and_best_trial(study_and_space):
    study, _ = study_and_space
    assert failure_counts(study) == {"infeasible": 1, "diverged": 1, "missing_features": 4, "retried": 0}
    assert best_trial(study, parse_objective("features")).number == 1
