"""Where a fit starts, on the comparison's cells: blind against the estimate, per cell and model.

For every default cell of ``spikefit compare`` (its training sweeps, its default objective and
budget) and every model, fits blind (``init=None``) and from the estimate (``init=estimate``; ``uncapped``: its run not
limited to ``START_SHARE`` of the trials, as before issue 12 item 2;
computed once beforehand and timed apart), and records: the training objective at the start and
at the end, the held-out scores (``reports.scoring.score_split``), the fit's wall time, and
which parameters moved (unit box) between the estimate, the blind fit and the estimate-started
fit. One CSV row per (cell, model, init).

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /work/venv/bin/python benchmarks/start_strategies.py \
        --seed 0 --out /tmp/starts.csv [--cells hh hh_rs] [--models adex] [--inits blind estimate]
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from spikefit.data import resolve
from spikefit.data.sources import DEFAULT_STIMULUS
from spikefit.fitting import estimate, fit, start as start_module
from spikefit.fitting.objectives import parse_objective
from spikefit.fitting.search import Run
from spikefit.fitting.target import build_target
from spikefit.models import get_model
from spikefit.reports.comparison import DEFAULT_CELLS, DEFAULT_MODELS, DEFAULT_TRIALS, _splits
from spikefit.reports.scoring import compatible_groups, score_split


def objective_at(result, values: dict) -> float:
    """Training objective of ``values`` (searched parameters, SI) on the fit's target."""
    run = Run(result.model, result.space, result.objective, result.target, None, 1)
    row = np.array([[values[n] for n in result.space.names]])
    return float(run.evaluate(row)[0][0].sum())


def one(model, split, init, seed, trials, objective):
    train = split.sweeps("train")
    target = build_target(train, repeats=compatible_groups(train, split.groups("train")))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit(model, target, objective=objective, n_trials=trials, seed=seed, init=init,
                     progress=False)
    wall = time.perf_counter() - t0
    test = score_split(model, result.params, split, "test", parse_objective(objective))
    start = objective_at(result, result.start.values) if result.start.values else np.nan
    unit = result.space.to_unit(np.array([result.params[n] for n in result.space.names]))
    return result, {"init": result.init, "train_start": start, "train_end": float(np.sum(result.score)),
                    "test_objective": test["objective"], "test_gamma": test["gamma"],
                    "test_feature_z": test["feature_z"], "wall": wall,
                    "unit": " ".join(f"{n}={u:.2f}" for n, u in zip(result.space.names, unit))}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trials", type=int, default=DEFAULT_TRIALS)
    parser.add_argument("--objective", default="features")
    parser.add_argument("--cells", nargs="*", default=list(DEFAULT_CELLS))
    parser.add_argument("--models", nargs="*", default=list(DEFAULT_MODELS))
    parser.add_argument("--inits", nargs="*", default=["blind", "estimate"],
                        help="blind, estimate (the default start), uncapped (the run from the estimate "
                             "not limited to START_SHARE of the trials: the start before issue 12 item 2)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    splits = _splits([resolve(c, stimulus=DEFAULT_STIMULUS) for c in args.cells], None, None, None, None)
    rows = []
    for cell, split in splits.items():
        for name in args.models:
            model = get_model(name)
            t0 = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est = estimate(model, split.sweeps("train"))
            except ValueError as error:
                est = None
                print(f"{cell} {name}: no estimate ({error})")
            est_time = time.perf_counter() - t0
            for init in args.inits:
                chosen = None if init == "blind" else (est if est is not None else "estimate")
                share, start_module.START_SHARE = start_module.START_SHARE, (
                    1e9 if init == "uncapped" else start_module.START_SHARE)
                try:
                    _, row = one(model, split, chosen, args.seed, args.trials, args.objective)
                finally:
                    start_module.START_SHARE = share
                row.update(cell=cell, model=name, asked=init, estimate_time=est_time)
                rows.append(row)
                print(f"{cell:30s} {name:10s} {init:9s} start {row['train_start']:9.4g} end "
                      f"{row['train_end']:9.4g} test gamma {row['test_gamma']:.3f} obj "
                      f"{row['test_objective']:8.4g} wall {row['wall']:5.1f}+{est_time:4.1f} s  {row['unit']}",
                      flush=True)
                pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
