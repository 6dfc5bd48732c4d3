"""spikefit against brian2modelfitting on one fitting problem, in one run.

The problem of ../shared/docs/PEERS.md ("brian2modelfitting 0.4"): AdEx with the Brette-Gerstner
2005 constants (preset ``brette_gerstner_2005``), 1 s at dt = 0.1 ms, a 0.8 nA step from 0.1 to
0.9 s; free a in [0.1, 10] nS, b in [1, 200] pA, tau_w in [20, 300] ms, every other parameter
fixed at the truth (a = 4 nS, b = 80.5 pA, tau_w = 144 ms). spikefit simulates the target;
the peer gets its current and voltage as arrays (the voltage as Brian records it: V_reset on the
sample after a spike, where spikefit's traces draw the spike at +20 mV), and its equations are
checked to give the same spikes and voltage at the truth first.

The peer (benchmarks/_b2mf_peer.py, run with the peer venv's Python): TraceFitter,
NevergradOptimizer, MSEMetric, euler, ``--samples x --rounds`` evaluations (1000 x 10), numpy
target (``--peer-cython`` for cython). spikefit: ``spikefit.fit("adex", target, objective=...)``
for each objective of ``--objectives``, after a warm-up fit (numba compilation and imports are
measured apart: a cold compile in a subprocess with an empty NUMBA_CACHE_DIR, and the first fit
call of this process). Both sides are scored with the peer's MSEMetric definition: mean squared
voltage difference over all samples (mV^2), computed here for spikefit's results with numba.

The key figure: the time spikefit needs to first reach an MSE at or below the peer's final MSE
(best-so-far trial by spikefit's own objective along the trial table, clock started when
``fit`` is called; if only the final polish gets there, the whole call), against the peer's
wall time for all its evaluations. Seed s of spikefit is paired with seed s of the peer; runs
alternate peer, spikefit seed by seed; medians over seeds are printed.

    python benchmarks/fit_vs_brian2modelfitting.py [--seeds 0,1,2,3,4] [--peer-python PATH] [--quick]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PEER_SCRIPT = Path(__file__).resolve().parent / "_b2mf_peer.py"
INSTALL = ('python3 -m venv .venv-b2mf\n'
           '.venv-b2mf/bin/pip install brian2 brian2modelfitting "numpy<1.24" "pandas<2.1" "scipy<1.12" '
           '"bayesian-optimization<1.5"')

FREE = {"a": (0.1e-9, 10e-9), "b": (1e-12, 200e-12), "tau_w": (20e-3, 300e-3)}
DISPLAY = {"a": (1e9, "nS"), "b": (1e12, "pA"), "tau_w": (1e3, "ms")}
OBJECTIVES = {
    "features": "features",
    "trace": "trace",
    "spikes": "spikes",
    "features+trace": {"features": 1.0, "trace": 0.05},
    "spikes+trace": {"spikes": 1.0, "trace": 0.05},
}
"""Objectives tried. In the combos the trace term (RMS subthreshold error, mV) is weighted down
so that it breaks ties of the spike-based term (mean |z| of 7 features, or 1 - Gamma) rather than
lead: at the truth both are 0, a few mV off the trace term is 0.1."""

WARM_UP = """
import time
t0 = time.perf_counter()
import spikefit
from spikefit.fitting.search import fit
m = spikefit.get_model("adex")
truth = m.preset("brette_gerstner_2005")
stim = spikefit.step(0.8e-9, 0.1, 0.9, 1.0, dt=1e-4)
target = m.simulate(truth, stim)
for objective in ("features", "trace", "spikes"):
    fit(m, target, objective=objective, n_trials=64, search={free!r},
        fixed={{k: v for k, v in truth.items() if k not in {free!r}}}, progress=False)
print(time.perf_counter() - t0)
"""


# --- the problem -------------------------------------------------------------------------
def problem():
    import spikefit

    model = spikefit.get_model("adex")
    truth = model.preset("brette_gerstner_2005")
    stimulus = spikefit.step(0.8e-9, 0.1, 0.9, 1.0, dt=1e-4)
    target = model.simulate(truth, stimulus)
    v_raw = undrawn(model.simulate_batch(truth, stimulus, record_v=True))[0]
    return model, truth, stimulus, target, v_raw


def undrawn(result) -> np.ndarray:
    """Voltages (V) of a BatchResult as Brian records them: the sample after each spike, which
    spikefit draws at max(V_cut, 20 mV), set back to V_reset (exact for t_ref = 0 and one
    integration step per sample, as here)."""
    stim = result.stimuli[0]
    v = result.v[0].copy()
    reset = result.params["V_reset"].to_numpy()
    for i in range(result.n_sets):
        index = np.rint(result.spikes(i) / stim.dt).astype(int)
        v[i, index[index < v.shape[1]]] = reset[i]
    return v


def mse_mV2(model, stimulus, v_target, rows) -> np.ndarray:
    """The peer's MSEMetric (mean over samples of the squared voltage difference), mV^2."""
    result = model.simulate_batch(pd.DataFrame(rows), stimulus, record_v=True)
    return ((undrawn(result) - v_target) ** 2).mean(axis=1) * 1e6


def write_problem(path, truth, stimulus, v_raw) -> None:
    fixed = {k: v for k, v in truth.items() if k not in FREE}
    np.savez(path, dt=stimulus.dt, current=stimulus.current, v=v_raw, free=np.array(list(FREE)),
             low=np.array([lo for lo, _ in FREE.values()]), high=np.array([hi for _, hi in FREE.values()]),
             fixed_names=np.array(list(fixed)), fixed_values=np.array(list(fixed.values()), float),
             truth_names=np.array(list(truth)), truth_values=np.array(list(truth.values()), float))


# --- the peer ----------------------------------------------------------------------------
def run_peer(python: Path, problem_path, *args: str) -> dict:
    started = time.perf_counter()
    # brian2modelfitting keeps the parameter names in a set: fix the hash seed, or the order of
    # a, b, tau_w (and so the search from a given seed) changes from process to process
    proc = subprocess.run([str(python), str(PEER_SCRIPT), str(problem_path), *args],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
    if proc.returncode != 0:
        raise SystemExit(f"the peer script failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_s"] = time.perf_counter() - started
    return out


def agreement(model, truth, stimulus, target, v_raw, peer: dict) -> dict:
    ours = np.asarray(target.spike_times)
    theirs = np.asarray(peer["spikes"]) + stimulus.dt  # Brian stamps the start of the crossing step
    same = ours.size == theirs.size
    return {"spikes_spikefit": int(ours.size), "spikes_peer": int(theirs.size),
            "max_spike_dt_s": float(np.abs(ours - theirs).max()) if same and ours.size else float("nan"),
            "max_dv_mV": float(np.abs(np.asarray(peer["v"]) - v_raw).max() * 1e3),
            "mse_truth_mV2": float(peer["mse_mV2"])}


# --- spikefit ----------------------------------------------------------------------------
def cold_compile_s() -> float:
    """A fresh process, empty numba cache: imports, compilation and three small fits."""
    free = {k: list(v) for k, v in FREE.items()}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        proc = subprocess.run([sys.executable, "-c", WARM_UP.format(free=free)], capture_output=True,
                              text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"the cold-compile run failed:\n{proc.stderr[-4000:]}")
    return float(proc.stdout.strip().splitlines()[-1])


def spikefit_fit(model, truth, target, objective, n_trials, seed):
    from spikefit.fitting.search import fit

    fixed = {k: v for k, v in truth.items() if k not in FREE}
    called = datetime.datetime.now()
    result = fit(model, target, objective=objective, n_trials=n_trials, seed=seed, search=FREE, fixed=fixed,
                 progress=False)
    return result, called


def trajectory(result, called, model, stimulus, v_raw, truth):
    """Best-so-far trial (by the fit's objective) after each completed trial, in completion
    order: seconds since ``fit`` was called, its MSE (mV^2) and its largest relative error."""
    trials = [t for t in result.study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    trials.sort(key=lambda t: t.datetime_complete)
    best, rows = np.inf, []
    for t in trials:
        if t.value < best:
            best = t.value
            params = {**truth, **t.params}
            rows.append({"t": (t.datetime_complete - called).total_seconds(), **params})
    table = pd.DataFrame(rows)
    table["mse"] = mse_mV2(model, stimulus, v_raw, table[list(truth)])
    table["max_error"] = np.max([np.abs(table[n] / truth[n] - 1) for n in FREE], axis=0)
    return table


def first_time(table, column, limit, result, final_value):
    """When ``column`` first falls to ``limit`` along the trajectory; the whole call when only
    the polish gets there; NaN when neither does."""
    hit = table.index[table[column] <= limit]
    if len(hit):
        return float(table.loc[hit[0], "t"])
    return float(result.wall_time) if final_value <= limit else float("nan")


def run_spikefit(name, model, truth, stimulus, target, v_raw, seed, n_trials, peer_mse, ladder):
    result, called = spikefit_fit(model, truth, target, OBJECTIVES[name], n_trials, seed)
    final_mse = float(mse_mV2(model, stimulus, v_raw, [result.params])[0])
    errors = {n: result.params[n] / truth[n] - 1 for n in FREE}
    max_error = max(abs(e) for e in errors.values())
    table = trajectory(result, called, model, stimulus, v_raw, truth)
    row = {"side": "spikefit", "objective": name, "seed": seed, "budget": n_trials,
           "wall_s": result.wall_time, "mse_mV2": final_mse, "peer_mse_mV2": peer_mse,
           **{f"err_{n}": e for n, e in errors.items()}, "max_error": max_error,
           "within_5pct": bool(max_error <= 0.05), "refined": bool(result.refined),
           "refine_s": result.timings.get("refine", 0.0), "ask_tell_s": result.timings["ask"] + result.timings["tell"],
           "simulate_s": result.timings["simulate"], "score_s": result.timings["score"],
           **{n: result.params[n] for n in FREE},
           "t_to_peer_mse_s": first_time(table, "mse", peer_mse, result, final_mse),
           "t_to_5pct_s": first_time(table, "max_error", 0.05, result, max_error)}
    # the same question asked with whole fit calls: the smallest budget whose result reaches it
    row["ladder_trials"], row["ladder_wall_s"] = np.nan, np.nan
    for budget in ladder:
        r, _ = spikefit_fit(model, truth, target, OBJECTIVES[name], budget, seed)
        if mse_mV2(model, stimulus, v_raw, [r.params])[0] <= peer_mse:
            row["ladder_trials"], row["ladder_wall_s"] = budget, r.wall_time
            break
    return row


def worst_median(x) -> float:
    """Median of times where a NaN (never reached) counts as the longest (inf)."""
    return float(np.median(np.where(np.isnan(np.asarray(x, float)), np.inf, x)))


# --- main --------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer-python", default=".venv-b2mf/bin/python",
                        help="Python of the peer's venv (relative to the repository root or absolute)")
    parser.add_argument("--seeds", default=None, help="comma-separated (default 0,1,2,3,4; --quick: 0)")
    parser.add_argument("--samples", type=int, default=None, help="peer samples per round (1000; --quick 100)")
    parser.add_argument("--rounds", type=int, default=None, help="peer rounds (10; --quick 3)")
    parser.add_argument("--trials", type=int, default=None,
                        help="spikefit completed trials per fit (1000; --quick 200)")
    parser.add_argument("--objectives", default=",".join(OBJECTIVES))
    parser.add_argument("--peer-cython", action="store_true", help="run the peer on Brian's cython target")
    parser.add_argument("--no-cold-compile", action="store_true", help="skip the empty-cache compile run")
    parser.add_argument("--save", help="write every row and the agreement check as JSON here")
    parser.add_argument("--quick", action="store_true", help="small budgets, one seed: a smoke run")
    args = parser.parse_args()
    quick = args.quick
    seeds = [int(s) for s in (args.seeds or ("0" if quick else "0,1,2,3,4")).split(",")]
    samples = args.samples or (100 if quick else 1000)
    rounds = args.rounds or (3 if quick else 10)
    n_trials = args.trials or (200 if quick else 1000)
    names = args.objectives.split(",")
    for name in names:
        if name not in OBJECTIVES:
            parser.error(f"unknown objective {name!r}; choose from {', '.join(OBJECTIVES)}")
    ladder = sorted({b for b in (32, 64, 128, 256, 512, n_trials) if b <= n_trials})

    python = Path(args.peer_python)
    python = python if python.is_absolute() else ROOT / python
    if not python.exists():
        print(f"the peer's Python {python} does not exist. brian2modelfitting imports only in its own "
              f"venv (../shared/docs/PEERS.md); create it from the repository root with\n\n{INSTALL}\n\n"
              f"or pass --peer-python PATH.", file=sys.stderr)
        sys.exit(2)

    model, truth, stimulus, target, v_raw = problem()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "problem.npz"
        write_problem(path, truth, stimulus, v_raw)
        peer_args = ["--cython"] if args.peer_cython else []
        check = agreement(model, truth, stimulus, target, v_raw, run_peer(python, path, "--truth", *peer_args))
        print(f"same equations: {check['spikes_spikefit']} spikes (spikefit), {check['spikes_peer']} (Brian); "
              f"max spike-time difference {check['max_spike_dt_s']:.2g} s (Brian's moved by one dt); "
              f"max voltage difference {check['max_dv_mV']:.2g} mV; MSE at the truth {check['mse_truth_mV2']:.2g} mV^2",
              flush=True)

        compile_s = float("nan") if (quick or args.no_cold_compile) else cold_compile_s()
        t0 = time.perf_counter()
        for name in names:
            spikefit_fit(model, truth, target, OBJECTIVES[name], 64, 0)
        first_call_s = time.perf_counter() - t0
        print(f"spikefit warm-up: cold compile (empty numba cache, fresh process, 3 small fits) "
              f"{compile_s:.1f} s; first fits in this process (cache load, imports) {first_call_s:.1f} s; "
              f"neither is in the figures below", flush=True)

        rows, cross = [], []
        for seed in seeds:
            peer = run_peer(python, path, "--samples", str(samples), "--rounds", str(rounds), "--seed", str(seed),
                            *peer_args)
            ours = float(mse_mV2(model, stimulus, v_raw, [{**truth, **peer["params"]}])[0])
            cross.append(abs(ours / peer["mse_mV2"] - 1))
            final = peer["mse_mV2"]
            reached = next(r["elapsed_s"] for r in peer["rounds"] if r["best_mse_mV2"] <= final)
            close = [r["elapsed_s"] for r in peer["rounds"]
                     if max(abs(r["best"][n] / truth[n] - 1) for n in FREE) <= 0.05]
            errors = {n: peer["params"][n] / truth[n] - 1 for n in FREE}
            max_error = max(abs(e) for e in errors.values())
            rows.append({"side": "brian2modelfitting", "objective": f"MSE ({peer['target']})", "seed": seed,
                         "budget": peer["evaluations"], "wall_s": peer["wall_s"], "mse_mV2": final,
                         "peer_mse_mV2": final, **{f"err_{n}": e for n, e in errors.items()},
                         "max_error": max_error, "within_5pct": bool(max_error <= 0.05), **peer["params"],
                         "t_to_peer_mse_s": reached, "ladder_wall_s": peer["wall_s"],
                         "t_to_5pct_s": close[0] if close else np.nan, "import_s": peer["import_s"],
                         "process_s": peer["process_s"], "rounds": peer["rounds"]})
            print(f"peer seed {seed}: {peer['wall_s']:.1f} s, MSE {final:.3g} mV^2 (reached at "
                  f"{reached:.1f} s), a {peer['params']['a'] * 1e9:.2f} nS, b {peer['params']['b'] * 1e12:.1f} pA, "
                  f"tau_w {peer['params']['tau_w'] * 1e3:.1f} ms", flush=True)
            for name in names:
                row = run_spikefit(name, model, truth, stimulus, target, v_raw, seed, n_trials, final, ladder)
                rows.append(row)
                print(f"  spikefit {name:>15} seed {seed}: {row['wall_s']:.2f} s, MSE {row['mse_mV2']:.3g} mV^2, "
                      f"max error {row['max_error']:.3g}, peer's MSE reached at {row['t_to_peer_mse_s']:.2f} s, "
                      f"5 % at {row['t_to_5pct_s']:.2f} s "
                      f"(ladder: {row['ladder_trials']} trials, {row['ladder_wall_s']:.2f} s)", flush=True)

    table = pd.DataFrame(rows)
    summary = table.groupby(["side", "objective"], sort=False).agg(
        budget=("budget", "median"), wall_s=("wall_s", "median"), mse_mV2=("mse_mV2", "median"),
        err_a=("err_a", lambda x: x.abs().median()), err_b=("err_b", lambda x: x.abs().median()),
        err_tau_w=("err_tau_w", lambda x: x.abs().median()), within_5pct=("within_5pct", "sum"),
        t_to_peer_mse_s=("t_to_peer_mse_s", worst_median), reached=("t_to_peer_mse_s", lambda x: x.notna().sum()),
        ladder_wall_s=("ladder_wall_s", worst_median), t_to_5pct_s=("t_to_5pct_s", worst_median))
    summary["reached"] = summary["reached"].astype(int).astype(str) + f"/{len(seeds)}"
    summary["within_5pct"] = summary["within_5pct"].astype(int).astype(str) + f"/{len(seeds)}"
    peer_rows = table[table["side"] == "brian2modelfitting"]
    peer_wall = float(peer_rows["wall_s"].median())
    peer_reach = float(peer_rows["t_to_peer_mse_s"].median())
    with pd.option_context("display.width", 220, "display.max_columns", 20):
        print(f"\nmedian over seeds {','.join(map(str, seeds))} (errors: median |relative error|; "
              f"t_to_peer_mse_s: spikefit's time to the same seed's peer MSE, for the peer the time "
              f"its best reached its final MSE; reached: seeds where spikefit got there; t_to_5pct_s: time to all "
              f"three within 5 %; inf: not in half the seeds or more)")
        print(summary.to_string(float_format=lambda x: f"{x:.3g}"))
    spent = table[table["side"] == "spikefit"].groupby("objective", sort=False)[
        ["wall_s", "ask_tell_s", "simulate_s", "score_s", "refine_s"]].median()
    print(f"\nspikefit, where a {n_trials}-trial fit's time goes (median s; the rest is setup and Optuna's study)")
    print(spent.to_string(float_format=lambda x: f"{x:.3f}"))
    print(f"\nMSE cross-check: spikefit's MSE of the peer's best parameters equals the peer's own "
          f"to {max(cross):.2g} (relative)")
    for name in names:
        ours = table[(table["side"] == "spikefit") & (table["objective"] == name)]
        t, whole = worst_median(ours["t_to_peer_mse_s"]), worst_median(ours["ladder_wall_s"])
        if not np.isfinite(t):
            print(f"peer wall / spikefit time to the peer's MSE, {name:>15}: not reached in half the seeds or more")
            continue
        print(f"peer wall / spikefit time to the peer's MSE, {name:>15}: {peer_wall:.1f} s / {t:.3g} s = "
              f"{peer_wall / t:.0f}x  (against the peer's own time to its final MSE, {peer_reach:.1f} s: "
              f"{peer_reach / t:.0f}x; whole fit calls, smallest budget that gets there: {peer_wall / whole:.0f}x)")
    if args.save:
        Path(args.save).write_text(json.dumps({"agreement": check, "cold_compile_s": compile_s,
                                               "first_call_s": first_call_s, "mse_cross_check": max(cross),
                                               "seeds": seeds, "rows": rows}, indent=1, default=float))


if __name__ == "__main__":
    main()
