"""Samplers: which Optuna sampler proposes a fit's trials, and a CMA-ES made for batches.

``make_sampler`` turns a name (``SAMPLERS``) into a seeded Optuna sampler; the default,
chosen by benchmarks/sampler_comparison.py (benchmarks/RESULTS.md), is ``BatchCmaEsSampler``
for one objective and NSGA-II for several.
"""
from __future__ import annotations

import pickle

import cmaes
import numpy as np
import optuna

from ..models.parameters import unknown_name_error

SAMPLERS = ("cmaes", "tpe", "random", "nsga2", "gp", "optuna-cmaes")
"""Sampler names ``fit`` accepts; an Optuna sampler instance works too."""

DEFAULT_BATCH = {"cmaes": 32, "tpe": 16, "random": 64, "nsga2": 32, "gp": 8, "optuna-cmaes": 32}
"""Trials asked per batch for each sampler (the population of CMA-ES and NSGA-II)."""

_CMA_STATE = "spikefit:cma"  # study user attribute: the optimizer, once per generation
GENERATION_ATTR = "spikefit:cma_generation"  # trial system attribute


class BatchCmaEsSampler(optuna.samplers.BaseSampler):
    """IPOP-CMA-ES (the ``cmaes`` package) for batched asks: one generation is one batch.

    Optuna's ``CmaEsSampler`` restores its optimizer from the last completed trial at every
    ask; asked in batches, each ask of a batch unpickles the optimizer, tells it the previous
    generation again and stores it on the trial: 4-10 ms a trial, more than the simulation
    (benchmarks/RESULTS.md). This sampler keeps the optimizer in memory, learns results from
    ``after_trial``, and stores its state in the study (user attribute ``spikefit:cma``) once
    per generation, so a resumed fit continues the same search: the same trials as a fit never
    interrupted (a generation cut short is drawn again to where it stopped; its lost trials'
    retried copies are its results).

    Fits of spiking models have local minima: when a run has converged (its search
    distribution narrower than ``tol_x`` of the range in every coordinate, no improvement in
    ``stall`` generations, or ``cmaes``' own criteria), it restarts from a random point with
    twice the population (IPOP; Auger and Hansen 2005).

    Parameters
    ----------
    space : space.SearchSpace
        What it samples; its ``to_unit`` and ``from_unit`` map values to CMA-ES's unit box
        (on a log scale where the parameter's spec says).
    popsize : int
        Population size of the first run: trials per generation.
    sigma0 : float
        Initial step size in the unit box of the bounds.
    seed : int, optional
    tol_x, stall : float, int
        Restart criteria (see above).
    start : (mean, steps, generations), optional
        Centre and per-parameter step (unit box) of a first run from the estimate
        (``start.Start``), and the generations of the race: that run takes them (or stops
        when it converges), then the blind search's own first run (the centre of the box,
        ``sigma0``, ``popsize``, and the seed a blind fit draws: the same trials) takes as
        many; the run with the lower objective so far goes on, the other ends. A start in the
        wrong basin costs its generations of the race (``start.START_SHARE``), no more.
        Later restarts (IPOP) are as without a start.
    """

    def __init__(self, space, popsize: int = 32, sigma0: float = 0.25, seed: int | None = None,
                 tol_x: float = 1e-3, stall: int = 20, start=None):
        if not popsize >= 2:
            raise ValueError(f"popsize >= 2 must hold for CMA-ES, got popsize={popsize}")
        self.space = space
        self.search_space = space.distributions()
        self.popsize, self.sigma0, self.seed = int(popsize), float(sigma0), seed
        self.tol_x, self.stall = float(tol_x), int(stall)
        self._names = list(space.names)
        self.start = None
        if start is not None:
            mean, steps, generations = start
            self.start = (np.asarray(mean, float), np.asarray(steps, float),
                          None if generations is None else int(generations))
        self._state = None  # {"cma", "restarts" (the run's id), "runs", "best", "rng", "paused", "raced"}
        self._results: list = []

    def infer_relative_search_space(self, study, trial):
        return self.search_space

    def sample_relative(self, study, trial, search_space):
        self._raise_error_if_multi_objective(study)
        if not search_space:
            return {}
        params, generation = self.propose(study)
        study._storage.set_trial_system_attr(trial._trial_id, GENERATION_ATTR, generation)
        return params

    def propose(self, study) -> tuple[dict, str]:
        """The next set (name -> value) and its generation (the trial's system attribute
        ``GENERATION_ATTR``): ``sample_relative``'s proposal, for a loop that makes its own
        trials (``search.Run`` in memory)."""
        self._ensure(study)
        x = self._state["cma"].ask()
        return self._from_unit(x), self._generation()

    def sample_independent(self, study, trial, param_name, param_distribution):
        raise ValueError(f"BatchCmaEsSampler samples {', '.join(self._names)} only, got {param_name!r}")

    def after_trial(self, study, trial, state, values):
        if state != optuna.trial.TrialState.COMPLETE or self._state is None:
            return
        if trial.system_attrs.get(GENERATION_ATTR) != self._generation():
            return  # a late result of an earlier generation: CMA-ES has moved on
        self._results.append((self._to_unit(trial.params), float(values[0])))
        if len(self._results) >= self._state["cma"].population_size:
            self._tell(study)

    def _generation(self) -> str:
        return f"{self._state['restarts']}:{self._state['cma'].generation}"

    def _tell(self, study) -> None:
        cma = self._state["cma"]
        batch, self._results = self._results[:cma.population_size], []
        cma.tell(batch)
        self._state["best"].append(min(v for _, v in batch))
        race = None if self.start is None else self.start[2]  # None: a study stored before the race
        converged, spent = self._converged(), race is not None and cma.generation >= race
        if self._state["restarts"] == 0 and self.start is not None and not self._state.get("raced"):
            if converged or spent:  # the blind search's first run races the run from the start
                self._restart(self.popsize, paused=None if converged else self._run())
        elif self._state.get("paused") is not None and (converged or spent):
            self._pick(converged)
        elif converged:
            self._restart(2 * cma.population_size)
        study.set_user_attr(_CMA_STATE, pickle.dumps(self._state).hex())

    def _run(self) -> dict:
        return {k: self._state[k] for k in ("cma", "restarts", "best")}

    def _pick(self, converged: bool) -> None:
        """End of the race: the run with the lower objective so far goes on, the other ends."""
        paused, self._state["paused"], self._state["raced"] = self._state["paused"], None, True
        if min(paused["best"]) < min(self._state["best"]):
            self._state.update(paused)
        elif converged:
            self._restart(2 * self._state["cma"].population_size)

    def _converged(self) -> bool:
        cma, best = self._state["cma"], self._state["best"]
        width = cma._sigma * np.sqrt(np.max(np.diag(cma._C)))  # cmaes keeps these private
        stalled = len(best) > self.stall and min(best[-self.stall:]) >= min(best[:-self.stall]) - 1e-9
        return bool(width < self.tol_x or stalled or cma.should_stop())

    def _restart(self, popsize: int, paused=None) -> None:
        """A new run (its id the count of runs so far); ``paused``: a run kept for the race."""
        d = len(self._names)
        rng = self._state["rng"] if self._state else np.random.default_rng(self.seed)
        run = self._state.get("runs", self._state["restarts"]) + 1 if self._state else 0
        blind_first = run == (0 if self.start is None else 1)
        sigma, cov = self.sigma0, None
        if run == 0 and self.start is not None:
            mean, steps, _ = self.start
            sigma = float(steps.max())
            cov = np.diag((steps / sigma) ** 2)
        else:
            mean = np.full(d, 0.5) if blind_first else rng.uniform(0.2, 0.8, d)
        # the blind run after a start draws the seed a blind fit's first run draws: the same trials
        seed = np.random.default_rng(self.seed).integers(2**31) if blind_first and run else rng.integers(2**31)
        cma = _ReproducibleCMA(mean=mean, sigma=sigma, cov=cov, bounds=np.tile([0.0, 1.0], (d, 1)),
                               seed=int(seed), population_size=popsize)
        raced = bool(self._state and self._state.get("raced")) or (run > 0 and paused is None)
        self._state = {"cma": cma, "restarts": run, "runs": run, "best": [], "rng": rng, "paused": paused,
                       "raced": raced}

    def _ensure(self, study) -> None:
        """The optimizer: in memory, restored from the study, or new."""
        if self._state is not None:
            return
        stored = study.user_attrs.get(_CMA_STATE)
        if stored is None:
            self._restart(self.popsize)
            return
        self._state = pickle.loads(bytes.fromhex(stored))
        current = [t for t in study.get_trials(deepcopy=False)
                   if t.system_attrs.get(GENERATION_ATTR) == self._generation()]
        self._results = [(self._to_unit(t.params), float(t.values[0])) for t in current
                         if t.state == optuna.trial.TrialState.COMPLETE]
        for _ in (t for t in current if "failed_trial" not in t.system_attrs):
            self._state["cma"].ask()  # the generation's proposals so far (a retried copy is none): drawn again
        if len(self._results) >= self._state["cma"].population_size:
            self._tell(study)  # the generation ended in trials this sampler did not see told

    def _to_unit(self, params: dict) -> np.ndarray:
        return self.space.to_unit(np.array([params[name] for name in self._names]))

    def _from_unit(self, u: np.ndarray) -> dict:
        return dict(zip(self._names, self.space.from_unit(u).tolist()))


class _ReproducibleCMA(cmaes.CMA):
    """``cmaes.CMA`` whose pickle continues the same search: CMA's own drops the random state
    (it unpickles with an unseeded generator) and keeps one triangle of the covariance, whose
    two halves differ in the last bits after an update; a resumed study would leave the search
    it stored."""

    def __getstate__(self) -> dict:
        return {**super().__getstate__(), "_rng_state": self._rng.get_state(), "_C_whole": self._C}

    def __setstate__(self, state: dict) -> None:
        rng_state, covariance = state.pop("_rng_state"), state.pop("_C_whole")
        super().__setstate__(state)
        self._rng.set_state(rng_state)
        self._C = covariance


def make_sampler(name, seed: int | None, n_objectives: int, batch_size: int | None, space, start=None):
    """An Optuna sampler by name (``SAMPLERS``) for a ``space.SearchSpace``, seeded; None picks
    CMA-ES or NSGA-II.

    ``"cmaes"`` is ``BatchCmaEsSampler``; ``"optuna-cmaes"`` Optuna's ``CmaEsSampler``.
    ``start`` (mean, steps in the unit box, generations) centres the first CMA-ES run
    (``BatchCmaEsSampler``).
    """
    if name is not None and not isinstance(name, str):
        return name
    name = name or ("cmaes" if n_objectives == 1 else "nsga2")
    if name not in SAMPLERS:
        raise unknown_name_error("sampler", name, list(SAMPLERS), "fit")
    batch = batch_size or DEFAULT_BATCH[name]
    if name in ("cmaes", "optuna-cmaes") and n_objectives > 1:
        raise ValueError(f"CMA-ES optimises one objective, got {n_objectives}: use nsga2, tpe or random")
    if name == "cmaes":
        return BatchCmaEsSampler(space, popsize=max(batch, 2), seed=seed, start=start)
    if name == "optuna-cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, popsize=batch, warn_independent_sampling=False)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=batch)
    if name == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def batch_size_of(sampler, batch_size: int | None) -> int:
    """Trials per batch: ``batch_size`` checked, else the sampler's population, else a default."""
    if batch_size is not None:
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1, got batch_size={batch_size!r}")
        return int(batch_size)
    for attr in ("popsize", "_popsize", "_population_size"):
        if getattr(sampler, attr, None):
            return int(getattr(sampler, attr))
    kind = type(sampler).__name__.lower()
    return next((b for n, b in DEFAULT_BATCH.items() if n.replace("2", "") in kind), 16)
