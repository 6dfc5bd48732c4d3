"""The edge of self-sustained activity: the strongest RS adaptation, or the smallest network,
that still sustains asynchronous irregular activity after the kick, found by bisection.

This goes beyond the paper, which shows that b = 5 pA sustains and b >= 40 pA does not.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ...data.units import to_si
from .network import PoissonKick
from .simulate import simulate_network

PARAMETERS = ("b", "n")


@dataclass(frozen=True, eq=False)
class SustainingEdge:
    """What ``sustaining_edge`` found.

    Attributes
    ----------
    parameter : {"b", "n"}
    best : float or None
        The strongest RS adaptation b (A), or the smallest network size, that sustained AI
        activity; None if no trial did.
    bracket : (float or None, float or None)
        (best, the nearest value tried beyond it that failed): the edge lies in between.
        None where no such trial exists.
    trials : pandas.DataFrame
        One row per trial, sorted by the value tried: ``trial`` (the order in which it ran),
        the value, ``sustained`` and the summaries.
    """

    parameter: str
    best: float | None
    bracket: tuple
    trials: pd.DataFrame


def sustaining_edge(parameter: str = "b", *, n: int = 500, b=5e-12, hold=1.0,
                    b_range=(0.0, 60e-12), n_range=(100, 2000), n_trials: int = 8,
                    seeds: Sequence[int] = (1,), min_cv: float = 0.5, max_chi: float = 0.5,
                    codegen_target: str | None = None, kick: PoissonKick = PoissonKick(),
                    **network) -> SustainingEdge:
    """Bisect for the edge of self-sustained asynchronous irregular (AI) activity.

    A network *sustains AI activity for* ``hold`` s when, for every seed in ``seeds``, it is
    still firing ``hold`` s after the kick ends (the run lasts ``kick.stop + hold``), with
    mean ISI CV >= ``min_cv`` (irregular) and Golomb's chi <= ``max_chi`` (asynchronous).

    - ``parameter="b"``: the *strongest* RS adaptation b (the largest, A) in ``b_range``
      that still sustains it at size ``n``: how much adaptation the network can carry.
      (The "weakest adaptation" of the paper's question is the other side of this edge:
      every b above the answer is too strong.)
    - ``parameter="n"``: the *smallest* network in ``n_range`` that still sustains it with
      RS adaptation ``b``.

    Sustaining is close to monotone in b and in n, so the search bisects: the first two
    trials are the ends of the range (the easy end first: if it fails, nothing sustains and
    the search stops), then each trial lies halfway (geometrically for n) between the best
    sustaining value and the nearest failing one beyond it, until ``n_trials`` trials are
    spent or the bracket is closed. Each trial is one network simulation per seed, so the
    default budget (8) is small: it resolves ``b_range`` to 1/64 of its width. Networks at
    the edge may sustain by chance with one seed and not another; give several ``seeds``
    for a firmer answer.

    Parameters
    ----------
    parameter : {"b", "n"}
    n : int
        Network size for the b search.
    b : float
        A: RS adaptation for the size search.
    hold : float
        s the activity must outlive the kick.
    b_range : (float, float)
        A: range of b searched.
    n_range : (int, int)
        Range of sizes searched.
    n_trials : int
        Most trials (network simulations per seed).
    seeds : sequence of int
        Network seeds each trial must sustain with.
    min_cv, max_chi : float
        AI criteria.
    codegen_target : str or None
    kick : PoissonKick
    **network
        Further ``simulate_network`` arguments (lts_fraction, delay, ...).

    Returns
    -------
    SustainingEdge
    """
    if parameter not in PARAMETERS:
        raise ValueError(f"parameter must be 'b' or 'n', got {parameter!r}")
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got n_trials={n_trials}")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, got ()")
    hold = to_si(hold, "s", "hold")
    if not hold > 0:
        raise ValueError(f"hold must be > 0 (s), got hold={hold}")
    b_low, b_high = (float(to_si(v, "A", "b_range")) for v in b_range)
    if not 0 <= b_low < b_high:
        raise ValueError(f"0 <= b_range[0] < b_range[1] must hold (A), got b_range=({b_low}, {b_high})")
    n_low, n_high = (int(v) for v in n_range)
    if not 0 < n_low < n_high:
        raise ValueError(f"0 < n_range[0] < n_range[1] must hold, got n_range=({n_low}, {n_high})")
    by_b = parameter == "b"
    # the easy end first (little adaptation, a large network), then the hard end
    value = b_low if by_b else float(n_high)
    hard_end = b_high if by_b else float(n_low)
    duration = kick.stop + hold
    records = []
    while value is not None and len(records) < n_trials:
        settings = dict(n=n, b=value) if by_b else dict(n=int(value), b=b)
        runs = [simulate_network(duration=duration, seed=s, codegen_target=codegen_target, kick=kick,
                                 **settings, **network) for s in seeds]
        records.append(_record(len(records), parameter, value, runs, min_cv, max_chi))
        if len(records) == 1:
            value = hard_end if records[0]["sustained"] else None  # nothing sustains: stop
        else:
            value = _next_value(records, parameter)
    trials = pd.DataFrame(records).sort_values(parameter).reset_index(drop=True)
    good, bad = _bracket(records, parameter)
    return SustainingEdge(parameter=parameter, best=good, bracket=(good, bad), trials=trials)


def _record(trial: int, parameter: str, value: float, runs, min_cv: float, max_chi: float) -> dict:
    """One trial's row: sustained by every seed's run, and the summaries over the seeds."""
    ok = all(r.sustained and r.cv_isi >= min_cv and r.synchrony <= max_chi for r in runs)
    cvs = [r.cv_isi for r in runs if not math.isnan(r.cv_isi)]
    chis = [r.synchrony for r in runs if not math.isnan(r.synchrony)]
    return {"trial": trial, parameter: value, "sustained": ok,
            "persistence": min(r.persistence for r in runs),
            "cv_isi": float(np.mean(cvs)) if cvs else math.nan,
            "synchrony": float(max(chis)) if chis else math.nan,
            "mean_rate": float(np.mean([r.mean_rate for r in runs]))}


def _next_value(records: list[dict], parameter: str) -> float | None:
    """Halfway across the bracket (geometrically for sizes); None once it cannot shrink."""
    good, bad = _bracket(records, parameter)
    if good is None or bad is None:
        return None
    if parameter == "b":
        return 0.5 * (good + bad)
    middle = float(round(math.sqrt(good * bad)))
    return middle if bad < middle < good else None  # adjacent sizes: the bracket is closed


def _bracket(records: list[dict], parameter: str) -> tuple:
    """(best sustaining value, nearest failing value beyond it); None where there is none."""
    good = [r[parameter] for r in records if r["sustained"]]
    if parameter == "b":
        best = max(good) if good else None
        beyond = [r[parameter] for r in records if not r["sustained"] and (best is None or r[parameter] > best)]
        return best, (min(beyond) if beyond else None)
    best = min(good) if good else None
    beyond = [r[parameter] for r in records if not r["sustained"] and (best is None or r[parameter] < best)]
    return best, (max(beyond) if beyond else None)
