"""Simulation throughput: the numba batch kernel against Brian 2 on the same AdEx workload.

Workload: AdEx with the Brette-Gerstner 2005 constants (spikefit's defaults), parameter sets
that differ in ``a`` (1..8 nS) and ``b`` (40..120 pA), drawn at random with a fixed seed;
1 s at dt = 0.1 ms; a 0.8 nA step from 0.1 to 0.9 s. Both sides start at V = E_L, w = 0,
integrate (Brian: forward Euler; numba since issue 12: Heun with the crossing interpolated)
and reset at V > V_cut (t_ref = 0, the default).

* numba: ``spikefit.get_model("adex").simulate_batch(table, stim)``, the whole call timed
  (table building included); a warm-up call first, so JIT compilation (or loading it from
  numba's on-disk cache) is excluded and reported separately.
* Brian 2: a NeuronGroup written here with the same equations, per-neuron parameters and the
  current from a TimedArray, on ``prefs.codegen.target = "cython"`` (its fastest runtime
  target). A fresh network per repeat; only ``Network.run`` is timed (building the group and
  setting its parameters is not), which favours Brian 2. A warm-up run of the same network
  per size excludes compilation; the first one, into an empty Cython cache, is reported.

Throughput is neuron-steps per second: sets x 10 000 steps / wall time, median of repeats.
Both sides run in this one process, so their ratio is measured under the same machine load.

    python benchmarks/simulate_throughput.py                 # 1, 100, 10 000 sets, 5 repeats
    python benchmarks/simulate_throughput.py --quick         # smoke run (1 and 100 sets)
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np

DT = 1e-4
DURATION = 1.0
AMPLITUDE, START, STOP = 0.8e-9, 0.1, 0.9
A_RANGE = (1e-9, 8e-9)
B_RANGE = (40e-12, 120e-12)
N_STEPS = int(round(DURATION / DT))
N_COMPARED = 20


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,100,10000",
                        help="comma-separated numbers of parameter sets (default 1,100,10000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per size and side (default 5)")
    parser.add_argument("--brian-target", default="cython", choices=("cython", "numpy"),
                        help="Brian 2 runtime code-generation target (default cython, its fastest)")
    parser.add_argument("--brian-cache-dir", default=None,
                        help="Cython cache for Brian 2; by default a fresh temporary one, so that "
                             "the compile time reported is a real compile")
    parser.add_argument("--no-single-thread", action="store_true",
                        help="skip the numba figure on one thread")
    parser.add_argument("--no-cold-compile", action="store_true",
                        help="skip timing numba's compile from an empty cache (a subprocess)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: sizes 1,100, 2 repeats, no cold numba compile")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = "1,100"
        args.repeats = 2
        args.no_cold_compile = True
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs positive integers")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def parameter_sets(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` AdEx parameter sets differing in a and b (the rest: model defaults)."""
    rng = np.random.default_rng(seed)
    return {"a": rng.uniform(*A_RANGE, n), "b": rng.uniform(*B_RANGE, n)}


def compared_indices(n: int) -> np.ndarray:
    """Up to ``N_COMPARED`` sets spread over the table, for the spike-time comparison."""
    return np.unique(np.linspace(0, n - 1, min(n, N_COMPARED)).round().astype(int))


def median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def rate(n_sets: int, seconds: float) -> float:
    """Million neuron-steps per second."""
    return n_sets * N_STEPS / seconds / 1e6


# --- numba ----------------------------------------------------------------------------------

_COLD_SNIPPET = textwrap.dedent("""
    import time, spikefit
    stim = spikefit.step({amp!r}, {start!r}, {stop!r}, {dur!r}, dt={dt!r})
    model = spikefit.get_model("adex")
    t0 = time.perf_counter()
    for n in (1, {many}):  # one block (the block function alone) and two (parallel kernel)
        model.simulate_batch({{"a": [4e-9] * n, "b": [80.5e-12] * n}}, stim)
    print(time.perf_counter() - t0)
""")


def numba_cold_compile() -> float | None:
    """First simulate_batch in a fresh process whose numba cache is empty (compile included)."""
    cache = tempfile.mkdtemp(prefix="spikefit-numba-cache-")
    try:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        from spikefit.models.kernel_tools import BLOCK

        code = _COLD_SNIPPET.format(amp=AMPLITUDE, start=START, stop=STOP, dur=DURATION, dt=DT,
                                    many=BLOCK + 1)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        return float(out.stdout.strip().splitlines()[-1])
    except (subprocess.CalledProcessError, ValueError, IndexError) as exc:
        print(f"  (cold numba compile not measured: {exc})", file=sys.stderr)
        return None
    finally:
        shutil.rmtree(cache, ignore_errors=True)


# --- Brian 2 --------------------------------------------------------------------------------

ADEX_EQUATIONS = """
dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w + I_stim(t)) / C : volt
dw/dt = (a*(v - E_L) - w) / tau_w : amp
C : farad (constant)
g_L : siemens (constant)
E_L : volt (constant)
V_T : volt (constant)
Delta_T : volt (constant)
tau_w : second (constant)
a : siemens (constant)
b : amp (constant)
V_reset : volt (constant)
V_cut : volt (constant)
"""

_UNITS = {"C": "farad", "g_L": "siemens", "E_L": "volt", "V_T": "volt", "Delta_T": "volt",
          "tau_w": "second", "a": "siemens", "b": "amp", "V_reset": "volt", "V_cut": "volt"}


def brian_network(table, stim):
    """The AdEx group of ``table`` (a spikefit parameter table) under ``stim``, with a spike monitor."""
    import brian2 as b2

    if (table["t_ref"] != 0).any():
        raise ValueError("this benchmark's Brian 2 network has no refractory period")
    # A fixed name: Brian 2 numbers unnamed TimedArrays, the name goes into the generated
    # code, and a new name would make every network a new Cython module to compile.
    I_stim = b2.TimedArray(stim.current * b2.amp, dt=stim.dt * b2.second, name="I_stim_values")
    group = b2.NeuronGroup(len(table), ADEX_EQUATIONS, threshold="v > V_cut",
                           reset="v = V_reset; w += b", method="euler", dt=DT * b2.second,
                           namespace={"I_stim": I_stim}, name="adex")
    for name, unit in _UNITS.items():
        setattr(group, name, table[name].to_numpy() * getattr(b2, unit))
    group.v = table["E_L"].to_numpy() * b2.volt
    group.w = 0 * b2.amp
    monitor = b2.SpikeMonitor(group, name="spikes")
    return b2.Network(group, monitor), monitor


def brian_run(table, stim) -> tuple[float, float, np.ndarray, list[np.ndarray]]:
    """Build and run one network.

    Returns (build seconds, run seconds, spike counts, spike times in s of the compared sets).
    Only plain arrays leave: a Brian 2 object kept alive makes the next group of the same name
    get other array names in its generated code, hence a new Cython module to compile.
    """
    import brian2 as b2

    t0 = time.perf_counter()
    net, monitor = brian_network(table, stim)
    t1 = time.perf_counter()
    net.run(DURATION * b2.second)
    t2 = time.perf_counter()
    counts = np.array(monitor.count[:])
    trains = monitor.spike_trains()
    times = [np.asarray(trains[int(i)] / b2.second, float) for i in compared_indices(len(table))]
    return t1 - t0, t2 - t1, counts, times


def setup_brian(target: str, cache_dir: str | None) -> str | None:
    """Select the target; returns a temporary cache dir to remove at the end, if one was made."""
    import brian2 as b2

    b2.prefs.codegen.target = target
    b2.prefs.logging.console_log_level = "WARNING"
    made = None
    if target == "cython":
        if cache_dir is None:
            cache_dir = made = tempfile.mkdtemp(prefix="spikefit-brian-cython-")
        b2.prefs.codegen.runtime.cython.cache_dir = cache_dir
    return made


# --- comparison -----------------------------------------------------------------------------

def compare(result, brian_counts, brian_times, n: int) -> tuple[int, int, int, float]:
    """Spike counts and times of numba against Brian 2.

    Returns (equal counts among the compared sets, compared sets, equal counts over all sets,
    largest spike-time difference in the compared sets with equal counts, in s). Brian 2
    stamps a spike with the start of the step that crossed V_cut, spikefit with its end, so
    Brian's times are shifted by one dt before comparing.
    """
    numba_counts = result.spike_counts[:, 0]
    idx = compared_indices(n)
    equal = int((numba_counts[idx] == brian_counts[idx]).sum())
    worst = 0.0
    for i, theirs in zip(idx, brian_times):
        ours = result.spikes(int(i))
        if len(ours) == len(theirs) and len(ours):
            worst = max(worst, float(np.abs(ours - (theirs + DT)).max()))
    return equal, len(idx), int((numba_counts == brian_counts).sum()), worst


# --- main -----------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or "unknown"


def main(argv=None) -> int:
    args = parse_args(argv)

    import numba

    import brian2 as b2
    import spikefit
    from spikefit.models.adex import adex_block, adex_kernel
    from spikefit.models.kernel_tools import BLOCK

    stim = spikefit.step(AMPLITUDE, START, STOP, DURATION, dt=DT)
    model = spikefit.get_model("adex")
    threads = numba.get_num_threads()

    print("AdEx simulation throughput: spikefit numba batch kernel vs Brian 2")
    print(f"  machine: {cpu_model()}, {os.cpu_count()} cores; load average at start "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__} "
          f"({threads} threads), brian2 {b2.__version__}")
    print(f"  workload: 1 s at dt = 0.1 ms ({N_STEPS} steps), 0.8 nA step 0.1-0.9 s, a in 1..8 nS, "
          f"b in 40..120 pA; sizes {args.sizes}; median of {args.repeats}; BLOCK = {BLOCK}")

    # numba: compile / first call, of the block function alone (one block) and the parallel one
    t0 = time.perf_counter()
    for n in (1, BLOCK + 1):
        model.simulate_batch(parameter_sets(n), stim)
    numba_first = time.perf_counter() - t0
    kernels = [adex_kernel, adex_block]
    hits = sum(len(k.stats.cache_hits) for k in kernels)
    misses = sum(len(k.stats.cache_misses) for k in kernels)
    how = ("loaded from numba's cache" if hits and not misses else
           "compiled" if misses and not hits else "compiled in part")
    layer = numba.threading_layer()

    # Brian 2: the first run compiles into an empty cache
    made_cache = setup_brian(args.brian_target, args.brian_cache_dir)
    try:
        first_table = model.table(parameter_sets(args.sizes[0]))
        build, run, _, _ = brian_run(first_table, stim)
        brian_first = build + run

        rows = []
        for n in args.sizes:
            table_in = parameter_sets(n)
            table = model.table(table_in)

            numba.set_num_threads(threads)
            result = model.simulate_batch(table_in, stim)  # warm-up, and the spikes to compare
            t_numba, all_numba = median_time(lambda: model.simulate_batch(table_in, stim), args.repeats)
            t_single = None
            if not args.no_single_thread and threads > 1:
                numba.set_num_threads(1)
                model.simulate_batch(table_in, stim)
                t_single, _ = median_time(lambda: model.simulate_batch(table_in, stim), args.repeats)
                numba.set_num_threads(threads)

            brian_run(table, stim)  # warm-up of this size
            runs = [brian_run(table, stim) for _ in range(args.repeats)]
            t_brian = statistics.median(r[1] for r in runs)
            all_brian = [r[1] for r in runs]
            t_brian_build = statistics.median(r[0] for r in runs)
            agree = compare(result, runs[-1][2], runs[-1][3], n)
            del runs

            row = {
                "n": n, "numba": rate(n, t_numba), "single": None if t_single is None else rate(n, t_single),
                "brian": rate(n, t_brian), "brian_total": rate(n, t_brian + t_brian_build),
                "t_numba": t_numba, "t_brian": t_brian, "t_build": t_brian_build, "agree": agree,
            }
            row["ratio"] = row["numba"] / row["brian"]
            rows.append(row)
            single = "" if t_single is None else f", 1 thread {row['single']:.1f} M/s"
            print(f"  {n:>6} sets: numba {row['numba']:.1f} M/s ({t_numba * 1e3:.2f} ms, runs "
                  f"{min(all_numba) * 1e3:.2f}-{max(all_numba) * 1e3:.2f}){single}; "
                  f"Brian 2 {row['brian']:.3g} M/s (run {t_brian * 1e3:.1f} ms, runs "
                  f"{min(all_brian) * 1e3:.0f}-{max(all_brian) * 1e3:.0f}; build "
                  f"{t_brian_build * 1e3:.1f} ms); ratio {row['ratio']:.1f}", flush=True)
    finally:
        if made_cache:
            shutil.rmtree(made_cache, ignore_errors=True)

    print(f"  load average at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    cold = None if args.no_cold_compile else numba_cold_compile()  # after the timings: 5-15 s
    print()
    brian_how = ("into an empty Cython cache" if made_cache else
                 "Cython cache as given" if args.brian_target == "cython" else "nothing to compile")
    print(f"Compile / first call: numba {numba_first:.2f} s in this process ({how}; threading "
          f"layer {layer})"
          + ("" if cold is None else f", {cold:.2f} s from an empty cache in a fresh process")
          + f"; Brian 2 ({args.brian_target}) first run {brian_first:.2f} s at {args.sizes[0]} sets "
          + f"({brian_how})")
    print()
    print("Spike agreement (numba vs Brian 2, Brian's times + dt):")
    for row in rows:
        eq, k, eq_all, worst = row["agree"]
        print(f"  {row['n']:>6} sets: spike counts equal in {eq}/{k} compared sets, "
              f"{eq_all}/{row['n']} of all; largest spike-time difference {worst * 1e3:.3g} ms")
    print()
    single_head = " numba 1 thread (M/s) |" if any(r["single"] is not None for r in rows) else ""
    print(f"| sets | numba {threads} threads (M neuron-steps/s) |{single_head} "
          f"Brian 2 {args.brian_target} run (M/s) | ratio numba / Brian 2 | Brian 2 build + run (M/s) |")
    print("|---:|---:|" + ("---:|" if single_head else "") + "---:|---:|---:|")
    for row in rows:
        single = "" if not single_head else (
            f" {row['single']:.1f} |" if row["single"] is not None else " - |")
        print(f"| {row['n']:,} | {row['numba']:.1f} |{single} {row['brian']:.3g} | "
              f"{row['ratio']:.1f} | {row['brian_total']:.3g} |")
    print()
    biggest = max(rows, key=lambda r: r["n"])
    goal_rate = biggest["n"] >= 10_000 and biggest["numba"] >= 300
    goal_ratio = all(r["ratio"] >= 5 for r in rows)
    if biggest["n"] >= 10_000:
        print(f"Goal >= 300 M/s at {biggest['n']:,} sets: {'met' if goal_rate else 'NOT met'} "
              f"({biggest['numba']:.0f} M/s)")
    print(f"Goal >= 5x Brian 2 at every size: {'met' if goal_ratio else 'NOT met'} "
          f"(lowest {min(r['ratio'] for r in rows):.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
