"""The peer's side of benchmarks/fit_vs_brian2modelfitting.py: one brian2modelfitting fit.

Runs in the peer's own virtual environment (../shared/docs/PEERS.md, "brian2modelfitting 0.4"),
never imports spikefit. Reads the problem from an .npz written by the benchmark (dt, the
injected current, the target voltage, the free parameters' bounds and the fixed values, all
SI), fits with the recipe of its documentation (TraceFitter, NevergradOptimizer, MSEMetric,
euler), and prints one JSON line: wall time, best parameters (SI), best MSE (mV^2) and the
best MSE after each round with its elapsed time. ``--truth`` instead simulates the true
parameters with the same TraceFitter network (``generate_traces``) and returns the spike
times and the voltage, to check that both sides integrate the same equations.

    .venv-b2mf/bin/python benchmarks/_b2mf_peer.py problem.npz --samples 1000 --rounds 10 --seed 0
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

t_import = time.perf_counter()
import brian2 as b2  # noqa: E402
from brian2 import amp, volt, second, siemens, farad, prefs  # noqa: E402
from brian2modelfitting import MSEMetric, NevergradOptimizer, TraceFitter  # noqa: E402

IMPORT_S = time.perf_counter() - t_import

UNITS = {"C": farad, "g_L": siemens, "E_L": volt, "V_T": volt, "Delta_T": volt, "tau_w": second,
         "a": siemens, "b": amp, "V_reset": volt, "V_cut": volt}
EQUATIONS = """
dv/dt = (-g_L*(v - E_L) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w + I)/C : volt
dw/dt = (a*(v - E_L) - w)/tau_w : amp
"""
# spikefit's AdEx (spikefit/models/adex.py): forward Euler, v > V_cut resets v to V_reset and
# adds b to w, start at v = E_L, w = 0; t_ref must be 0 here (no refractory clause).


def equations(free) -> str:
    """The AdEx equations with one '(constant)' parameter line per free parameter."""
    lines = [f"{name} : {UNITS[name]!r} (constant)" for name in free]
    return EQUATIONS + "\n".join(lines) + "\n"


def make_fitter(problem, n_samples):
    free = [str(n) for n in problem["free"]]
    fixed = dict(zip((str(n) for n in problem["fixed_names"]), problem["fixed_values"]))
    if fixed.pop("t_ref", 0.0) != 0.0:
        raise SystemExit("the peer script handles t_ref = 0 only")
    namespace = {name: value * UNITS[name] for name, value in fixed.items()}
    dt = float(problem["dt"]) * second
    fitter = TraceFitter(model=equations(free), input_var="I", output_var="v",
                         input=problem["current"][None, :] * amp, output=problem["v"][None, :] * volt,
                         dt=dt, n_samples=n_samples, threshold="v > V_cut",
                         reset="v = V_reset\nw += b", method="euler",
                         param_init={"v": fixed["E_L"] * volt})
    # TraceFitter reads the fixed constants from its caller's namespace (level=0)
    return fitter, free, namespace


def fit(problem, n_samples, n_rounds, seed):
    np.random.seed(seed)  # nevergrad 0.3 seeds its random state from numpy's global one
    bounds = {str(n): (float(lo), float(hi)) for n, lo, hi in zip(problem["free"], problem["low"], problem["high"])}
    rounds = []
    started = time.perf_counter()

    def callback(parameters, errors, best_parameters, best_error, index):
        rounds.append({"round": int(index), "elapsed_s": time.perf_counter() - started,
                       "best_mse_mV2": float(best_error) * 1e6,
                       "best": {n: float(best_parameters[n]) for n in bounds}})
        return False

    fitter, free, namespace = make_fitter(problem, n_samples)
    globals().update(namespace)  # the fitter looks the constants up here (fit(level=0))
    best, error = fitter.fit(n_rounds=n_rounds, optimizer=NevergradOptimizer(), metric=MSEMetric(),
                             callback=callback,
                             **{n: [lo * UNITS[n], hi * UNITS[n]] for n, (lo, hi) in bounds.items()})
    wall = time.perf_counter() - started
    return {"wall_s": wall, "import_s": IMPORT_S, "seed": seed, "samples": n_samples, "rounds_run": n_rounds,
            "evaluations": n_samples * n_rounds, "target": prefs.codegen.target,
            "params": {n: float(best[n]) for n in free}, "mse_mV2": float(error) * 1e6,
            "rounds": rounds, "brian2": b2.__version__}


def truth(problem):
    """The true parameters through the same TraceFitter network: spike times and voltage."""
    fitter, free, namespace = make_fitter(problem, 1)
    globals().update(namespace)
    values = dict(zip((str(n) for n in problem["truth_names"]), problem["truth_values"]))
    started = time.perf_counter()
    params = {n: values[n] * UNITS[n] for n in free}
    out = fitter.generate(params=params, output_var=["v", "spikes"])
    v, spikes = out["v"], out["spikes"]
    v = np.asarray(v / volt).reshape(-1)
    train = np.asarray(spikes[0] / second if len(spikes) else [], dtype=float).reshape(-1)
    mse = float(np.mean((v - problem["v"]) ** 2)) * 1e6
    return {"v": v.tolist(), "spikes": train.tolist(), "mse_mV2": mse, "wall_s": time.perf_counter() - started,
            "brian2": b2.__version__, "target": prefs.codegen.target}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("problem", help=".npz written by fit_vs_brian2modelfitting.py")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cython", action="store_true", help="prefs.codegen.target = 'cython' (default numpy)")
    parser.add_argument("--truth", action="store_true", help="simulate the true parameters instead of fitting")
    args = parser.parse_args()
    prefs.codegen.target = "cython" if args.cython else "numpy"
    b2.BrianLogger.log_level_error()
    problem = dict(np.load(args.problem, allow_pickle=False))
    out = truth(problem) if args.truth else fit(problem, args.samples, args.rounds, args.seed)
    sys.stdout.write("\n" + json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
