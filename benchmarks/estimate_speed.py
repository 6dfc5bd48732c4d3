"""``spikefit.fitting.estimate`` of two checkouts side by side: CPU time per model, the ratio.

    python benchmarks/estimate_speed.py BEFORE AFTER [--models lif izhikevich adex]
        [--workloads steps noise10] [--rounds 3]

BEFORE and AFTER are checkouts to import spikefit from (for example /work/main and .). The
recordings are simulated once, by AFTER, at 1 us and sampled at 0.1 ms, and handed to both
as arrays, so both estimate the same data. Workloads, per model (LIF defaults, Izhikevich
rs_2007, AdEx brette_gerstner_2005):

* ``steps``: ``recovery.default_protocol`` (5 steps of 1 s around the rheobase) plus 1 s of
  the held-out noise (``recovery.heldout_stimulus``, seed 7): 6 s;
* ``noise10``: 10 s of that noise (seed 7) alone;
* ``hh`` (not by default): the HH reference's noise sweep (``resolve("hh")``, its last
  sweep), where no model's truth exists: the errors are NaN, the difference is relative to
  BEFORE's estimate.

One worker process per checkout (one BLAS and numba thread) stays up and the script asks
them in turn, the order alternating, so that both see the same load; each answer is the
CPU time (``time.process_time``) of one call (after a warm-up call the first time). Prints per model and
workload the median over rounds of each checkout's seconds, the median of the per-round
ratios BEFORE/AFTER (the speed-up), each checkout's largest relative error over the
parameters, and the largest difference between the two estimates relative to the truth.
"""
import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {"lif": None, "izhikevich": "rs_2007", "adex": "brette_gerstner_2005"}


def recordings(models, workloads, folder):
    """Simulate every (model, workload) and store its sweeps as arrays; returns the truths."""
    import numpy as np

    import spikefit
    from spikefit.data import ou_noise
    from spikefit.fitting import recovery

    truths = {}
    for name in models:
        model = spikefit.get_model(name)
        params = {**model.defaults(), **(model.presets[CASES[name]] if CASES[name] else {})}
        for workload in workloads:
            if workload == "hh":  # the HH reference's noise sweep: no truth, a model mismatch
                from spikefit.data import resolve

                stimuli, truth = None, None
                rec = [resolve("hh")[-1]]
            elif workload == "steps":
                truth = params
                stimuli = recovery.default_protocol(model, params) + [
                    recovery.heldout_stimulus(model, params, seed=7)]
            else:  # the held-out noise, its amplitude from the rheobase of 1 s steps
                truth = params
                mean, sd, tau = recovery.HELDOUT_NOISE
                base = recovery.rheobase(model, params, 1.0, 1e-4)
                stimuli = [ou_noise(mean * base, sd * base, tau, 0.1, 9.9, 10.0, 1e-4, seed=7)]
            if stimuli is not None:
                rec = model.simulate(params, stimuli, dt=1e-6)
            sweeps = [(t.v, t.current, float(t.dt),
                       None if t.spike_times is None else np.asarray(t.spike_times, float))
                      for t in rec]
            with open(Path(folder) / f"{name}_{workload}.pkl", "wb") as f:
                pickle.dump(sweeps, f)
            truths[name, workload] = truth
    return truths


def worker(tree, folder):
    """Answer ``model workload`` lines with ``cpu_seconds`` and the estimate as a pickle path."""
    sys.path.insert(0, tree)
    import warnings

    import spikefit
    from spikefit.data import Recording, Stimulus, Trace
    from spikefit.fitting import estimate

    warnings.simplefilter("ignore")  # presets outside the search bounds warn
    seen = set()
    for line in sys.stdin:
        name, workload = line.split()
        with open(Path(folder) / f"{name}_{workload}.pkl", "rb") as f:
            sweeps = pickle.load(f)
        rec = Recording(tuple(Trace(v, Stimulus(i, dt), s) for v, i, dt, s in sweeps))
        model = spikefit.get_model(name)
        if line not in seen:  # a warm-up call: imports, caches
            estimate(model, rec)
            seen.add(line)
        start = time.process_time()
        est = estimate(model, rec)
        seconds = time.process_time() - start
        out = Path(folder) / f"{name}_{workload}_{os.getpid()}.est"
        with open(out, "wb") as f:
            pickle.dump(dict(est.params), f)
        print(f"{seconds:.4f} {out}", flush=True)


def start(tree, folder):
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONPATH=tree)
    return subprocess.Popen([sys.executable, __file__, "--worker", tree, folder],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)


def ask(process, request):
    process.stdin.write(request + "\n")
    process.stdin.flush()
    seconds, path = process.stdout.readline().split()
    with open(path, "rb") as f:
        return float(seconds), pickle.load(f)


def worst_error(truth, params):
    """Largest |estimate / truth - 1| over the parameters with a nonzero, finite estimate."""
    import math

    if truth is None:
        return math.nan
    errors = [abs(params[n] / truth[n] - 1) for n in truth
              if truth[n] != 0 and math.isfinite(params[n])]
    return max(errors)


def difference(truth, before, after):
    """Largest |after - before| / |truth| over the parameters with a nonzero truth (without
    a truth, relative to ``before``)."""
    import math

    scale = truth or before
    return max(abs(after[n] - before[n]) / abs(scale[n]) for n in scale
               if scale[n] != 0 and math.isfinite(before[n]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--models", nargs="+", default=list(CASES))
    parser.add_argument("--workloads", nargs="+", default=["steps", "noise10"],
                        choices=["steps", "noise10", "hh"])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import numpy as np

    folder = tempfile.mkdtemp()
    sys.path.insert(0, str(Path(args.after).resolve()))
    truths = recordings(args.models, args.workloads, folder)
    workers = [start(str(Path(t).resolve()), folder) for t in (args.before, args.after)]
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print("model workload before after (CPU s, median) speed-up (median; min-max) "
          "worst error before after, difference")
    for name in args.models:
        for workload in args.workloads:
            rows, errors = [], None
            for r in range(args.rounds):
                order = workers if r % 2 == 0 else workers[::-1]
                got = {id(w): ask(w, f"{name} {workload}") for w in order}
                rows.append((got[id(workers[0])][0], got[id(workers[1])][0]))
                truth = truths[name, workload]
                errors = [worst_error(truth, got[id(w)][1]) for w in workers]
                errors.append(difference(truth, *(got[id(w)][1] for w in workers)))
            before, after = np.array(rows).T
            ratio = before / after
            print(f"{name} {workload} {np.median(before):.3f} {np.median(after):.3f} "
                  f"{np.median(ratio):.1f}; {ratio.min():.1f}-{ratio.max():.1f} "
                  f"{errors[0]:.2e} {errors[1]:.2e} {errors[2]:.1e}", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    for w in workers:
        w.stdin.close()
        w.wait()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
