"""Network throughput: the Destexhe 2009 network on Brian 2's numpy, cython and cpp_standalone targets.

Workload: ``spikefit.studies.destexhe2009.simulate_network`` with its defaults (10 % LTS, b_RS = 5 pA,
notebook kick) at N = 500 and 2000 cells, 1 s of biological time, dt = 0.1 ms, seed 1 (a
seed whose network sustains its activity on every target, so that all targets simulate a
comparable number of spikes; targets draw different random numbers, so the spike counts
differ a little and are reported).

Every run is a fresh Python process, as a user's script would be. Per target and size:

* cold: one run into empty compile caches (a new Cython cache directory, a new standalone
  project folder), as on a fresh CI machine;
* warm: ``--repeats`` further runs with the caches the cold run filled (median and fastest
  reported: on a shared machine the fastest is the least disturbed).

Timed is ``NetworkResult.wall_time``: building the network, code generation, compilation
and the run (not Python's start-up and ``import brian2``, which are reported separately as
the process time). The compile share is ``1 - warm / cold``.

    python benchmarks/network_throughput.py                 # N = 500, 2000; 3 warm repeats
    python benchmarks/network_throughput.py --quick         # smoke run: N = 200, 0.4 s, 1 repeat
    python benchmarks/network_throughput.py --output benchmarks/_results_network.md
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

TARGETS = ("numpy", "cython", "cpp_standalone")

_CHILD = """
import json, os, sys
import brian2
brian2.prefs.codegen.runtime.cython.cache_dir = os.environ["BENCH_CYTHON_CACHE"]
from spikefit.studies.destexhe2009 import simulate_network
r = simulate_network(n={n}, duration={duration}, seed={seed}, codegen_target={target!r})
print("RESULT " + json.dumps(dict(wall=r.wall_time, spikes=sum(p.count for p in r.spikes.values()),
                                  rate=r.mean_rate, persistence=r.persistence)))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000", help="comma-separated network sizes (default 500,2000)")
    parser.add_argument("--duration", type=float, default=1.0, help="biological time per run, s (default 1)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated Brian 2 targets")
    parser.add_argument("--repeats", type=int, default=3, help="warm runs per target and size (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="smoke run: N = 200, 0.4 s, 1 warm repeat")
    parser.add_argument("--output", default=None, help="also write the markdown table to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.duration, args.repeats = "200", 0.4, 1
    return args


def run_once(n: int, duration: float, seed: int, target: str, cython_cache: str, standalone_cache: str) -> dict:
    """One fresh process; returns the child's numbers plus the process wall time."""
    env = dict(os.environ, BENCH_CYTHON_CACHE=cython_cache, SPIKEFIT_CACHE=standalone_cache)
    code = _CHILD.format(n=n, duration=duration, seed=seed, target=target)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    process = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{target} N={n} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["process"] = process
    return result


def measure(n: int, duration: float, seed: int, target: str, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as cython_cache, tempfile.TemporaryDirectory() as standalone_cache:
        cold = run_once(n, duration, seed, target, cython_cache, standalone_cache)
        warm = [run_once(n, duration, seed, target, cython_cache, standalone_cache) for _ in range(repeats)]
    warm_wall = statistics.median(r["wall"] for r in warm) if warm else float("nan")
    return dict(target=target, n=n, cold=cold["wall"], warm=warm_wall,
                warm_min=min(r["wall"] for r in warm) if warm else float("nan"),
                warm_process=statistics.median(r["process"] for r in warm) if warm else float("nan"),
                compile_share=1 - warm_wall / cold["wall"] if warm else float("nan"),
                spikes=cold["spikes"], rate=cold["rate"], persistence=cold["persistence"])


def table(rows: list[dict], duration: float) -> str:
    lines = ["| target | N | cold run (s) | warm run (s), median | warm run (s), fastest | compile share of cold run | "
             "warm process incl. import (s) | wall s per biological s, warm | spikes | mean rate after kick (Hz) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['target']} | {r['n']} | {r['cold']:.1f} | {r['warm']:.1f} | {r['warm_min']:.1f} | {100 * r['compile_share']:.0f} % | "
                     f"{r['warm_process']:.1f} | {r['warm'] / duration:.1f} | {r['spikes']} | {r['rate']:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    targets = [t for t in args.targets.split(",") if t]
    command = "python benchmarks/network_throughput.py " + " ".join(argv if argv is not None else sys.argv[1:])
    rows = []
    load_before = os.getloadavg()[0]
    for n in sizes:
        for target in targets:
            row = measure(n, args.duration, args.seed, target, args.repeats)
            rows.append(row)
            print(f"{target:>15} N={n:5d}: cold {row['cold']:6.1f} s, warm {row['warm']:6.1f} s "
                  f"(compile {100 * row['compile_share']:.0f} %), {row['spikes']} spikes", flush=True)
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"1-min load average {load_before:.1f} at start and {os.getloadavg()[0]:.1f} at end")
    text = (f"Command: `{command.strip()}`\n\nMachine: {machine}; {args.duration:g} s biological time, "
            f"{args.repeats} warm repeats.\n\n{table(rows, args.duration)}\n")
    print("\n" + text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
