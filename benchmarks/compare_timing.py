"""How long the default comparison (`spikefit compare`) takes, from a cold and a warm numba cache,
with one and two worker processes, against the 2-minute goal; optionally paired against another
checkout of spikefit (the process pool before Dask: issue 14's start-up rule).

Each run is a fresh `spikefit compare` process; "cold" points NUMBA_CACHE_DIR at an empty folder,
so every kernel is compiled as on a new install. With ``--against DIR`` each run of this checkout
is paired with a run of the spikefit package in DIR (same workers, cache state and load, the
order alternating), and the ratio of each pair is reported (median over the pairs).

    python benchmarks/compare_timing.py [--workers 1,2] [--repeats 1] [--against DIR] [--states cold,warm]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL = 120.0  # s, issue 6: the default comparison from a cold start on 2 cores
HERE = str(Path(__file__).resolve().parents[1])


def run(workers: int, cache: str, root: str = HERE) -> float:
    out = Path(tempfile.mkdtemp()) / "report"
    path = os.pathsep.join([root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": path}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "spikefit.cli", "compare", "--workers", str(workers), "--out", str(out)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return time.perf_counter() - started


def alone(workers: int, repeats: int) -> None:
    cold = statistics.median(run(workers, tempfile.mkdtemp()) for _ in range(repeats))
    cache = tempfile.mkdtemp()
    run(workers, cache)  # fill the cache
    warm = statistics.median(run(workers, cache) for _ in range(repeats))
    print(f"  workers {workers}: cold {cold:6.1f} s ({cold / GOAL:.2f} of the goal), warm {warm:6.1f} s")


def paired(workers: int, repeats: int, other: str, states: tuple[str, ...]) -> None:
    caches = {root: tempfile.mkdtemp() for root in (HERE, other)}
    if "warm" in states:
        for root, cache in caches.items():
            run(workers, cache, root)  # fill each warm cache
    times = {(state, root): [] for state in states for root in caches}
    for repeat in range(repeats):
        order = list(caches) if repeat % 2 == 0 else list(caches)[::-1]
        for state in states:
            for root in order:
                times[state, root].append(run(workers, tempfile.mkdtemp() if state == "cold" else caches[root], root))
    for state in states:
        here, there = times[state, HERE], times[state, other]
        ratios = [a / b for a, b in zip(here, there)]
        print(f"  workers {workers}, {state}: this {statistics.median(here):6.1f} s, other "
              f"{statistics.median(there):6.1f} s, ratio this/other: median {statistics.median(ratios):.3f} "
              f"(pairs: {', '.join(f'{r:.3f}' for r in ratios)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--against", metavar="DIR", help="a folder holding another spikefit package to pair with")
    parser.add_argument("--states", default="cold,warm", help="with --against: cold, warm or both")
    args = parser.parse_args()
    print(f"default comparison (its default models and cells, 2000 trials a fit), {os.cpu_count()} CPUs; "
          f"goal {GOAL:.0f} s")
    for workers in (int(w) for w in args.workers.split(",")):
        if args.against:
            paired(workers, args.repeats, str(Path(args.against).resolve()), tuple(args.states.split(",")))
        else:
            alone(workers, args.repeats)


if __name__ == "__main__":
    main()
