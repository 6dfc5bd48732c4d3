"""Reset-model kernels of two checkouts side by side: CPU time, one numba thread, the ratio.

    python benchmarks/reset_kernel_throughput.py BEFORE AFTER [--models lif izhikevich adex]
        [--sets 32 256 4096] [--rounds 7] [--no-record-v]

BEFORE and AFTER are checkouts to import spikefit from. One worker process per checkout
(``NUMBA_NUM_THREADS=1``) stays up; the script asks them in turn, so that both see the same
load, and each answer is the best of 3 calls by ``time.process_time`` after a warm-up call.
Workload, as ``fit`` simulates it: the model's defaults with every parameter but the
voltages spread by +-10 % (seeded; a voltage spread would break the models' order rules),
three steps of 0.5 s at dt = 0.1 ms (the default protocol), ``check=False`` and
``record_v=True`` (the default ``features`` objective reads subthreshold features from the
voltage; ``--no-record-v`` for the kernels alone). Prints, per model and number of sets,
the median over rounds of each checkout's M neuron-steps/s, the median (min-max) of the
per-round ratios AFTER/BEFORE and the mean spike rate per set.
"""
import argparse
import os
import subprocess
import sys
import time

AMPLITUDES = {"lif": (0.25e-9, 0.35e-9, 0.5e-9), "izhikevich": (0.1e-9, 0.2e-9, 0.3e-9),
              "adex": (0.4e-9, 0.6e-9, 0.8e-9)}
"""Step amplitudes (A): from near rheobase to firing at some 40-150 spikes/s."""


def worker(tree):
    """Answer ``model n_sets record_v`` lines with ``steps_per_s spikes_per_s``."""
    sys.path.insert(0, tree)
    import numpy as np

    import spikefit

    for line in sys.stdin:
        name, n, record_v = line.split()
        n, record_v = int(n), record_v == "1"
        model = spikefit.get_model(name)
        stimuli = [spikefit.step(a, 0.0, 0.5, 0.5, 1e-4) for a in AMPLITUDES[name]]
        rng = np.random.default_rng(0)
        spread = {p.name: 1.0 if p.unit == "V" else rng.uniform(0.9, 1.1, n) for p in model.parameters}
        table = {name: np.full(n, value) * spread[name] for name, value in model.defaults().items()}
        table = model.table(table).to_dict("list")
        table = {k: np.asarray(v, float) for k, v in table.items()}
        model.simulate_batch(table, stimuli, record_v=record_v, check=False)
        best = np.inf
        for _ in range(3):
            start = time.process_time()
            result = model.simulate_batch(table, stimuli, record_v=record_v, check=False)
            best = min(best, time.process_time() - start)
        steps = n * sum(s.n_samples for s in stimuli)
        rate = result.spike_counts.sum() / n / (0.5 * len(stimuli))
        print(f"{steps / best / 1e6:.1f} {rate:.1f}", flush=True)


def start(tree):
    env = dict(os.environ, NUMBA_NUM_THREADS="1", PYTHONPATH=tree)
    return subprocess.Popen([sys.executable, __file__, "--worker", tree], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)


def ask(process, request):
    process.stdin.write(request + "\n")
    process.stdin.flush()
    return [float(x) for x in process.stdout.readline().split()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--models", nargs="+", default=["izhikevich", "adex", "lif"])
    parser.add_argument("--sets", nargs="+", type=int, default=[32, 256, 4096])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-record-v", action="store_true")
    args = parser.parse_args()
    import numpy as np

    workers = [start(args.before), start(args.after)]
    record_v = "0" if args.no_record_v else "1"
    print(f"load average at start: {os.getloadavg()[0]:.2f}; record_v={record_v}")
    print("model n_sets spikes/s before after (M neuron-steps/s, median) ratio (median; min-max)")
    for name in args.models:
        for n in args.sets:
            rows = []
            for r in range(args.rounds):
                order = workers if r % 2 == 0 else workers[::-1]
                got = {id(w): ask(w, f"{name} {n} {record_v}") for w in order}
                rows.append((got[id(workers[0])][0], got[id(workers[1])][0], got[id(workers[1])][1]))
            before, after, rate = np.array(rows).T
            ratio = after / before
            print(f"{name} {n} {np.median(rate):.0f} {np.median(before):.0f} {np.median(after):.0f} "
                  f"{np.median(ratio):.2f}; {ratio.min():.2f}-{ratio.max():.2f}", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    for w in workers:
        w.stdin.close()
        w.wait()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2])
    else:
        main()
