"""One fit of a comparison: a model fitted to one cell's training sweeps, in a worker process or
here (``fit_job``), and what it leaves for the report (``FitSummary``)."""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from ..data import Recording


@dataclass(frozen=True)
class FitSummary:
    """What a fit left for the report (picklable: it comes back from worker processes).

    ``history`` holds the objective of each completed trial in the order they finished;
    ``init``, ``init_reason`` and ``movement`` (records of ``FitResult.movement``: the
    estimate and how far the fit moved from it) say where the fit started; ``warnings`` are
    what the fit warned of (each text once), which ``compare_models`` repeats in one warning
    naming the fit: a worker's own would not say which fit it came from. ``same_as`` names the
    cell this fit was made for when this cell's training sweeps are that cell's (the fit reads
    the sweeps, not the cell's name: it ran once, for both). ``held_search``, for a nested fit
    that searched again with the contained model's parameters held (``fit_job``), says what it
    held, why, its trials, its objective and whether it was kept; ``history`` then holds both
    searches' trials, the first search's first.
    """

    model: str
    cell: str
    params: dict
    score: float
    objective: tuple[str, ...]
    history: np.ndarray
    wall_time: float
    failures: dict
    timings: dict
    refined: bool
    study_name: str | None = None
    init: str = "blind"
    init_reason: str = ""
    movement: tuple = ()
    warnings: tuple[str, ...] = ()
    same_as: str | None = None
    held_search: dict | None = None


def fit_job(model: str, cell: str, train: Recording, repeats, objective, n_trials: int, seed, storage=None,
            study_name=None, candidates=None, held=None, contained_score=None) -> FitSummary:
    """Fit one model to one cell's training sweeps (run in a worker process or here);
    ``candidates`` as for ``fit``.

    ``held`` (name -> value, ``limits.held``) and ``contained_score`` (the training objective
    of the fit of a model this one contains, whose embeddings are among the candidates): where
    the search of every parameter ends above ``contained_score``, a fit that cannot be worse has
    failed, and the same search runs again, with ``n_trials`` and the same candidates, with
    ``held`` held (AdEx without adaptation: 8 parameters instead of 11); the lower objective is
    kept. On hh_fs, where LIF fits best, AdEx's 11-parameter search from LIF's embedding ends at
    2.0-4.8 times LIF's objective on seeds 0-4 (held-out Gamma 0.26-0.48 against LIF's 0.49); the
    8-parameter one at 0.85-1.10 times (Gamma 0.49-0.50), so the default comparison's AdEx fits
    are no worse than LIF's there (benchmarks/RESULTS.md, "AdEx below LIF on hh_fs: the search's size").
    """
    from ..fitting import fit
    from ..fitting.target import build_target
    from .scoring import compatible_groups

    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target = build_target(train, repeats=compatible_groups(train, repeats))
        options = dict(objective=objective, n_trials=n_trials, seed=seed, storage=storage,
                       load_if_exists=storage is not None, progress=False, candidates=candidates)
        result = fit(model, target, study_name=study_name, **options)
        searches, held_search = [result], None
        first_score = float(np.sum(result.score))
        if held and contained_score is not None and first_score > contained_score:
            again = fit(model, target, fixed=held, study_name=None if study_name is None else f"{study_name}-held",
                        **options)
            searches.append(again)
            kept = float(np.sum(again.score)) < first_score
            held_search = {"held": dict(held), "score_before": first_score,
                           "completed_trials": int(_completed_values(again).size),
                           "score": float(np.sum(again.score)), "kept": kept,
                           "reason": f"the search of every parameter ended at {first_score:.4g}, above "
                                     f"{contained_score:.4g}, the contained model's fit"}
            result = again if kept else result
    values = np.concatenate([_completed_values(r) for r in searches])
    score = float(np.sum(result.score))
    return FitSummary(model, cell, dict(result.params), score, tuple(result.objective.describe()),
                      values.astype(float), time.perf_counter() - started, dict(result.failures),
                      dict(result.timings), bool(result.refined), study_name, result.init,
                      result.init_reason, tuple(result.movement().to_dict(orient="records")),
                      tuple(dict.fromkeys(str(w.message) for w in caught)), held_search=held_search)


def _completed_values(result) -> np.ndarray:
    """The objective (summed over objectives) of each completed trial, in the order they finished."""
    history = result.trials.loc[result.trials["state"] == "COMPLETE"].sort_values("number")
    value_column = "value" if "value" in history else [c for c in history if c.startswith("value_")]
    values = history[value_column].to_numpy()
    return values if values.ndim == 1 else values.sum(axis=1)
