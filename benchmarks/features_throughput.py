"""Feature throughput: eFEL against spikefit's fast path, and both against the simulation.

Workload (as benchmarks/simulate_throughput.py): AdEx with the Brette-Gerstner 2005 constants,
1 000 parameter sets differing in ``a`` (1..8 nS) and ``b`` (40..120 pA), drawn with a fixed
seed; 1 s at dt = 0.1 ms; a 0.8 nA step from 0.1 to 0.9 s. The features are the fast path's
default set (``FAST_DEFAULT``): spike_count, mean_frequency, time_to_first_spike, ISI_CV,
adaptation_index2 (firing) and voltage_base, steady_state_voltage_stimend (subthreshold).

Timed, each in this one process, median of repeats (the whole call each time):

* simulation: ``simulate_batch(table, stim)`` (spike times only, what the firing features
  need) and with ``record_v=True`` (what the subthreshold features and eFEL need);
* eFEL: ``spikefit.extract_features`` on the 1 000 traces, and ``efel.get_feature_values``
  called directly on the same 1 000 trace dicts (ms, mV) to show spikefit's own overhead;
* fast path: ``batch_features(result)`` on the firing features (spike times only) and on
  all seven (with the recorded voltages).

Warm-up calls first, so numba's compilation (or its loading from the cache) is excluded.
The run also checks that the fast path's table equals eFEL's (max relative difference).

    python benchmarks/features_throughput.py               # 1 000 sweeps, 5 repeats (3 for eFEL)
    python benchmarks/features_throughput.py --quick       # 100 sweeps, 2 repeats
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

DT, DURATION = 1e-4, 1.0
AMPLITUDE, START, STOP = 0.8e-9, 0.1, 0.9
A_RANGE, B_RANGE = (1e-9, 8e-9), (40e-12, 120e-12)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sweeps", type=int, default=1000, help="parameter sets, one 1 s sweep each (default 1000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of the fast path and the simulation")
    parser.add_argument("--efel-repeats", type=int, default=3, help="timed runs through eFEL (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 sweeps, 2 repeats")
    args = parser.parse_args(argv)
    if args.quick:
        args.sweeps, args.repeats, args.efel_repeats = 100, 2, 2
    if args.sweeps < 1 or args.repeats < 1 or args.efel_repeats < 1:
        parser.error("--sweeps and the repeats must be at least 1")
    return args


def median_time(call, repeats: int) -> float:
    """Median wall time (s) of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> None:
    args = parse_args(argv)
    import efel

    import spikefit
    from spikefit.features import batch_features, extract_features
    from spikefit.features.fast import FAST_DEFAULT, FIRING_FEATURES

    rng = np.random.default_rng(0)
    table = {"a": rng.uniform(*A_RANGE, args.sweeps), "b": rng.uniform(*B_RANGE, args.sweeps)}
    stim = spikefit.step(AMPLITUDE, START, STOP, DURATION, dt=DT)
    adex = spikefit.get_model("adex")
    names = list(FAST_DEFAULT)

    result = adex.simulate_batch(table, stim, record_v=True)  # warm-up, and the traces
    spikes_only = adex.simulate_batch(table, stim)
    batch_features(result), batch_features(spikes_only)
    traces = [result.trace(i) for i in range(args.sweeps)]
    dicts = [{"T": np.arange(stim.n_samples) * (DT * 1e3), "V": t.v * 1e3,
              "stim_start": [START * 1e3], "stim_end": [STOP * 1e3]} for t in traces]

    timings = {
        "simulate_batch (spike times)": median_time(lambda: adex.simulate_batch(table, stim), args.repeats),
        "simulate_batch (record_v=True)": median_time(
            lambda: adex.simulate_batch(table, stim, record_v=True), args.repeats),
        "fast path, 5 firing features": median_time(
            lambda: batch_features(spikes_only, list(FIRING_FEATURES)), args.repeats),
        "fast path, all 7 features": median_time(lambda: batch_features(result, names), args.repeats),
        "extract_features (eFEL), 7 features": median_time(
            lambda: extract_features(traces, names), args.efel_repeats),
        "efel.get_feature_values direct, 7": median_time(
            lambda: efel.get_feature_values(dicts, names, raise_warnings=False), args.efel_repeats),
    }
    fast, slow = batch_features(result, names), extract_features(traces, names)
    agreement = _max_relative_difference(fast.to_numpy(), slow.to_numpy())
    _report(args, timings, agreement)


def _max_relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return float("inf")
    both = ~np.isnan(a)
    return float(np.max(np.abs(a[both] - b[both]) / np.maximum(np.abs(b[both]), 1e-300), initial=0.0))


def _report(args, timings: dict, agreement: float) -> None:
    import numba

    import efel

    n = args.sweeps
    print(f"# features of {n} AdEx sweeps of 1 s at 0.1 ms (medians of {args.repeats} runs, "
          f"{args.efel_repeats} through eFEL)")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, numba threads "
          f"{numba.get_num_threads()}, eFEL {efel.__version__}, numpy {np.__version__}")
    sim = timings["simulate_batch (spike times)"]
    sim_v = timings["simulate_batch (record_v=True)"]
    print(f"{'':38s} {'total (s)':>10s} {'per sweep (us)':>15s} {'/ sim':>8s} {'/ sim_v':>8s}")
    for label, seconds in timings.items():
        print(f"{label:38s} {seconds:10.4f} {seconds / n * 1e6:15.1f} {seconds / sim:8.2f} {seconds / sim_v:8.2f}")
    efel_cost = timings["extract_features (eFEL), 7 features"]
    print(f"eFEL / fast path (7 features): {efel_cost / timings['fast path, all 7 features']:.0f}x; "
          f"fast path max relative difference to eFEL: {agreement:.1e}")


if __name__ == "__main__":
    main()
