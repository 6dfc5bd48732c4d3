"""Model comparison: fit every model to the same training sweeps of every cell, score each on
held-out sweeps, and compare the models cell by cell.

>>> comparison = compare_models(["lif", "adex"], ["hh", "hh_rs"], n_trials=1000, seed=0)  # doctest: +SKIP
>>> comparison.table            # tidy scores: cell, model, split, metric, value, unit  # doctest: +SKIP
>>> comparison.tests("gamma")   # paired Wilcoxon tests, Benjamini-Hochberg corrected  # doctest: +SKIP
>>> comparison.write("report/") # index.html, report.md, scores.csv, results.json, figures  # doctest: +SKIP

Same data, budget and seed policy for every model: each fit gets the cell's training sweeps
(``splits.split_cell``), ``n_trials`` completed trials, and the same ``seed``. Scores are in
``scoring``, statistics in ``statistics``, the page in ``writer``.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pandas as pd

from ..data import Recording, resolve
from .cells import cell_name
from .fit_job import FitSummary, fit_job
from .parallel import JobFailure, run_jobs
from .splits import Split, split_cell

DEFAULT_MODELS = ("lif", "izhikevich", "adex")
DEFAULT_CELLS = ("hh", "hh_rs", "hh_fs", "hh_ib", "hh_lts", "hh_rs_repeats",
                 "sscx_l5ttpc_idrest", "sscx_l5ttpc_c060112a3_idrest", "pyabf_fsi", "pyabf_171116sh_0018",
                 "bluepyefe_b6_idrest", "bluepyefe_b8_idrest")
"""The suite: six Hodgkin-Huxley references (one under repeated frozen noise) and six real
cells shipped with spikefit (``spikefit.data.samples``); README.md tabulates them."""
DEFAULT_TRIALS = 2000
"""Completed trials per fit by default: 3-6 s a fit on a 2-core machine, so that the default
comparison (12 fits) takes about a minute from a cold start (benchmarks/RESULTS.md)."""

HEADLINE_METRICS = ("gamma", "gamma_normalized", "md_star", "feature_z", "objective", "fi_error", "explained_variance")
"""Metrics with paired tests in the report (held-out split); ``headline`` says which lead for which cell."""


@dataclass(frozen=True, eq=False)
class Comparison:
    """What ``compare_models`` returns.

    Attributes
    ----------
    models : tuple of str
    splits : dict of cell name -> cells.Split
    fits : dict of (cell, model) -> FitSummary
        The fits that finished.
    failed : dict of (cell, model) -> parallel.JobFailure
        The fits that did not, and why.
    table : pandas.DataFrame
        Tidy scores: cell, model, split ("train", "test"), metric, value, unit.
    settings : dict
        Objective, trials, seed, workers, storage, versions and wall time.
    """

    models: tuple[str, ...]
    splits: dict
    fits: dict
    failed: dict
    table: pd.DataFrame
    settings: dict = field(default_factory=dict)

    @property
    def cells(self) -> list[str]:
        return list(self.splits)

    def tests(self, metric: str = "gamma", split: str = "test") -> pd.DataFrame:
        """Paired Wilcoxon tests between every pair of models (``statistics.paired_tests``)."""
        from .statistics import paired_tests

        return paired_tests(self.table, metric, split, self.models)

    def all_tests(self) -> pd.DataFrame:
        """``tests`` for every headline metric on held-out data, BH-corrected within a metric
        (computed once: the page and results.json both show them, and exact tests take seconds)."""
        if "_all_tests" not in self.__dict__:  # frozen: kept in the instance's dict
            self.__dict__["_all_tests"] = pd.concat([self.tests(m) for m in HEADLINE_METRICS], ignore_index=True)
        return self.__dict__["_all_tests"].copy()

    def summary(self) -> pd.DataFrame:
        """Per model, split and metric: median and quartiles over cells."""
        from .statistics import summarise

        return summarise(self.table)

    def headline(self) -> list[str]:
        """Which metric leads for which cell and why, then paired tests on it (``headline``)."""
        from .headline import headline

        return headline(self)

    def predict(self, cell: str, model: str) -> Recording:
        """The fitted model simulated under every sweep of the cell (train and test)."""
        from ..models import get_model

        fit = self.fits[(cell, model)]
        return get_model(model).simulate(fit.params, list(self.splits[cell].recording.stimuli))

    def write(self, directory, force: bool = False) -> list:
        """Write the report (``writer.write_report``); returns the paths written."""
        from .writer import write_report

        return write_report(self, directory, force=force)


def compare_models(models: Sequence[str] = DEFAULT_MODELS, cells=DEFAULT_CELLS, *, train=None, test=None,
                   split: str | None = None, repeats=None, objective="features", n_trials: int = DEFAULT_TRIALS,
                   seed: int | None = 0, workers: int = 1, storage=None, progress: bool = True,
                   scheduler=None, nested: bool = True) -> Comparison:
    """Fit ``models`` to every cell's training sweeps and score them on held-out sweeps.

    Parameters
    ----------
    models : sequence of str
        Model names (``spikefit.available_models()``).
    cells : Recording, str or path, or a sequence of those
        Recordings, built-in references (``hh``, ``hh_rs``, ``hh_fs``), shipped samples or
        files (``spikefit.data.resolve``, with its default ``stimulus``).
    train, test : sequence of int, or mapping cell name -> sequence of int, optional
        Sweep indices to fit and to hold out, instead of ``split``.
    split : str, optional
        ``level``, ``time``, ``stimulus`` or ``repeat`` (``splits``), the same for every cell.
        By default ``level`` for a cell with step levels (every other level held out, with any
        non-step sweep) and ``time`` for a cell without steps whose stimulus repeats (the last
        40 % of every sweep held out); the report says which and why.
    repeats : sequence of sequences of int, or mapping cell name -> those, optional
        Repeat groups by hand (checked against ``cells.REPEAT_TOLERANCE``); by default found
        from the currents (``cells.repeat_groups``).
    objective, n_trials, seed
        As for ``spikefit.fit``; the same for every fit.
    workers : int
        Processes fitting in parallel on this machine (one fit each at a time): a Dask
        LocalCluster when above 1; ignored when ``scheduler`` is given.
    storage : str, optional
        An Optuna storage: every fit is then a study named ``<cell>-<model>`` there, and a
        comparison run again resumes them.
    progress : bool
        A progress bar over fits (when stderr is a terminal).
    scheduler : dask.distributed.Client or str, optional
        Run the fits on this Dask cluster (a client, or an address such as
        ``"tcp://host:8786"``), each (cell, model) fit one task; the fits' results do not
        depend on where they ran (``parallel.run_jobs``).
    nested : bool
        Fit first the models that a richer one contains as a limit case (LIF, in AdEx:
        ``models.limits``), and give the richer model's fit of the same cell
        their fitted parameters, written in its own (``limits.embed``), as start candidates
        (``fit(candidates=...)``): the objective decides between them and the fit's own start,
        so a richer model ends no worse on the training objective than the embedding of the
        simpler fit. False: every fit independent, all at once.

    Raises
    ------
    ValueError
        No models, an unknown model, no cells, two cells with one name, a split with nothing
        to train or test on, a time part too short, or given repeats whose currents differ;
        all before any fit runs.
    ImportError
        Dask is needed (``scheduler``, or ``workers > 1``) and not installed.
    """
    started = time.perf_counter()
    models = _check_models(models)
    splits = _splits(cells, train, test, split, repeats)
    twins = _twins(splits)
    jobs = {(cell, model): dict(model=model, cell=cell, train=split.sweeps("train"), repeats=split.groups("train"),
                                objective=objective, n_trials=n_trials, seed=seed, storage=storage,
                                study_name=None if storage is None else f"{cell}-{model}")
            for cell, split in splits.items() if cell not in twins for model in models}
    outcomes = _run(jobs, workers, scheduler, progress, nested)
    outcomes = {(cell, model): _as_twin(outcomes[twins.get(cell, cell), model], cell)
                for cell in splits for model in models if (twins.get(cell, cell), model) in outcomes}
    fits = {k: v for k, v in outcomes.items() if not isinstance(v, JobFailure)}
    failed = {k: v for k, v in outcomes.items() if isinstance(v, JobFailure)}
    table = score_table(fits, splits, objective)
    settings = {"objective": objective if isinstance(objective, str) else repr(objective), "n_trials": n_trials,
                "seed": seed, "nested": nested, "workers": workers, "scheduler": _where(scheduler), "storage": storage,
                "versions": versions(),
                "wall_time": time.perf_counter() - started}
    return Comparison(tuple(models), splits, fits, failed, table, settings)


def _check_models(models) -> list[str]:
    from ..models import available_models
    from ..models.parameters import unknown_name_error

    if isinstance(models, str):
        models = [m.strip() for m in models.split(",") if m.strip()]
    models = list(models)
    if not models:
        raise ValueError("a comparison needs at least one model, got none")
    for name in models:
        if name not in available_models():
            raise unknown_name_error("model", name, available_models(), "compare_models")
    if len(set(models)) != len(models):
        raise ValueError(f"each model once, got {models}")
    return models


def _splits(cells, train, test, split, repeats) -> dict[str, Split]:
    if isinstance(cells, (str, Recording)) or not isinstance(cells, Sequence):
        cells = [cells]
    if len(cells) == 0:
        raise ValueError("a comparison needs at least one cell, got none")
    splits = {}
    for index, source in enumerate(cells):
        recording = resolve(source)
        name = cell_name(recording, index)
        if name in splits:
            raise ValueError(f"two cells are named {name!r}: give them distinct 'cell' metadata")
        splits[name] = split_cell(recording, name, _for(train, name), _for(test, name), split=split,
                                  repeats=_for(repeats, name))
    return splits


def _twins(splits: dict) -> dict[str, str]:
    """cell -> the first cell with the same training sweeps and repeat groups: its fits are
    this cell's too (the same data, settings and candidates; a fit reads the sweeps, not the
    cell's name), so they run once. The built-in hh_rs_repeats trains on hh_rs's steps."""
    import hashlib
    import pickle

    first, twins = {}, {}
    for cell, split in splits.items():
        key = hashlib.sha1(pickle.dumps((tuple(split.sweeps("train")), split.groups("train")))).hexdigest()
        if first.setdefault(key, cell) != cell:
            twins[cell] = first[key]
    return twins


def _as_twin(outcome, cell: str):
    """A fit made for a twin (``_twins``), as the fit of ``cell``."""
    from dataclasses import replace

    if not isinstance(outcome, FitSummary) or outcome.cell == cell:
        return outcome
    return replace(outcome, cell=cell, same_as=outcome.cell)


def _for(indices, name: str):
    return indices.get(name) if isinstance(indices, Mapping) else indices


def _schedule(jobs: dict, nested: bool) -> tuple[dict, dict]:
    """(jobs to start with, in order; jobs waiting for the fits they contain). With ``nested``,
    a richer model's fit waits for the same cell's fits of the models it contains
    (``limits.LIMITS``). First the first fit of each model, so that the workers compile
    different kernels at once (numba's disk cache then serves the rest), then the fits others
    wait for, then the rest: a released fit (``_released``: also after its model's first fit)
    runs ahead of those (``run_jobs(follow=...)``), so the long richer fits start early and the
    short ones fill the end."""
    models = {model for _, model in jobs}
    waiting = {k: job for k, job in jobs.items() if nested and _contained(k[1], models)}
    inner = {source for _, model in waiting for source in _contained(model, models)}
    ready = [k for k in jobs if k not in waiting]
    first_of: dict = {}
    for key in ready:
        first_of.setdefault(key[1], key)
    firsts = list(first_of.values())
    rest = [k for k in ready if k not in firsts]
    order = firsts + [k for k in rest if k[1] in inner] + [k for k in rest if k[1] not in inner]
    return {k: jobs[k] for k in order}, waiting


def _released(waiting: dict, outcomes: dict, jobs) -> list:
    """The keys of ``waiting`` (``_schedule``) that can start, in its order: the same cell's
    fits of the models each contains have ended, and so has the first fit of its model (whose
    kernel is then in numba's disk cache: the first AdEx fit starts only after a LIF fit, and
    a second one started beside it would compile the same kernel at the same time, in vain)."""
    models = {model for _, model in jobs}
    first: dict = {}
    for key in jobs:
        first.setdefault(key[1], key)
    return [k for k in waiting if all((k[0], source) in outcomes for source in _contained(k[1], models))
            and (first[k[1]] == k or first[k[1]] in outcomes)]


def _contained(model: str, models) -> set:
    """The models of ``models`` that ``model`` contains (``limits.LIMITS``)."""
    from ..models.limits import LIMITS

    return {source for source, into in LIMITS if into == model and source in models}


def _with_candidates(released: dict, outcomes: dict) -> dict:
    """The jobs ``released``, each with the embeddings of the finished fits it contains (same cell)
    as candidates, the parameters those hold alike (``limits.held``) and the lowest training
    objective of those fits (``fit_job``)."""
    from ..models.limits import LIMITS, embed, held

    out = {}
    for (cell, model), job in released.items():
        candidates, holds, scores = {}, {}, []
        for (source, into), variants in LIMITS.items():
            fitted = outcomes.get((cell, source))
            if into == model and isinstance(fitted, FitSummary):
                embedded = {f"{source} in {model} ({variant})": embed(fitted.params, source=source,
                                                                       into=model, variant=variant)
                            for variant in variants}
                candidates.update(embedded)
                holds.update(held(next(iter(embedded.values())), source=source, into=model))
                scores.append(fitted.score)
        out[(cell, model)] = {**job, "candidates": candidates or None, "held": holds or None,
                              "contained_score": min(scores, default=None)}
    return out


def _run(jobs: dict, workers: int, scheduler, progress: bool, nested: bool = True) -> dict:
    """The fits in the order of ``_schedule``, on one cluster; with a progress bar on a
    terminal, else a line per finished fit (logs)."""
    import sys
    from contextlib import nullcontext

    from tqdm.auto import tqdm

    from .parallel import connect

    tty, finished = sys.stderr.isatty(), []
    with tqdm(total=len(jobs), unit="fit", desc="compare", disable=not (progress and tty)) as bar:
        def done(key, outcome):
            what = f"{key[1]} on {key[0]}"
            if isinstance(outcome, FitSummary) and outcome.warnings:
                warnings.warn(f"{what}: " + "; ".join(outcome.warnings), UserWarning, stacklevel=1)
            text = f"failed: {outcome.error}" if isinstance(outcome, JobFailure) else (
                f"score {outcome.score:.4g} in {outcome.wall_time:.1f} s")
            bar.set_postfix_str(what, refresh=False)
            bar.update(1)
            finished.append(key)
            if progress and not tty:
                print(f"[{len(finished)}/{len(jobs)}] {what}: {text}", file=sys.stderr, flush=True)

        local = scheduler is None and workers == 1
        outcomes: dict = {}
        ready, waiting = _schedule(jobs, nested)

        def follow(key, outcome):
            """The waiting fits that can start now (``_released``), with their candidates."""
            outcomes[key] = outcome
            released = {k: waiting.pop(k) for k in _released(waiting, outcomes, jobs)}
            return _with_candidates(released, outcomes)

        with (nullcontext(None) if local else connect(scheduler, workers=workers)) as client:
            outcomes.update(run_jobs(fit_job, ready, workers=workers, scheduler=client, on_done=done,
                                     follow=follow))
        return {key: outcomes[key] for key in jobs if key in outcomes}  # in the order of the jobs


def _where(scheduler) -> str | None:
    """The scheduler's address, for the report's settings (a client is not data)."""
    return scheduler if scheduler is None or isinstance(scheduler, str) else str(scheduler.scheduler.address)


def score_table(fits: dict, splits: dict, objective) -> pd.DataFrame:
    """Tidy scores of every fit on its cell's training and held-out sweeps."""
    from ..fitting.objectives import parse_objective
    from ..models import get_model
    from .scoring import metric_unit, score_split

    spec = parse_objective(objective)
    rows = []
    for (cell, model), fit in fits.items():
        for which in ("train", "test"):
            for metric, value in score_split(get_model(model), fit.params, splits[cell], which, spec).items():
                rows.append({"cell": cell, "model": model, "split": which, "metric": metric, "value": value,
                             "unit": metric_unit(metric)})
        rows.append({"cell": cell, "model": model, "split": "fit", "metric": "wall_time", "value": fit.wall_time,
                     "unit": "s"})
    return pd.DataFrame(rows, columns=["cell", "model", "split", "metric", "value", "unit"])


def versions() -> dict[str, str]:
    """Versions of spikefit and the libraries a result depends on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("spikefit", "numpy", "scipy", "numba", "optuna", "efel", "brian2", "pandas"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
