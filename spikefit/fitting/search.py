"""Search: fit a model's parameters to a target with Optuna, many trials per simulation.

``fit`` asks Optuna for a batch of trials, drops the sets that break a model rule (told to
Optuna as failed trials, never simulated), simulates the rest in one ``simulate_batch`` call
over all the target's stimuli, scores them with the objective (``objectives``) and tells the
scores back. Optuna's own cost per trial (ask and tell: about 1 ms with CMA-ES, 9 ms with
TPE) can exceed a batched simulation's (under 0.1 ms per 1 s sweep), so the default sampler
is CMA-ES with a population as large as a batch, and ``FitResult.timings`` says where the
time went (benchmarks/RESULTS.md, "Fitting: where the time goes"). A study in memory with
CMA-ES skips the round trip: its batches' trials are made once scored (``Run.propose``,
``Run.record``), the same trials that ask and tell make.

A study kept in a storage survives the process: an interrupted fit resumes where it stopped
(``load_if_exists=True``), and several workers can fit one study at once; ``studies`` says how
trials that lose their worker are retried. The fit ends when the study holds ``n_trials``
completed trials in all (a few more when workers ask at the same moment).

Beside it: the search space and its unit box (``space``), the samplers (``samplers``), the
polish of the best trial and the start (``refine``) and what a fit returns (``result``).
"""
from __future__ import annotations

import math
import os
import socket
import sys
import time
import warnings
from contextlib import contextmanager

import numpy as np
import optuna  # this module is imported lazily (spikefit.fitting), so import spikefit stays fast
from optuna.trial import TrialState

from ..defaults import SPIKE_THRESHOLD
from .candidates import add_scored, check_candidates, choose_start
from .objectives import ObjectiveSpec, check_target, parse_objective
from .refine import polish
from .result import FitResult, best_trial, failure_counts, trial_table
from .samplers import DEFAULT_BATCH, GENERATION_ATTR, BatchCmaEsSampler, batch_size_of
from .start import resolve_start
from .space import MAX_INFEASIBLE, SearchSpace, check_region, feasible, search_space
from .studies import GRACE_FACTOR, HEARTBEAT, count, fail_stale, in_flight, open_study, wait_for_others
from .target import Target, build_target


def fit(model, target, *, objective="features", n_trials: int = 500, seed: int | None = None,
        search=None, fixed=None, sampler=None, storage=None, study_name: str | None = None,
        n_jobs: int = 1, refine=True, progress: bool = True, batch_size: int | None = None,
        load_if_exists: bool = False, heartbeat: int = HEARTBEAT, init="estimate", candidates=None) -> FitResult:
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
    search : sequence of names or mapping name -> (low, high) or None, optional
        The parameters to search, with the bounds of their spec (a name, or None in a
        mapping) or the bounds given (SI floats or brian2 Quantities); by default every
        parameter not in ``fixed``. The others keep their default.
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
        Polish the best trial with Nelder-Mead (scipy), at the two scales of ``refine.SIMPLEX_STEPS``,
        and keep the result only if better; the start (an estimate, a candidate, given values) too
        where it is not the best trial and scores within ``refine.START_RATIO`` of it, the lower of
        the two ends winning; an int sets the budget of evaluations of each (default 200).
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
    init : "estimate", Estimate, mapping or None
        Where the search starts (``start``): ``"estimate"`` (the default), the estimate from
        the target's voltage and current (``estimation.estimate``), CMA-ES centred on it with
        a step from its standard error, raced against the blind search's first run
        (``start.START_SHARE`` of the trials each), the run with the lower objective going on; an
        ``Estimate`` or a mapping name -> value (SI) given, the same way; None for the blind
        search from the centre of the bounds. Without an estimator for the model, current in
        the target, or an estimate (too few subthreshold samples), the fit runs blind with a
        warning; ``FitResult.init`` and ``init_reason`` say which. The start itself is the
        first trial (CMA-ES samples around its centre, never at it: an estimate it never
        scored was lost; benchmarks/RESULTS.md, "Noise fits in seconds").
    candidates : mapping label -> parameter set, or sequence of parameter sets, optional
        Parameter sets (mappings name -> value, SI) scored with the start before the search
        (``candidates``): the search starts from the best of them, and each is a completed
        trial, so the fit ends no worse than its best candidate (``FitResult.init`` is then
        "candidate"). ``models.limits.embed`` writes a LIF fit in a richer model's parameters.

    Raises
    ------
    ValueError
        Before any trial runs, once (nothing below checks again): bad bounds or names
        (``space.search_space``), a target that cannot
        serve the objective (no spikes for ``spikes``), a search space that the model's
        rules leave (almost) empty, a study name that exists (without ``load_if_exists``)
        or that fits other parameters, objective or target.
    """
    started = time.perf_counter()
    model = _as_model(model)
    spec = parse_objective(objective)
    target = build_target(target)
    space = search_space(model, search, fixed)
    _check_inputs(model, space, spec, target, n_trials, n_jobs)
    start = resolve_start(model, space, target, init)
    chosen = None if candidates is None else check_candidates(model, space, candidates)
    with _quiet_optuna(), _threads(n_jobs):
        scored = []
        if chosen:
            start, scored = choose_start(Run(model, space, spec, target, None, 1), start, chosen)
        centre = start.centre(n_trials, batch_size or DEFAULT_BATCH["cmaes"])
        study = open_study(space, spec, target, sampler, storage, study_name, seed, batch_size, load_if_exists,
                           heartbeat, centre)
        if not study.trials:  # a resumed study holds its start and candidates already
            add_scored(study, space, scored)  # the start and the candidates, scored
            if centre is not None and not scored:
                study.enqueue_trial(start.values)  # CMA-ES samples around its centre, never at it
        run = Run(model, space, spec, target, study, batch_size_of(study.sampler, batch_size))
        run.loop(n_trials, progress, patience=4 * GRACE_FACTOR * heartbeat)
        best = best_trial(study, spec)
        params_best, score, refined, origin = polish(run, best, refine,
                                                     also=_start_trials(study, start, best))
    return FitResult(model, params_best, score, spec, study, trial_table(study, space, spec),
                     failure_counts(study), time.perf_counter() - started,
                     {**run.timings, "refine": run.timings.get("refine", 0.0)}, target, space,
                     refined, origin, start)


def _start_trials(study, start, best) -> tuple:
    """The completed trial at the search's start, if it is not ``best``: the polish runs from it too."""
    if start.mean is None:
        return ()
    at = np.array(list(start.values.values()))
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if trial.number != best.number and trial.params.keys() == start.values.keys() and np.allclose(
                [trial.params[n] for n in start.values], at, rtol=1e-12, atol=0.0):
            return (trial,)
    return ()


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
    check_region(model, space)


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


# --- the loop ------------------------------------------------------------------------
class Run:
    """One fit's loop: ask a batch, drop infeasible sets, simulate, score, tell."""

    def __init__(self, model, space, spec, target, study, batch_size):
        self.model, self.space, self.spec, self.target, self.study = model, space, spec, target, study
        self.batch_size = batch_size
        self.distributions = space.distributions()
        self.record_v = spec.record_v(target, spike_drawing=model.spike_drawing)
        self.timings = {"ask": 0.0, "tell": 0.0, "simulate": 0.0, "score": 0.0, "batches": 0}
        self.n_asked = self.n_infeasible = 0
        # In memory, CMA-ES: no other process sees the study, so a batch's trials are made once
        # scored (``propose``, ``record``), without Optuna's ask and tell (0.75 ms a trial, more
        # than the simulation of a batch on most cells); the same trials (tests/fitting/test_search.py).
        self.direct = study is not None and isinstance(study._storage, optuna.storages.InMemoryStorage) \
            and isinstance(study.sampler, BatchCmaEsSampler)

    def loop(self, n_trials: int, progress: bool, patience: float) -> None:
        """Run batches until the study holds ``n_trials`` completed trials and no queued
        copy of a lost trial; trials other workers are running count as pending, and are
        waited for (at most ``patience`` seconds without any change) rather than run twice.
        (Two workers that ask at the same moment may overshoot ``n_trials``; the copies queued
        meanwhile for a lost worker's trials are run all the same, never left behind, and a
        worker returns only once no trial runs elsewhere.)"""
        from tqdm.auto import tqdm

        show = progress and sys.stderr.isatty()
        waited: dict = {}
        with tqdm(total=n_trials, disable=not show, unit="trial", desc=f"fit {self.model.name}") as bar:
            while True:
                fail_stale(self.study)
                done, waiting = count(self.study, TrialState.COMPLETE), count(self.study, TrialState.WAITING)
                bar.update(min(done, n_trials) - bar.n)
                if done >= n_trials and not waiting:
                    if not count(self.study, TrialState.RUNNING):
                        return
                    # trials still running elsewhere (the overshoot of workers that asked at
                    # once): a live worker tells them; a dead one's go stale, are retried
                    # (``fail_stale``) and run here, so none is left running in the storage
                    if not wait_for_others(self.study, waited, patience):
                        self._warn_unfinished(done, n_trials, patience)
                        return
                    continue
                free = n_trials - done - count(self.study, TrialState.RUNNING) - waiting
                wanted = max(free, 0) + waiting
                if wanted <= 0:
                    if not wait_for_others(self.study, waited, patience):
                        self._warn_unfinished(done, n_trials, patience)
                        return
                    continue
                n = min(self.batch_size, waiting or wanted)
                if self.direct and not waiting:
                    self.record(*self.propose(n))
                else:
                    with in_flight(self.study) as batch:
                        # Queued trials (the start, copies of lost trials) are no sampler's proposals:
                        # a batch of their own, so that a CMA-ES batch stays one whole generation.
                        trials, rows = self.ask(n, batch)
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
            # Trial.params deep-copies the trial's parameters on every access: read them once a trial
            values = np.array([[p[name] for name in self.space.names] for p in (t.params for t in asked)])
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

    def propose(self, n: int):
        """As ``ask``, for a study in memory: the sampler's proposals in the order asked, each
        (params, generation, reason it is infeasible or None), and the values (n, n_free) of
        the n feasible ones; no trial is made yet (``record``)."""
        proposals, rows = [], []
        while len(rows) < n:
            t0 = time.perf_counter()
            asked = [self.study.sampler.propose(self.study) for _ in range(n - len(rows))]
            values = np.array([[p[name] for name in self.space.names] for p, _ in asked])
            self.timings["ask"] += time.perf_counter() - t0
            ok, reasons = feasible(self.model, self.space, values)
            proposals += [(p, generation, None if good else reason)
                          for (p, generation), good, reason in zip(asked, ok, reasons)]
            self.n_asked += len(asked)
            self.n_infeasible += int((~ok).sum())
            self._check_infeasible_rate()
            rows += list(values[ok])
        return proposals, np.array(rows)

    def record(self, proposals, rows: np.ndarray) -> None:
        """``propose``'s sets scored and added as trials, in the order asked, with what ``ask`` and
        ``score_and_tell`` would store (an infeasible set FAIL, a NaN score FAIL, as Optuna's tell);
        then the sampler learns the completed ones, as from Optuna's tell."""
        from optuna.trial import create_trial

        values, missing, diverged = self.evaluate(rows)
        t0 = time.perf_counter()
        scored = iter(zip(values, missing, diverged))
        worker, trials, learn = worker_id(), [], []
        for params, generation, reason in proposals:
            attrs, state, value = {"worker": worker}, TrialState.FAIL, None
            if reason is not None:
                attrs["infeasible"] = reason
            else:
                value, n_missing, n_diverged = next(scored)
                attrs.update({k: int(n) for k, n in (("n_missing", n_missing), ("n_diverged", n_diverged)) if n})
                value = [float(v) for v in value]
                state = TrialState.FAIL if any(math.isnan(v) for v in value) else TrialState.COMPLETE
            trials.append(create_trial(state=state, params=params, distributions=self.distributions,
                                       values=value if state == TrialState.COMPLETE else None, user_attrs=attrs,
                                       system_attrs={GENERATION_ATTR: generation}))
            if state == TrialState.COMPLETE:
                learn.append((trials[-1], value))
        self.study.add_trials(trials)
        for trial, value in learn:
            self.study.sampler.after_trial(self.study, trial, TrialState.COMPLETE, value)
        self.timings["tell"] += time.perf_counter() - t0
        self.timings["batches"] += 1

    def _check_infeasible_rate(self) -> None:
        if self.n_asked >= 1000 and self.n_infeasible > MAX_INFEASIBLE * self.n_asked:
            raise RuntimeError(f"the sampler proposed {self.n_infeasible} of {self.n_asked} parameter sets "
                               f"that break a rule of model {self.model.name!r}: narrow the bounds")

    def evaluate(self, rows: np.ndarray):
        """Scores (n, n_objectives), missing counts and diverged counts of rows (n, n_free)."""
        t0 = time.perf_counter()
        # The space was checked once (fit) and these rows meet the rules (feasible): no check again.
        result = self.model.simulate_batch(self.space.table(rows), self.target.stimuli, record_v=self.record_v,
                                           check=False)
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
