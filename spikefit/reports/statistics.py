"""Statistics across cells: per-model summaries and paired tests between models.

Each cell gives one paired observation per pair of models. ``paired_tests`` runs a
Wilcoxon signed-rank test (scipy.stats.wilcoxon, two-sided, exact for small samples) for every
pair of models on one metric and split, and corrects the p-values of all pairs together with
Benjamini-Hochberg (scipy.stats.false_discovery_control). ``a_better`` and ``b_better`` count the cells where
each model of a pair is better, in the metric's direction (``scoring.HIGHER_IS_BETTER``);
ties count for neither.

The effect size is the median paired difference a - b over cells, with a 95 % bootstrap
confidence interval across cells (scipy.stats.bootstrap, percentile method, ``N_RESAMPLES``
resamples, seeded). Power: with n cells and no ties, the exact two-sided test cannot go below
``p = 2 / 2**n`` (every cell on one side), so below 6 cells it cannot reach 0.05 at all, whatever
the models do; ``min_p`` gives that floor and ``headline`` says so in words.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from .scoring import HIGHER_IS_BETTER

N_RESAMPLES = 9999
"""Bootstrap resamples of the confidence interval of a median difference."""
LEVEL = 0.05
"""The significance level the power sentence refers to."""


def by_cell(table: pd.DataFrame, metric: str, split: str) -> pd.DataFrame:
    """Cells x models of one metric and split (NaN where a fit failed or is undefined)."""
    rows = table[(table["metric"] == metric) & (table["split"] == split)]
    return rows.pivot_table(index="cell", columns="model", values="value", aggfunc="first", dropna=False)


def paired_tests(table: pd.DataFrame, metric: str = "gamma", split: str = "test", models=None) -> pd.DataFrame:
    """One row per ordered pair (a, b), a before b in ``models``: cells with both values,
    cells where a is better, median of a - b and its 95 % bootstrap interval (``ci_low``,
    ``ci_high``), Wilcoxon statistic, p, the smallest p the test can give (``min_p``) and the
    BH-adjusted p."""
    wide = by_cell(table, metric, split)
    models = [m for m in (models or wide.columns) if m in wide.columns]
    higher = HIGHER_IS_BETTER.get(metric, False)
    rows = []
    for a, b in itertools.combinations(models, 2):
        both = wide[[a, b]].dropna()
        diff = (both[a] - both[b]).to_numpy()
        a_better, b_better = int((diff > 0).sum()), int((diff < 0).sum())
        if not higher:
            a_better, b_better = b_better, a_better
        statistic, p = _wilcoxon(diff)
        low, high = median_interval(diff)
        rows.append({"metric": metric, "split": split, "model_a": a, "model_b": b, "n_cells": len(diff),
                     "a_better": a_better, "b_better": b_better, "median_difference": float(np.median(diff)) if len(diff) else math.nan,
                     "ci_low": low, "ci_high": high, "statistic": statistic, "p": p, "min_p": min_p(len(diff))})
    out = pd.DataFrame(rows, columns=["metric", "split", "model_a", "model_b", "n_cells", "a_better",
                                      "b_better", "median_difference", "ci_low", "ci_high", "statistic", "p", "min_p"])
    out["p_bh"] = benjamini_hochberg(out["p"].to_numpy())
    return out


EXACT_TIED = 13
"""Up to this many differences, scipy.stats.wilcoxon tests tied or zero differences by an exact
permutation test (2**13 sign patterns are fewer than its 9999 resamples)."""


def _wilcoxon(diff: np.ndarray) -> tuple[float, float]:
    """Two-sided Wilcoxon signed-rank test of differences; NaN when undefined (no cells, or
    every difference zero)."""
    if len(diff) == 0 or not np.any(diff != 0):
        return math.nan, math.nan
    nonzero = np.abs(diff[diff != 0])
    if len(diff) <= EXACT_TIED and (nonzero.size < diff.size or np.unique(nonzero).size < nonzero.size):
        # scipy's test for tied or zero differences, vectorised: its own permutation test calls
        # the statistic once a sign pattern (2**12 calls for 12 cells, 0.1 s a test); the
        # statistic does not depend on the method
        statistic = stats.wilcoxon(diff, zero_method="wilcox", alternative="two-sided", method="asymptotic").statistic
        p = stats.permutation_test((diff,), _signed_rank_sum, permutation_type="samples", vectorized=True,
                                   n_resamples=9999, alternative="two-sided").pvalue
        return float(statistic), float(p)
    result = stats.wilcoxon(diff, zero_method="wilcox", alternative="two-sided")
    return float(result.statistic), float(result.pvalue)


def _signed_rank_sum(d: np.ndarray, axis: int = -1) -> np.ndarray:
    """The sum of the ranks of |d| over the positive d, zeros left out (ranked last, counted in
    neither sum): scipy.stats.wilcoxon's r_plus, along ``axis``."""
    ranks = stats.rankdata(np.where(d == 0, np.inf, np.abs(d)), axis=axis)
    return np.sum((d > 0) * ranks, axis=axis)


def min_p(n: int) -> float:
    """The smallest two-sided p of an exact Wilcoxon signed-rank test on ``n`` untied pairs:
    ``2 / 2**n`` (1 for no pairs)."""
    return min(1.0, 2.0 / 2.0 ** n)


def median_interval(diff, confidence: float = 0.95) -> tuple[float, float]:
    """95 % bootstrap interval (percentile) of the median of paired differences across cells;
    NaN for fewer than 2 cells or differences all equal (nothing to resample)."""
    diff = np.asarray(diff, dtype=float)
    if diff.size < 2 or np.all(diff == diff[0]):
        return math.nan, math.nan
    result = stats.bootstrap((diff,), np.median, confidence_level=confidence, n_resamples=N_RESAMPLES,
                             method="percentile", random_state=np.random.default_rng(0))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def power_sentence(n_cells: int) -> str | None:
    """A sentence where ``n_cells`` pairs are too few for the exact test to reach ``LEVEL``."""
    if n_cells == 0 or min_p(n_cells) <= LEVEL:
        return None
    needed = next(n for n in range(1, 64) if min_p(n) <= LEVEL)
    return (f"With {n_cells} cell(s) an exact two-sided Wilcoxon test cannot go below p = 2/2^{n_cells} = "
            f"{min_p(n_cells):.3g}, even if one model is better on every cell: it cannot reach {LEVEL:g} at all "
            f"(that needs at least {needed} cells); read the medians and their intervals instead.")


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; NaNs stay NaN and do not count as tests."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    if finite.any():
        out[finite] = stats.false_discovery_control(p[finite], method="bh")
    return out


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Per model, split and metric: cells, median, and the 25th and 75th percentiles."""
    grouped = table.dropna(subset=["value"]).groupby(["model", "split", "metric"])["value"]
    out = grouped.agg(n_cells="count", median="median",
                      q25=lambda v: v.quantile(0.25), q75=lambda v: v.quantile(0.75))
    return out.reset_index()


def headline(tests: pd.DataFrame, labels: dict | None = None, metric_labels: dict | None = None) -> list[str]:
    """Sentences such as "adex beats lif on 3 of 4 cells (held-out gamma, ... p = 0.25)"."""
    labels, metric_labels = labels or {}, metric_labels or {}
    lines = []
    for row in tests.itertuples():
        a, b = labels.get(row.model_a, row.model_a), labels.get(row.model_b, row.model_b)
        what = f"{'held-out' if row.split == 'test' else row.split} {metric_labels.get(row.metric, row.metric)}"
        if row.n_cells == 0:
            lines.append(f"{a} and {b}: no cell where both fits scored ({what})")
            continue
        test = f"Wilcoxon p = {_p(row.p)}, Benjamini-Hochberg p = {_p(row.p_bh)}"
        if row.a_better == row.b_better:
            lines.append(f"{a} and {b} tie: each is better on {row.a_better} of {row.n_cells} cells ({what}; {test})")
            continue
        a_wins = row.a_better > row.b_better
        winner, loser = (a, b) if a_wins else (b, a)
        difference = row.median_difference if a_wins else -row.median_difference
        low, high = (row.ci_low, row.ci_high) if a_wins else (-row.ci_high, -row.ci_low)
        interval = f", 95 % interval {low:+.3g} to {high:+.3g}" if math.isfinite(low) else ""
        lines.append(f"{winner} beats {loser} on {max(row.a_better, row.b_better)} of {row.n_cells} cells "
                     f"({what}: median difference {difference:+.3g}{interval}; {test})")
    return lines


def _p(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}"
