"""How badly LIF fits, per kind of failure: the median held-out difference to each richer model.

Each kind of failure is measured by held-out (``split == "test"``) metrics of the score table
(``Comparison.table``), listed in ``KINDS``. Per cell, the paired difference is signed so that
positive means LIF is worse: LIF minus the richer model for metrics where lower is better
(feature |z|, f-I error), the richer model minus LIF where higher is better (normalised Gamma).
A kind measured by two metrics (the subthreshold trace) takes, per cell and model, the mean of
both; a cell lacking either value is left out, and the sentence says how many were. The median
across cells comes with the 95 % bootstrap interval of ``statistics.median_interval``.

Spike timing under noise is measured by the reliability-normalised Gamma, which exists only on
cells whose held-out repeats fire reliably (``headline.lead``); cells without it are left out.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .scoring import HIGHER_IS_BETTER
from .statistics import by_cell, median_interval

BASELINE = "lif"
"""The model whose failures this section measures."""

KINDS = (("latency", "latency to the first spike", ("feature_z:time_to_first_spike",), "|z|"),
         ("adaptation", "adaptation", ("feature_z:adaptation_index2",), "|z|"),
         ("fi", "the f-I curve (slope and onset)", ("fi_error",), "Hz"),
         ("timing", "spike timing under noise", ("gamma_normalized",), "normalised Gamma"),
         ("subthreshold", "the subthreshold voltage (baseline, steady state)",
          ("feature_z:voltage_base", "feature_z:steady_state_voltage_stimend"), "|z|"))
"""(key, words, held-out metrics averaged per cell, unit of the difference) of each kind."""

SIGN_RULE = ("Differences are paired per cell on held-out data and signed so that a positive number means "
             "LIF is worse: LIF minus the richer model for feature |z| and f-I error (lower is better), the "
             "richer model minus LIF for normalised Gamma (higher is better). Median across cells, with its "
             "95 % bootstrap interval across cells, signed the same way.")


def kind_values(table: pd.DataFrame, metrics) -> pd.DataFrame:
    """Cells x models of one kind on held-out data: the mean of ``metrics`` (NaN where any is missing)."""
    frames = [by_cell(table, metric, "test") for metric in metrics]
    index = frames[0].index
    columns = frames[0].columns
    for frame in frames[1:]:
        index, columns = index.union(frame.index), columns.union(frame.columns)
    stacked = np.stack([f.reindex(index=index, columns=columns).to_numpy(dtype=float) for f in frames])
    return pd.DataFrame(stacked.mean(axis=0), index=index, columns=columns)


def lif_failures(table: pd.DataFrame, models) -> pd.DataFrame:
    """One row per kind and richer model: ``n_cells`` (with both values), ``n_left_out`` (cells
    of the table without both), ``median`` (positive: LIF worse), ``ci_low``, ``ci_high``, ``unit``.

    Raises
    ------
    ValueError
        When ``models`` lacks ``"lif"``: there is nothing to measure.
    """
    models = list(models)
    if BASELINE not in models:
        raise ValueError(f"LIF failures need model {BASELINE!r} among the models, got {models}")
    cells = table["cell"].unique()
    rows = []
    for key, words, metrics, unit in KINDS:
        wide = kind_values(table, metrics).reindex(index=cells)
        sign = -1.0 if HIGHER_IS_BETTER.get(metrics[0], False) else 1.0
        for model in (m for m in models if m != BASELINE):
            if BASELINE in wide.columns and model in wide.columns:
                diff = (sign * (wide[BASELINE] - wide[model])).dropna().to_numpy()
            else:
                diff = np.array([])
            low, high = median_interval(diff)
            rows.append({"kind": key, "words": words, "model": model, "n_cells": len(diff),
                         "n_left_out": len(cells) - len(diff),
                         "median": float(np.median(diff)) if len(diff) >= 2 else math.nan,
                         "ci_low": low, "ci_high": high, "unit": unit})
    return pd.DataFrame(rows, columns=["kind", "words", "model", "n_cells", "n_left_out", "median",
                                       "ci_low", "ci_high", "unit"])


def sentences(failures: pd.DataFrame) -> list[str]:
    """One sentence per kind and richer model, e.g. "On latency to the first spike, LIF is worse
    than adex by a median of 1.3 |z| across 10 cells (95 % interval 0.4 to 2.1)"."""
    lines = []
    for row in failures.itertuples():
        left_out = f"; {row.n_left_out} cell(s) without both values left out" if row.n_left_out else ""
        if row.n_cells < 2:
            lines.append(f"On {row.words}, LIF and {row.model} cannot be compared: {row.n_cells} cell(s) "
                         f"with both values, fewer than 2{left_out}.")
            continue
        verdict = ("worse than" if row.median > 0 else "better than" if row.median < 0 else "level with")
        size = f" by a median of {abs(row.median):.2g} {row.unit}" if row.median != 0 else " (median difference 0)"
        interval = (f"95 % interval {row.ci_low:+.2g} to {row.ci_high:+.2g}" if math.isfinite(row.ci_low)
                    else "no interval: every cell has the same difference")
        lines.append(f"On {row.words}, LIF is {verdict} {row.model}{size} across {row.n_cells} cells "
                     f"({interval}{left_out}).")
    return lines
