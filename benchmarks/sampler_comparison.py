"""Where a fit's time goes, and how the samplers compare at equal budgets.

Recovery problems (``--problem``): AdEx (Brette-Gerstner 2005; free C, g_L, a, b, tau_w,
V_reset), Izhikevich (the book's rs_2007; free a, b, c, d, k) or LIF (defaults; every
parameter free), each under the rheobase step protocol (spikefit.fitting.recovery.
rheobase_steps: 5 steps of 1 s at 0.1 ms), objective "features", no refinement (the samplers
alone). Each sampler gets the same number of completed trials; the median over seeds is
printed, with the per-batch time breakdown from FitResult.timings.

    python benchmarks/sampler_comparison.py [--problem adex] [--trials 1000] [--seeds 0,1,2,3,4]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import spikefit
from spikefit.fitting.recovery import rheobase_steps
from spikefit.fitting.search import fit

PROBLEMS = {"adex": ("brette_gerstner_2005", ["C", "g_L", "a", "b", "tau_w", "V_reset"]),
            "izhikevich": ("rs_2007", ["a", "b", "c", "d", "k"]),
            "lif": (None, ["C", "g_L", "E_L", "V_th", "V_reset", "t_ref"])}
SAMPLERS = {"cmaes": {}, "optuna-cmaes": {}, "tpe": {}, "random": {}, "nsga2": {}}


def run(sampler: str, seed: int, n_trials: int, model, target, truth, params) -> dict:
    t0 = time.perf_counter()
    result = fit(model, target, objective="features", n_trials=n_trials, seed=seed, search=params,
                 fixed={k: v for k, v in truth.items() if k not in params}, sampler=sampler,
                 refine=False, progress=False)
    wall = time.perf_counter() - t0
    errors = [abs(result.params[n] / truth[n] - 1) if truth[n] else abs(result.params[n]) for n in params]
    t = result.timings
    batches, n_asked = t["batches"], len(result.trials)
    return {"sampler": sampler, "seed": seed, "score": result.score, "max_error": max(errors),
            "median_error": float(np.median(errors)), "wall_s": wall,
            "ask_ms_per_trial": 1e3 * t["ask"] / n_asked, "tell_ms_per_trial": 1e3 * t["tell"] / n_asked,
            "ask_tell_ms_per_batch": 1e3 * (t["ask"] + t["tell"]) / batches,
            "simulate_ms_per_batch": 1e3 * t["simulate"] / batches,
            "score_ms_per_batch": 1e3 * t["score"] / batches,
            "batch": result.trials.shape[0] / batches, "infeasible": result.failures["infeasible"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problem", default="adex", choices=list(PROBLEMS))
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--samplers", default=",".join(SAMPLERS))
    args = parser.parse_args()
    model = spikefit.get_model(args.problem)
    preset, params = PROBLEMS[args.problem]
    truth = model.preset(preset) if preset else model.defaults()
    target = model.simulate(truth, rheobase_steps(model, truth))
    fit(model, target, n_trials=32, search=params, refine=False, progress=False)  # compile and import first
    rows = []
    for sampler in args.samplers.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            rows.append(run(sampler, seed, args.trials, model, target, truth, params))
            print(f"{sampler:>12} seed {seed}: score {rows[-1]['score']:.4g}, max error "
                  f"{rows[-1]['max_error']:.3f}, {rows[-1]['wall_s']:.1f} s", flush=True)
    table = pd.DataFrame(rows)
    median = table.drop(columns="seed").groupby("sampler", sort=False).median()
    median["solved"] = table.assign(ok=table["max_error"] < 0.1).groupby("sampler", sort=False)["ok"].sum()
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\n{args.problem}: median over seeds {args.seeds}, {args.trials} completed trials each "
              f"(solved: seeds with every parameter within 10 %)")
        print(median.to_string(float_format=lambda x: f"{x:.3g}"))


if __name__ == "__main__":
    main()
