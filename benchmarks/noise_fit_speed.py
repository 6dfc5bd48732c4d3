"""Wall time of a 'spikes' fit on 10 s of noise: this tree against an earlier one, in one run.

The targets of ``estimate_start.py`` (10 s of OU noise, simulated LIF, Izhikevich rs_2007, AdEx
brette_gerstner_2005). Each code tree (``--before``: a checkout of the commit to compare with,
for example ``git archive <commit> spikefit | tar -x -C DIR``; and this one) runs in its own
process, the trees alternating, ``--repeats`` times each; a process builds the target, loads
the kernels (a 2-trial fit, not timed), takes the estimate (computed once, by this tree: the
estimator is not what is compared) and times ``fit(model, rec, objective="spikes")`` with the defaults
(500 trials, refine on) from the estimate and blind, seeds 0-2. Prints the median CPU time of
the process (a fit's batches of 32 sets run on one thread: CPU time is what a loaded machine
distorts least), the median wall time and the median of ``FitResult.timings`` (wall) per tree,
and the ratios before/after.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /work/venv/bin/python benchmarks/noise_fit_speed.py --before DIR
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CASES = [("lif", None), ("izhikevich", "rs_2007"), ("adex", "brette_gerstner_2005")]
PARTS = ("ask", "tell", "simulate", "score", "refine")


def one(name: str, preset: str | None, seeds, estimate_file: str) -> list[dict]:
    """Time the fits of one target in this process (the tree on ``sys.path``)."""
    sys.path.insert(0, str(HERE))
    from estimate_start import FREE, targets

    from spikefit.fitting import fit
    from spikefit.fitting.estimation import Estimate

    train = targets(name, preset)[0]
    with open(estimate_file, "rb") as f:
        est = Estimate(**pickle.load(f))
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit(name, train, objective="spikes", n_trials=2, search=FREE[name], progress=False, refine=2)
        for seed in seeds:
            for init, start in (("estimate", est), ("blind", None)):
                t0, c0 = time.perf_counter(), time.process_time()
                result = fit(name, train, objective="spikes", seed=seed, init=start, search=FREE[name],
                             progress=False)
                rows.append({"init": init, "seed": seed, "wall": time.perf_counter() - t0,
                             "cpu": time.process_time() - c0,
                             **{k: result.timings[k] for k in PARTS}})
    return rows


def estimate_of(name: str, preset) -> dict:
    """The fields of the estimate of a target (this tree), given to both trees' fits: the
    estimator is not what is compared."""
    sys.path.insert(0, str(HERE))
    from estimate_start import targets

    from spikefit.fitting import estimate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = estimate(name, targets(name, preset)[0])
    return {f.name: dict(getattr(est, f.name)) if isinstance(getattr(est, f.name), Mapping) else getattr(est, f.name)
            for f in dataclasses.fields(est)}


def child(tree: Path, name: str, preset, seeds, estimate_file: str) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(tree), "OPENBLAS_NUM_THREADS": "1"}
    code = (f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import noise_fit_speed as s, spikefit; "
            f"print('ROWS', spikefit.__file__, json.dumps(s.one({name!r}, {preset!r}, {list(seeds)!r}, "
            f"{estimate_file!r})))")
    # run in the tree: ``python -c`` puts the working directory first on sys.path, before PYTHONPATH
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, capture_output=True, text=True,
                         check=True)
    line = next(line for line in out.stdout.splitlines() if line.startswith("ROWS "))
    where, rows = line[5:].split(" ", 1)
    if not where.startswith(str(tree)):
        raise RuntimeError(f"the fit of tree {tree} imported spikefit from {where}")
    return json.loads(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="a checkout (its folder holds spikefit/) to compare with")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    trees = {"before": Path(args.before).resolve(), "after": HERE.parent}
    for name, preset in CASES:
        rows = {label: [] for label in trees}
        with tempfile.NamedTemporaryFile(suffix=".pickle") as f:
            pickle.dump(estimate_of(name, preset), f)
            f.flush()
            for _ in range(args.repeats):
                for label, tree in trees.items():
                    rows[label] += child(tree, name, preset, args.seeds, f.name)
        for init in ("estimate", "blind"):
            med = {label: {k: float(np.median([r[k] for r in rows[label] if r["init"] == init]))
                           for k in ("wall", "cpu") + PARTS} for label in trees}
            parts = "  ".join(f"{k} {med['before'][k]:.2f}->{med['after'][k]:.2f}" for k in PARTS)
            print(f"{name}:{preset} {init:8s} CPU {med['before']['cpu']:.2f} s -> {med['after']['cpu']:.2f} s "
                  f"(x{med['before']['cpu'] / med['after']['cpu']:.2f}), wall {med['before']['wall']:.2f} s -> "
                  f"{med['after']['wall']:.2f} s (x{med['before']['wall'] / med['after']['wall']:.2f});  {parts}",
                  flush=True)


if __name__ == "__main__":
    main()
