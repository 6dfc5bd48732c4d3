"""Recovery on every preset and seed (issue 12 item 4): held-out Gamma, worst error, fit time.

For every preset of LIF (its defaults), AdEx and Izhikevich, ``recover`` with its defaults
(``default_protocol``: the rheobase steps plus one noise sweep; the fit starts from the
estimate; every parameter searched) on seeds 0-4. The estimate of a preset's target is the
same on every seed (the seed is the search's), so it is computed once, timed, and passed to
each seed's fit (``init=``); a fit's time is that estimate's time plus its search's, in wall
time and in CPU time (one thread: what a quiet core takes; the table shows the CPU median).

Writes one row per (model, preset, seed) to ``--out`` (CSV) and prints the Markdown table
of benchmarks/RESULTS.md: per preset, held-out Gamma on each seed, the worst error over the
identifiable parameters (and which), what the protocol does not determine, and the fit time.

    PYTHONPATH=. /work/venv/bin/python benchmarks/recovery_all.py [--models lif adex izhikevich]
        [--presets NAME ...] [--seeds 0 1 2 3 4] [--out /tmp/recovery_all.csv] [--simplex-steps 0.05 ...]
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import pandas as pd

import spikefit
from spikefit.fitting import estimate
from spikefit.fitting import recovery as R
from spikefit.fitting import refine

MODELS = ("lif", "adex", "izhikevich")


def presets(model) -> list:
    """The model's preset names, or [None] (its defaults) for a model without presets."""
    return list(model.presets) or [None]


def one_preset(model, preset, seeds) -> list[dict]:
    """Rows of one preset: the estimate once, then a recovery per seed."""
    truth = model.preset(preset) if preset else model.defaults()
    target = model.simulate(truth, R.default_protocol(model, truth))
    started, cpu = time.perf_counter(), time.process_time()
    est = estimate(model, target)
    est_time, est_cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = []
    for seed in seeds:
        started, cpu = time.perf_counter(), time.process_time()
        result = R.recover(model, truth, seed=seed, init=est, progress=False)
        table = result.table[result.table["identifiable"]]
        worst = table.loc[table["relative_error"].abs().idxmax()] if len(table) else None
        rows.append({"model": model.name, "preset": preset or "defaults", "seed": seed,
                     "heldout_gamma": result.heldout_gamma, "worst_error": result.worst_error(),
                     "worst_parameter": worst["parameter"] if worst is not None else "",
                     "not_determined": " ".join(result.not_determined()),
                     "widened": " ".join(result.widened), "estimate_s": est_time,
                     "search_s": result.fit.wall_time, "fit_s": est_time + result.fit.wall_time,
                     "recover_s": time.perf_counter() - started,
                     "recover_cpu_s": time.process_time() - cpu,
                     "fit_cpu_s": est_cpu + time.process_time() - cpu})
        print(f"{model.name} {preset} seed {seed}: Gamma {result.heldout_gamma:.3f}, worst "
              f"{result.worst_error():.2%} ({rows[-1]['worst_parameter']}), not determined "
              f"[{rows[-1]['not_determined']}], fit {rows[-1]['fit_s']:.1f} s "
              f"(CPU {rows[-1]['fit_cpu_s']:.1f} s)", flush=True)
    return rows


def markdown(frame: pd.DataFrame) -> str:
    """Per preset: Gamma on each seed, worst error (parameter), not determined, fit time median."""
    lines = ["| model | preset | held-out Gamma, seeds " + ", ".join(map(str, sorted(frame.seed.unique())))
             + " | worst error (parameter) | not determined | CPU s: search, fit (median) | passes |",
             "|---|---|---|---|---|---|---|"]
    for (model, preset), group in frame.groupby(["model", "preset"], sort=False):
        worst = group.loc[group["worst_error"].idxmax()]
        passes = int(((group.heldout_gamma >= 0.95) & (group.worst_error < R.TOLERANCE)).sum())
        nd = sorted({n for s in group.not_determined.fillna("") for n in s.split()})
        lines.append(f"| {model} | {preset} | {', '.join(f'{g:.3f}' for g in group.heldout_gamma)} | "
                     f"{worst.worst_error:.2%} ({worst.worst_parameter}) | {' '.join(nd) or '-'} | "
                     f"{group.recover_cpu_s.median():.1f}, {_median(group, 'fit_cpu_s')} | {passes}/{len(group)} |")
    return "\n".join(lines)


def _median(group, column) -> str:
    """The median of a column as text, "-" where a run did not record it."""
    values = group[column] if column in group else pd.Series(dtype=float)
    return f"{values.median():.1f}" if values.notna().any() else "-"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--presets", nargs="+", help="only these presets (of any of the models)")
    parser.add_argument("--seeds", nargs="+", type=int, default=list(range(5)))
    parser.add_argument("--out", default="/tmp/recovery_all.csv")
    parser.add_argument("--table", help="print the table of a CSV this script wrote, run nothing")
    parser.add_argument("--simplex-steps", nargs="+", type=float,
                        help="the polish's initial simplex steps (refine.SIMPLEX_STEPS), to compare scales")
    args = parser.parse_args(argv)
    if args.simplex_steps:
        refine.SIMPLEX_STEPS = tuple(args.simplex_steps)
    if args.table:
        print(markdown(pd.concat([pd.read_csv(path) for path in args.table.split(",")])))
        return
    warnings.simplefilter("ignore")  # estimates outside the spec bounds: the table says widened
    rows = []
    for name in args.models:
        model = spikefit.get_model(name)
        for preset in presets(model):
            if args.presets and (preset or "defaults") not in args.presets:
                continue
            rows += one_preset(model, preset, args.seeds)
            pd.DataFrame(rows).to_csv(args.out, index=False)  # kept as it goes: runs are long
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; rows in {args.out}\n")
    print(markdown(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
