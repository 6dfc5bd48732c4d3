"""Where a richer model scores worse than LIF held out (issue 12 item 6), from a comparison's scores.

Reads the ``scores.csv`` of one or more ``spikefit compare`` reports and lists, per cell, each
held-out metric on which Izhikevich or AdEx is worse than LIF by more than ``MARGINS`` (Hz for
the f-I error, |z| for the feature errors, Gamma for the Gamma factors), with the training
objectives beside it: a richer model whose training objective is above LIF's has a search that
fell short (``search``); one below LIF's traded this metric for others (``trade``).

    python benchmarks/richer_vs_lif.py REPORT_DIR [REPORT_DIR ...]
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

MARGINS = {"fi_error": 0.5, "feature_z": 0.05, "gamma": 0.02, "gamma_normalized": 0.02}
"""Worse than LIF by more than this counts (the margins of RESULTS.md, "Richer models no worse")."""

HIGHER_IS_BETTER = {"gamma", "gamma_normalized"}


def worse_cases(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per (cell, richer model, metric) worse than LIF held out by more than its margin."""
    test = scores[scores["split"] == "test"].pivot_table(index=["cell", "metric"], columns="model", values="value")
    train = scores[(scores["split"] == "train") & (scores["metric"] == "objective")].pivot_table(
        index="cell", columns="model", values="value")
    rows = []
    for (cell, metric), values in test.iterrows():
        if metric not in MARGINS or pd.isna(values.get("lif")):
            continue
        for model in ("izhikevich", "adex"):
            if pd.isna(values.get(model)):
                continue
            gap = values[model] - values["lif"]
            worse = -gap if metric in HIGHER_IS_BETTER else gap
            if worse > MARGINS[metric]:
                kind = "search" if train.loc[cell, model] > train.loc[cell, "lif"] else "trade"
                rows.append({"cell": cell, "model": model, "metric": metric, "lif": values["lif"],
                             "richer": values[model], "train lif": train.loc[cell, "lif"],
                             "train richer": train.loc[cell, model], "kind": kind})
    return pd.DataFrame(rows)


def main():
    for folder in sys.argv[1:]:
        cases = worse_cases(pd.read_csv(Path(folder) / "scores.csv"))
        print(f"{folder}: {len(cases)} cases worse than LIF held out")
        if len(cases):
            print(cases.groupby(["model", "kind"]).size().to_string())
            print(cases.to_string(index=False, float_format=lambda x: f"{x:.3g}"))


if __name__ == "__main__":
    main()
