"""The result of a fit: ``FitResult``, and the tables and counts it is made of."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import Trace
from .objectives import ObjectiveSpec
from .target import Target
from .space import SearchSpace


@dataclass(frozen=True, eq=False)
class FitResult:
    """What ``fit`` returns.

    Attributes
    ----------
    model : Model
    params : dict
        The best parameter set, complete (searched, fixed and default values), SI.
    score : float or tuple of float
        Its objective value(s); lower is better.
    objective : ObjectiveSpec
    study : optuna.Study
    trials : pandas.DataFrame
        One row per trial: number, state, value(s), parameters (SI), n_missing, diverged,
        infeasible (the rule a proposal broke, or "").
    failures : dict
        ``infeasible`` (proposals that broke a rule, never simulated), ``diverged`` (trials
        with a diverged sweep), ``missing_features`` (features or sweeps the model could
        not produce, summed over trials), ``retried`` (trials cut short by an interrupt or
        a lost worker and run again; see ``studies``).
    wall_time : float
        Seconds this call took.
    timings : dict
        Seconds spent in ask, tell, simulate, score and refine, and the number of batches.
    target : Target
    space : SearchSpace
    refined : bool
        True when the local polish improved on the trial it ran from (then ``params`` is its result).
    best_trial : int or None
        The trial ``params`` come from: the best, or the start where its polish ended lower.
    start : start.Start or None
        Where the search started; ``init``, ``init_reason``, ``estimate`` and ``movement``
        read it.
    """

    model: object
    params: dict
    score: float | tuple
    objective: ObjectiveSpec
    study: object
    trials: pd.DataFrame
    failures: dict
    wall_time: float
    timings: dict
    target: Target
    space: SearchSpace
    refined: bool = False
    best_trial: int | None = None
    start: object = None

    @property
    def init(self) -> str:
        """"estimate", "given" (start values passed), "candidate" (``fit(candidates=...)``) or "blind"."""
        return self.start.init if self.start is not None else "blind"

    @property
    def init_reason(self) -> str:
        """Why the fit started where it did (for "blind": why there is no estimate)."""
        return self.start.reason if self.start is not None else ""

    @property
    def estimate(self):
        """The ``Estimate`` the fit started from, or None."""
        return self.start.estimate if self.start is not None else None

    def movement(self) -> pd.DataFrame:
        """How far the fit moved from its start, per searched parameter (SI): the estimate,
        the fitted value, the change relative to the estimate and in its standard errors."""
        from .start import movement

        return movement(self.start, self.params)

    def simulate(self, stimuli):
        """The best model's Trace (one Stimulus) or Recording (several), SI."""
        return self.model.simulate(self.params, stimuli)

    def predict(self, recording):
        """The best model simulated under the stimuli of ``recording`` (a Recording or Trace)."""
        if isinstance(recording, Trace):
            return self.simulate(recording.stimulus)
        if isinstance(recording, Target):
            recording = recording.recording
        return self.simulate(list(recording.stimuli))

    def summary(self) -> pd.DataFrame:
        """The best parameters in display units (ms, mV, pA, nS, pF), searched ones marked;
        for a fit that started from an estimate or given values, each searched parameter's
        start (display units) and how far the fit moved from it (``movement``)."""
        from ..data.units import to_display

        moved = self.movement().set_index("parameter")
        rows = []
        for spec in self.model.parameters:
            value, unit = to_display(self.params[spec.name], spec.unit)
            row = {"parameter": spec.name, "value": value, "unit": unit,
                   "searched": spec.name in self.space.names}
            if spec.name in moved.index:
                row.update({"start": to_display(moved.loc[spec.name, "estimate"], spec.unit)[0],
                            "moved_relative": moved.loc[spec.name, "relative"],
                            "moved_stderrs": moved.loc[spec.name, "stderrs"]})
            rows.append(row)
        return pd.DataFrame(rows)


def best_trial(study, spec: ObjectiveSpec):
    """The best completed trial; for several objectives, the one of the Pareto front with the
    lowest sum of objective values."""
    if spec.n_objectives == 1:
        return study.best_trial
    front = study.best_trials
    if not front:
        raise ValueError("the study holds no completed trial")
    return min(front, key=lambda t: (sum(t.values), t.number))


def trial_table(study, space: SearchSpace, spec: ObjectiveSpec) -> pd.DataFrame:
    """One row per trial: number, state, value(s), parameters (SI), n_missing, diverged,
    infeasible (the rule broken), worker (host:pid), retry_of (the trial it repeats, or -1)."""
    labels = ["value"] if spec.n_objectives == 1 else [f"value_{label}" for label in spec.describe()]
    rows = []
    for t in study.get_trials(deepcopy=False):
        values = t.values if t.values is not None else [np.nan] * len(labels)
        rows.append({"number": t.number, "state": t.state.name, **dict(zip(labels, values)),
                     **{n: t.params.get(n, np.nan) for n in space.names},
                     "n_missing": t.user_attrs.get("n_missing", 0),
                     "diverged": t.user_attrs.get("n_diverged", 0) > 0,
                     "infeasible": t.user_attrs.get("infeasible", ""),
                     "worker": t.user_attrs.get("worker", ""),
                     "retry_of": t.system_attrs.get("failed_trial", -1)})
    columns = ["number", "state", *labels, *space.names, "n_missing", "diverged", "infeasible", "worker",
               "retry_of"]
    return pd.DataFrame(rows, columns=columns)


def failure_counts(study) -> dict:
    """Infeasible proposals, diverged trials, missing features and retried trials (cut short
    by an interrupt or a lost worker, queued again) of a study, all together."""
    trials = study.get_trials(deepcopy=False)
    return {"infeasible": sum("infeasible" in t.user_attrs for t in trials),
            "diverged": sum(t.user_attrs.get("n_diverged", 0) > 0 for t in trials),
            "missing_features": sum(int(t.user_attrs.get("n_missing", 0)) for t in trials),
            "retried": sum("failed_trial" in t.system_attrs for t in trials)}
