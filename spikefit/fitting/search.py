"""Search: fit a model's parameters to a target with Optuna, many trials per simulation.

``fit`` asks Optuna for a batch of trials, drops the sets that break a model rule (told to
Optuna as failed trials, never simulated), simulates the rest in one ``simulate_batch`` call
over all the target's stimuli, scores them with the objective (``objectives``) and tells the
scores back. Optuna's own cost per trial (ask and tell: about 1 ms with CMA-ES, 9 ms with
TPE) can exceed a batched simulation's (under 0.1 ms per 1 s sweep), so the default sampler
is CMA-ES with a population as large as a batch, and ``FitResult.timings`` says where the
time went (benchmarks/RESULTS.md, "Fitting: where the time goes").

A study kept in a storage survives the process: an interrupted fit resumes where it stopped
(``load_if_exists=True``), and several workers can fit one study at once; ``studies`` says how
trials that lose their worker are retried. The fit ends when the study holds ``n_trials``
completed trials in all (a few more when workers ask at the same moment).
"""
from __future__ import annotations

import math
import os
import socket
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import optuna  # this module is imported lazily (spikefit.fitting), so import spikefit stays fast
import pandas as pd
from optuna.trial import TrialState

from ..data import Trace
from ..data.units import to_si
from ..defaults import SPIKE_THRESHOLD
from ..models.parameters import unknown_name_error
from .objectives import ObjectiveSpec, check_target, parse_objective
from .samplers import BatchCmaEsSampler, SAMPLERS, batch_size_of  # noqa: F401 - re-exported
from .studies import GRACE_FACTOR, HEARTBEAT, count, fail_stale, in_flight, open_study, wait_for_others
from .target import Target, build_target
_MAX_INFEASIBLE = 0.99  # give up when this fraction of 1000+ proposals broke a rule


# --- the search space ----------------------------------------------------------------
@dataclass(frozen=True)
class SearchSpace:
    """The parameters a fit searches, their bounds, and the values of the others (SI)."""

    model_name: str
    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    log: np.ndarray
    fixed: Mapping[str, float]

    def distributions(self) -> dict:
        """Optuna distributions of the searched parameters."""
        from optuna.distributions import FloatDistribution

        return {n: FloatDistribution(float(lo), float(hi), log=bool(lg))
                for n, lo, hi, lg in zip(self.names, self.low, self.high, self.log)}

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Values (SI, (..., n_free)) mapped onto [0, 1], on a log scale where the spec says."""
        lo, hi = self._scaled(self.low), self._scaled(self.high)
        return (self._scaled(x) - lo) / (hi - lo)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """The inverse of ``to_unit``."""
        lo, hi = self._scaled(self.low), self._scaled(self.high)
        y = lo + np.clip(u, 0.0, 1.0) * (hi - lo)
        return np.where(self.log, np.exp(y), y)

    def _scaled(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.log, np.log(np.where(self.log, x, 1.0)), x)

    def table(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Complete parameter columns (SI) for rows of searched values, shape (n, n_free)."""
        rows = np.atleast_2d(rows)
        columns = {n: np.full(len(rows), v) for n, v in self.fixed.items()}
        columns.update({n: rows[:, i] for i, n in enumerate(self.names)})
        return columns

    def describe(self) -> dict:
        """JSON-ready description, stored with a study to check a resumed fit."""
        return {"model": self.model_name,
                "params": {n: [float(lo), float(hi), bool(lg)]
                           for n, lo, hi, lg in zip(self.names, self.low, self.high, self.log)},
                "fixed": {n: float(v) for n, v in self.fixed.items()}}


def search_space(model, params=None, fixed=None) -> SearchSpace:
    """The search space of a fit, checked; see ``fit`` for ``params`` and ``fixed``.

    Raises
    ------
    ValueError
        An unknown parameter name, a parameter both searched and fixed, bounds with
        ``low >= high``, non-finite bounds, a log-scale parameter with ``low <= 0``, or a
        bound outside the physical domain (a rule on one parameter, such as ``C > 0``).
    """
    fixed = dict(fixed or {})
    for name in fixed:
        model.parameter(name)
    if params is None:
        params = [p.name for p in model.parameters if p.name not in fixed]
    bounds = _bounds(model, params)
    both = sorted(set(bounds) & set(fixed))
    if both:
        raise ValueError(f"a parameter is either searched or fixed, got {', '.join(both)} in both params and fixed")
    if not bounds:
        raise ValueError(f"a fit needs at least one free parameter, got none for model {model.name!r}")
    for name, (low, high, log) in bounds.items():
        _check_bounds(model, name, low, high, log)
    defaults = model.defaults()
    rest = {n: float(to_si(fixed[n], model.parameter(n).unit, n)) if n in fixed else defaults[n]
            for n in defaults if n not in bounds}
    names = tuple(n for n in defaults if n in bounds)  # the model's order
    arrays = [np.array([bounds[n][k] for n in names]) for k in range(3)]
    return SearchSpace(model.name, names, arrays[0].astype(float), arrays[1].astype(float),
                       arrays[2].astype(bool), rest)


def _bounds(model, params) -> dict[str, tuple[float, float, bool]]:
    """name -> (low, high, log) from a list of names or a mapping name -> (low, high) or None."""
    if isinstance(params, str):
        params = [params]
    items = params.items() if isinstance(params, Mapping) else ((n, None) for n in params)
    bounds = {}
    for name, given in items:
        spec = model.parameter(name)
        if given is None:
            bounds[name] = (spec.low, spec.high, spec.log)
            continue
        if isinstance(given, str) or len(np.shape(given)) != 1 or len(given) != 2:
            raise ValueError(f"bounds must be (low, high), got {name}={given!r}")
        low, high = (float(to_si(x, spec.unit, name)) for x in given)
        bounds[name] = (low, high, spec.log)
    return bounds


def _check_bounds(model, name: str, low: float, high: float, log: bool) -> None:
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"bounds must be finite, got {name} low={low}, high={high}")
    if not low < high:
        raise ValueError(f"low < high must hold for the bounds of {name}, got low={low}, high={high}")
    if log and low <= 0:
        raise ValueError(f"a log-scale parameter needs low > 0, got {name} low={low}")
    for rule in model.rules:
        if rule.names == (name,):
            ok = rule.check({name: np.array([low, high])})
            if not ok.all():
                bad = low if not ok[0] else high
                raise ValueError(f"the bounds of {name} must lie in its physical domain ({rule.text}), "
                                 f"got {'low' if not ok[0] else 'high'}={bad} for model {model.name!r}")


def feasible(model, space: SearchSpace, rows: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    """Which rows (n, n_free) meet every rule of the model, and the first rule each breaks."""
    columns = space.table(rows)
    ok = np.ones(len(rows), bool)
    reasons: list[str | None] = [None] * len(rows)
    for rule in model.rules:
        with np.errstate(invalid="ignore"):
            passed = np.asarray(rule.check(columns), dtype=bool)
        for i in np.flatnonzero(ok & ~passed):
            reasons[i] = rule.text
        ok &= passed
    return ok, reasons


def _check_region(model, space: SearchSpace) -> None:
    """Raise when (almost) no point of the search space meets the model's rules."""
    rng = np.random.default_rng(0)
    rows = space.from_unit(rng.random((4000, len(space.names))))
    ok, reasons = feasible(model, space, rows)
    if ok.mean() < 1 - _MAX_INFEASIBLE:
        worst = max(set(r for r in reasons if r), key=reasons.count)
        raise ValueError(
            f"the search space leaves {100 * ok.mean():.2g} % of parameter sets feasible for model "
            f"{model.name!r}: {worst} must hold, and the bounds {space.describe()['params']} with "
            f"fixed {space.describe()['fixed']} break it almost everywhere")


# --- the result ----------------------------------------------------------------------
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
        True when the local polish improved on the best trial (then ``params`` is its result).
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
        """The best parameters in display units (ms, mV, pA, nS, pF), searched ones marked."""
        from ..data.units import to_display

        rows = []
        for spec in self.model.parameters:
            value, unit = to_display(self.params[spec.name], spec.unit)
            rows.append({"parameter": spec.name, "value": value, "unit": unit,
                         "searched": spec.name in self.space.names})
        return pd.DataFrame(rows)


# --- fit -----------------------------------------------------------------------------
def fit(model, target, objective="features", n_trials: int = 500, seed: int | None = None,
        params=None, fixed=None, sampler=None, storage=None, study_name: str | None = None,
        n_jobs: int = 1, refine=True, progress: bool = True, *, batch_size: int | None = None,
        load_if_exists: bool = False, heartbeat: int = HEARTBEAT) -> FitResult:
    """Fit a model's parameters to a target; see the module doc.

    Parameters
    ----------
    model : Model or str
        A model or its name (``spikefit.get_model``).
    target : Recording, Trace or Target
        What to fit: a recording, or a ``Target`` from ``build_target`` for other features,
        spreads or settings.
    objective : str, mapping or sequence
        A registered objective (``"features"``, ``"firing"``, ``"subthreshold"``,
        ``"spikes"``, ``"trace"``), a mapping name -> weight (their weighted sum), or a
        sequence of those (a multi-objective fit); ``"multi"`` is one objective per feature
        group.
    n_trials : int
        Completed trials the study holds when the fit ends (those of a resumed study count).
        Proposals that break a model rule are failed trials on top of these.
    seed : int, optional
        Seeds the sampler (offset by the trials already in a resumed study).
    params : sequence of names or mapping name -> (low, high) or None, optional
        The parameters to search, with the bounds of their spec or the bounds (SI) given;
        by default every parameter not in ``fixed``. The others keep their default.
    fixed : mapping name -> value, optional
        Parameters pinned to a value (SI).
    sampler : str or optuna sampler, optional
        ``"cmaes"`` (default, single objective), ``"tpe"``, ``"random"``, ``"nsga2"``
        (default, multi-objective), ``"gp"``, or an Optuna sampler.
    storage : str or optuna storage, optional
        An RDB URL (``sqlite:///fit.db``), a path to an Optuna journal file (a string
        without ``://``), or an Optuna storage; in memory by default.
    study_name : str, optional
        Name of the study in ``storage``.
    n_jobs : int
        Threads of the simulation kernel (numba) during the fit; -1 for all.
    refine : bool or int
        Polish the best trial with Nelder-Mead (scipy) and keep the result only if better;
        an int sets its budget of evaluations (default 200).
    progress : bool
        Show a progress bar (only when stderr is a terminal).
    batch_size : int, optional
        Trials asked per batch (the CMA-ES population); a default per sampler.
    load_if_exists : bool
        Resume a study of that name in ``storage``, or join the workers fitting it; otherwise
        an existing name is an error.
    heartbeat : int
        Seconds between heartbeats of running trials in an RDB storage (``studies``); a
        trial silent for ``GRACE_FACTOR`` heartbeats is retried by another worker.

    Raises
    ------
    ValueError
        Before any trial runs: bad bounds or names (``search_space``), a target that cannot
        serve the objective (no spikes for ``spikes``), a search space that the model's
        rules leave (almost) empty, a study name that exists (without ``load_if_exists``)
        or that fits other parameters, objective or target.
    """
    started = time.perf_counter()
    model = _as_model(model)
    spec = parse_objective(objective)
    target = build_target(target)
    space = search_space(model, params, fixed)
    _check_inputs(model, space, spec, target, n_trials, n_jobs)
    with _quiet_optuna(), _threads(n_jobs):
        study = open_study(space, spec, target, sampler, storage, study_name, seed, batch_size, load_if_exists,
                           heartbeat)
        run = _Run(model, space, spec, target, study, batch_size_of(study.sampler, batch_size))
        run.loop(n_trials, progress, patience=4 * GRACE_FACTOR * heartbeat)
        best = best_trial(study, spec)
        params_best, score, refined = _polish(run, best, refine)
    return FitResult(model, params_best, score, spec, study, trial_table(study, space, spec),
                     failure_counts(study), time.perf_counter() - started,
                     {**run.timings, "refine": run.timings.get("refine", 0.0)}, target, space,
                     refined, best.number)


def _as_model(model):
    if isinstance(model, str):
        from ..models import get_model

        return get_model(model)
    if not hasattr(model, "simulate_batch"):
        raise TypeError(f"model must be a spikefit Model or a model name, got {type(model).__name__}")
    return model


def _check_inputs(model, space: SearchSpace, spec: ObjectiveSpec, target: Target, n_trials, n_jobs) -> None:
    if not isinstance(n_trials, (int, np.integer)) or n_trials < 1:
        raise ValueError(f"n_trials must be an int >= 1, got n_trials={n_trials!r}")
    if not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive int or -1, got n_jobs={n_jobs!r}")
    check_target(spec, target)
    _check_reset_below_threshold(model, space, spec, target)
    _check_region(model, space)


def _check_reset_below_threshold(model, space: SearchSpace, spec: ObjectiveSpec, target: Target) -> None:
    """The fast features need a reset model's reset below eFEL's threshold: check the bounds."""
    if model.spike_drawing != "reset" or not {"features", "firing", "subthreshold"} & set(spec.names):
        return
    name = model.reset_parameter
    threshold = target.settings.get("Threshold", SPIKE_THRESHOLD)
    high = space.high[space.names.index(name)] if name in space.names else space.fixed[name]
    if high >= threshold:
        raise ValueError(f"{name} < Threshold must hold for the feature objectives (a reset must bring the "
                         f"voltage below eFEL's spike threshold), got {name} up to {high} V and "
                         f"Threshold={threshold} V: narrow the bounds of {name}")


# --- the study -----------------------------------------------------------------------
# --- the loop ------------------------------------------------------------------------
class _Run:
    """One fit's loop: ask a batch, drop infeasible sets, simulate, score, tell."""

    def __init__(self, model, space, spec, target, study, batch_size):
        self.model, self.space, self.spec, self.target, self.study = model, space, spec, target, study
        self.batch_size = batch_size
        self.distributions = space.distributions()
        self.record_v = spec.record_v(target, spike_drawing=model.spike_drawing)
        self.timings = {"ask": 0.0, "tell": 0.0, "simulate": 0.0, "score": 0.0, "batches": 0}
        self.n_asked = self.n_infeasible = 0

    def loop(self, n_trials: int, progress: bool, patience: float) -> None:
        """Run batches until the study holds ``n_trials`` completed trials and no queued
        copy of a lost trial; trials other workers are running count as pending, and are
        waited for (at most ``patience`` seconds without any change) rather than run twice.
        (Two workers that ask at the same moment may overshoot ``n_trials``; the copies queued
        meanwhile for a lost worker's trials are run all the same, never left behind.)"""
        from tqdm.auto import tqdm

        show = progress and sys.stderr.isatty()
        waited: dict = {}
        with tqdm(total=n_trials, disable=not show, unit="trial", desc=f"fit {self.model.name}") as bar:
            while True:
                fail_stale(self.study)
                done, waiting = count(self.study, TrialState.COMPLETE), count(self.study, TrialState.WAITING)
                bar.update(min(done, n_trials) - bar.n)
                if done >= n_trials and not waiting:
                    return
                free = n_trials - done - count(self.study, TrialState.RUNNING) - waiting
                wanted = max(free, 0) + waiting
                if wanted <= 0:
                    if not wait_for_others(self.study, waited, patience):
                        self._warn_unfinished(done, n_trials, patience)
                        return
                    continue
                with in_flight(self.study) as batch:
                    trials, rows = self.ask(min(self.batch_size, wanted), batch)
                    self.score_and_tell(trials, rows)
                bar.set_postfix(best=f"{_best_value(self.study):.4g}", refresh=False)

    def _warn_unfinished(self, done: int, n_trials: int, patience: float) -> None:
        running = count(self.study, TrialState.RUNNING)
        warnings.warn(f"the study holds {done} of {n_trials} completed trials and {running} trials have been "
                      f"running elsewhere with no change for {patience:.0f} s (their workers are gone without a "
                      f"heartbeat, or still working): returning the best so far", RuntimeWarning, stacklevel=3)

    def ask(self, n: int, heartbeat):
        """n feasible trials and their values (n, n_free); infeasible proposals told FAIL.
        Each trial joins ``heartbeat`` as soon as it is asked."""
        trials, rows = [], []
        while len(trials) < n:
            t0 = time.perf_counter()
            asked = []
            for _ in range(n - len(trials)):
                asked.append(self.study.ask(self.distributions))
                heartbeat.add(asked[-1:])  # first the heartbeat, then the worker: see studies
                asked[-1].set_user_attr("worker", worker_id())
            values = np.array([[t.params[name] for name in self.space.names] for t in asked])
            self.timings["ask"] += time.perf_counter() - t0
            ok, reasons = feasible(self.model, self.space, values)
            t0 = time.perf_counter()
            for trial, good, reason in zip(asked, ok, reasons):
                if not good:
                    trial.set_user_attr("infeasible", reason)
                    self.study.tell(trial, state=TrialState.FAIL)
            self.timings["tell"] += time.perf_counter() - t0
            self.n_asked += len(asked)
            self.n_infeasible += int((~ok).sum())
            self._check_infeasible_rate()
            trials += [t for t, good in zip(asked, ok) if good]
            rows += list(values[ok])
        return trials, np.array(rows)

    def _check_infeasible_rate(self) -> None:
        if self.n_asked >= 1000 and self.n_infeasible > _MAX_INFEASIBLE * self.n_asked:
            raise RuntimeError(f"the sampler proposed {self.n_infeasible} of {self.n_asked} parameter sets "
                               f"that break a rule of model {self.model.name!r}: narrow the bounds")

    def evaluate(self, rows: np.ndarray):
        """Scores (n, n_objectives), missing counts and diverged counts of rows (n, n_free)."""
        t0 = time.perf_counter()
        result = self.model.simulate_batch(self.space.table(rows), self.target.stimuli, record_v=self.record_v)
        t1 = time.perf_counter()
        values, missing = self.spec.evaluate(result, self.target)
        self.timings["simulate"] += t1 - t0
        self.timings["score"] += time.perf_counter() - t1
        return values, missing, result.diverged.sum(axis=1)

    def score_and_tell(self, trials, rows: np.ndarray) -> None:
        values, missing, diverged = self.evaluate(rows)
        t0 = time.perf_counter()
        for trial, value, n_missing, n_diverged in zip(trials, values, missing, diverged):
            try:
                if n_missing:
                    trial.set_user_attr("n_missing", int(n_missing))
                if n_diverged:
                    trial.set_user_attr("n_diverged", int(n_diverged))
                self.study.tell(trial, [float(v) for v in value], skip_if_finished=True)
            except optuna.exceptions.UpdateFinishedTrialError:
                # Another worker judged this trial stale (a heartbeat held up past the grace
                # period) and queued a copy: that copy's result counts, this one is dropped.
                continue
        self.timings["tell"] += time.perf_counter() - t0
        self.timings["batches"] += 1


def worker_id() -> str:
    """This process as ``host:pid``: the ``worker`` user attribute of the trials it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _best_value(study) -> float:
    try:
        return float(sum(study.best_trials[0].values)) if len(study.directions) > 1 else study.best_value
    except (ValueError, IndexError):
        return math.nan


def best_trial(study, spec: ObjectiveSpec):
    """The best completed trial; for several objectives, the one of the Pareto front with the
    lowest sum of objective values."""
    if spec.n_objectives == 1:
        return study.best_trial
    front = study.best_trials
    if not front:
        raise ValueError("the study holds no completed trial")
    return min(front, key=lambda t: (sum(t.values), t.number))


# --- refinement ----------------------------------------------------------------------
def _polish(run: _Run, best, refine) -> tuple[dict, float | tuple, bool]:
    """The best trial's full parameters and score, polished by Nelder-Mead when that is better."""
    x0 = np.array([best.params[n] for n in run.space.names])
    values0 = np.asarray(best.values, dtype=float)
    params = {**run.space.fixed, **dict(zip(run.space.names, x0.tolist()))}
    if not refine:
        return _ordered(run.model, params), _score(values0), False
    t0 = time.perf_counter()
    budget = 200 if refine is True else int(refine)
    kept = dict(run.timings)  # the search's own breakdown, without the polish
    x, values = refine_point(run, x0, budget)
    run.timings.update(kept, refine=time.perf_counter() - t0)
    better = values.sum() < values0.sum() and np.all(values <= values0 + 1e-12)
    if not better:
        return _ordered(run.model, params), _score(values0), False
    run.study.set_user_attr("refined", {"params": dict(zip(run.space.names, map(float, x))),
                                        "values": [float(v) for v in values], "from_trial": best.number})
    params = {**run.space.fixed, **dict(zip(run.space.names, x.tolist()))}
    return _ordered(run.model, params), _score(values), True


def refine_point(run: _Run, x0: np.ndarray, budget: int) -> tuple[np.ndarray, np.ndarray]:
    """Nelder-Mead (scipy) from ``x0`` (SI) in the unit box; the best point seen and its scores."""
    from scipy.optimize import minimize

    best = {"x": x0, "values": np.full(run.spec.n_objectives, np.inf)}

    def cost(u):
        x = run.space.from_unit(u)
        if not feasible(run.model, run.space, x[None, :])[0][0]:
            return 1e12
        values = run.evaluate(x[None, :])[0][0]
        if values.sum() < best["values"].sum():
            best.update(x=x, values=values)
        return float(values.sum())

    u0 = run.space.to_unit(x0)
    simplex = [u0] + [np.clip(u0 + 0.05 * np.eye(len(u0))[i] * (1 if u0[i] < 0.95 else -1), 0, 1)
                      for i in range(len(u0))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        minimize(cost, u0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(u0),
                 options={"maxfev": budget, "initial_simplex": np.array(simplex), "xatol": 1e-4, "fatol": 1e-6})
    return best["x"], best["values"]


def _score(values: np.ndarray):
    return float(values[0]) if values.size == 1 else tuple(float(v) for v in values)


def _ordered(model, params: dict) -> dict:
    return {p.name: float(params[p.name]) for p in model.parameters}


# --- tables and counts ---------------------------------------------------------------
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


# --- context -------------------------------------------------------------------------
@contextmanager
def _quiet_optuna():
    """Optuna logs a line per trial (thousands here), warns of experimental samplers and of
    heartbeats outside ``Study.optimize``."""
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            # ask/tell with heartbeats is what spikefit does on purpose (studies.py)
            warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")
            yield
    finally:
        optuna.logging.set_verbosity(level)


@contextmanager
def _threads(n_jobs: int):
    """numba's thread count set to ``n_jobs`` (-1: all) for the block, then restored."""
    import numba

    before = numba.get_num_threads()
    wanted = numba.config.NUMBA_NUM_THREADS if n_jobs == -1 else min(int(n_jobs), numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(wanted)
    try:
        yield
    finally:
        numba.set_num_threads(before)
