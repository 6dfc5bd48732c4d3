"""Start candidates: parameter sets the objective scores before the search, the best one its start.

``fit(candidates=...)`` takes parameter sets that may beat where the search would start (the
estimate, given start values, or the centre of the bounds): a simpler model's fit written in
this model's parameters (``models.limits``), an earlier fit, a published preset. Before the
first trial the objective scores the search's own start and every candidate in one batch;
CMA-ES's first run is centred on the best of them (a candidate with the step ``GIVEN_STEP``),
and the start and every scored candidate are completed trials of the study, so that the fit
never ends worse than its best candidate. Where the search's start scores best, nothing changes: a candidate is
a candidate, not a replacement of the start.

A candidate names every searched parameter; a parameter it names that is not searched must
hold the fit's value. A value outside the bounds is moved onto the bound it crossed, with a
warning naming the parameter, the bound and the value; a candidate that breaks a rule of the
model is left out with a warning.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import Mapping

import numpy as np

from .space import feasible
from .start import GIVEN_STEP, Start

CANDIDATE_ATTR = "candidate"
"""User attribute of the trial that holds a scored candidate: its label."""

START_LABEL = "start"
"""The label of the search's own start among the scored trials."""


def check_candidates(model, space, candidates) -> dict[str, np.ndarray]:
    """label -> searched values (SI, in the space's order, inside the bounds) of each candidate.

    Raises
    ------
    ValueError
        Not a mapping or sequence of mappings, a name the model lacks, a searched parameter
        missing, a non-finite value, or a parameter not searched given another value than the fit's.
    """
    if isinstance(candidates, Mapping) and all(isinstance(v, Mapping) for v in candidates.values()):
        items = [(str(k), v) for k, v in candidates.items()]
    elif not isinstance(candidates, (Mapping, str)) and all(isinstance(v, Mapping) for v in candidates):
        items = [(f"candidate {i}", v) for i, v in enumerate(candidates)]
    else:
        raise ValueError(f"candidates must be a mapping label -> parameter set or a sequence of parameter sets "
                         f"(mappings name -> value, SI), got {candidates!r}")
    known = [p.name for p in model.parameters]
    out = {}
    for label, values in items:
        unknown = sorted(set(values) - set(known))
        missing = [n for n in space.names if n not in values]
        if unknown or missing:
            raise ValueError(f"candidate {label!r} must name the searched parameters of {model.name!r} "
                             f"({', '.join(space.names)}) and no others, got unknown {unknown}, missing {missing}")
        for name, value in values.items():
            if not math.isfinite(float(value)):
                raise ValueError(f"candidate {label!r}: {name} must be finite, got {value}")
            if name in space.fixed and not math.isclose(float(value), space.fixed[name], rel_tol=1e-9, abs_tol=0):
                raise ValueError(f"candidate {label!r} sets {name}={value}, which the fit does not search and "
                                 f"holds at {space.fixed[name]}: give the fit's value or search {name}")
        out[label] = _inside(space, label, np.array([float(values[n]) for n in space.names]))
    return out


def _inside(space, label: str, row: np.ndarray) -> np.ndarray:
    for i, name in enumerate(space.names):
        for bound, limit, crossed in (("low", space.low[i], row[i] < space.low[i]),
                                      ("high", space.high[i], row[i] > space.high[i])):
            if crossed:
                warnings.warn(f"candidate {label!r}: {name}={row[i]:.6g} lies outside its bound {bound}={limit:.6g}; "
                              f"it is scored and searched from the bound", UserWarning, stacklevel=5)
                row[i] = limit
    return row


def choose_start(run, start: Start, candidates: dict[str, np.ndarray]) -> tuple[Start, list]:
    """The best of the search's start and the candidates by the objective, and the scored sets.

    ``run`` is the fit's loop (``search.Run``: it scores rows); returns the ``Start`` of the
    search and ``[(label, row, values)]`` of the start (label ``START_LABEL``) and of every
    candidate that meets the model's rules.
    """
    own = np.array([start.values[n] for n in run.space.names]) if start.mean is not None else (
        run.space.from_unit(np.full(len(run.space.names), 0.5)))
    labels, rows = [], []
    for label, row in candidates.items():
        ok, reasons = feasible(run.model, run.space, row[None, :])
        if not ok[0]:
            warnings.warn(f"candidate {label!r} breaks the rule {reasons[0]} of model {run.model.name!r}: "
                          f"left out", UserWarning, stacklevel=4)
            continue
        labels.append(label)
        rows.append(row)
    if not rows:
        return start, []
    values = run.evaluate(np.array([own] + rows))[0]
    totals = values.sum(axis=1)
    scored = [(label, row, v) for label, row, v in zip([START_LABEL] + labels, [own] + rows, values)]
    best = int(np.argmin(totals))
    where = "the estimate" if start.init == "estimate" else "the given start" if start.init == "given" else (
        "the centre of the bounds")
    if best == 0:
        return replace(start, reason=f"{start.reason}; it scored {totals[0]:.4g}, better than the candidates "
                                     f"({_listing(labels, totals[1:])})"), scored
    label = labels[best - 1]
    mean = run.space.to_unit(rows[best - 1])
    reason = (f"candidate {label!r} scored {totals[best]:.4g}, better than {where} ({totals[0]:.4g})"
              + (f" and the other candidates ({_listing(labels, totals[1:], skip=label)})" if len(labels) > 1 else ""))
    return Start("candidate", reason, start.estimate, dict(zip(run.space.names, rows[best - 1].tolist())),
                 np.clip(mean, 0.0, 1.0), np.full(len(mean), GIVEN_STEP)), scored


def _listing(labels, totals, skip=None) -> str:
    return ", ".join(f"{label!r} {total:.4g}" for label, total in zip(labels, totals) if label != skip)


def add_scored(study, space, scored: list) -> None:
    """Every scored candidate as a completed trial of ``study`` (user attribute ``candidate``)."""
    import optuna

    distributions = space.distributions()
    for label, row, values in scored:
        study.add_trial(optuna.trial.create_trial(
            params=dict(zip(space.names, map(float, row))), distributions=distributions,
            values=[float(v) for v in values], user_attrs={CANDIDATE_ATTR: label}))
