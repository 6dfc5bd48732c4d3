"""CPU time of one reset-model kernel on one numba thread, M neuron-steps/s.

    python benchmarks/reset_kernel_throughput.py TREE MODEL N_SETS

TREE is a checkout to import spikefit from (run it for two checkouts, interleaved, to
compare them); the model's defaults, the first parameter spread by +-10 %, 1 s at
dt = 0.1 ms, a step of 0.8 nA (Izhikevich 0.3 nA; AMP=... in the environment for another,
in A) from 0.1 to 0.9 s; best of 5 by ``time.process_time`` after a warm-up. Prints the
throughput and the mean spike count per set.
"""
import os
import sys
import time

os.environ["NUMBA_NUM_THREADS"] = "1"
sys.path.insert(0, sys.argv[1])

import numpy as np  # noqa: E402

import spikefit  # noqa: E402

name, n = sys.argv[2], int(sys.argv[3])
model = spikefit.get_model(name)
amplitude = float(os.environ.get("AMP", 0.3e-9 if name == "izhikevich" else 0.8e-9))
stim = spikefit.step(amplitude, 0.1, 0.9, 1.0, 1e-4)
table = model.table([model.defaults()] * n)
first = model.parameters[0].name
table[first] = table[first] * np.random.default_rng(0).uniform(0.9, 1.1, n)
model.simulate_batch(table, stim)
best = np.inf
for _ in range(5):
    start = time.process_time()
    result = model.simulate_batch(table, stim)
    best = min(best, time.process_time() - start)
print(f"{n * stim.n_samples / best / 1e6:.0f} {result.spike_counts.mean():.1f}")
