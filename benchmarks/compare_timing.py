"""How long the default comparison (`spikefit compare`) takes, from a cold and a warm numba cache,
with one and two worker processes, against the 2-minute goal.

Each run is a fresh `spikefit compare` process; "cold" points NUMBA_CACHE_DIR at an empty folder,
so every kernel is compiled as on a new install.

    python benchmarks/compare_timing.py [--workers 1,2] [--repeats 1]
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


def run(workers: int, cache: str) -> float:
    out = Path(tempfile.mkdtemp()) / "report"
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "spikefit.cli", "compare", "--workers", str(workers), "--out", str(out)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    print(f"default comparison (3 models x 4 cells, 2000 trials a fit), {os.cpu_count()} CPUs; goal {GOAL:.0f} s")
    for workers in (int(w) for w in args.workers.split(",")):
        cold = statistics.median(run(workers, tempfile.mkdtemp()) for _ in range(args.repeats))
        cache = tempfile.mkdtemp()
        run(workers, cache)  # fill the cache
        warm = statistics.median(run(workers, cache) for _ in range(args.repeats))
        print(f"  workers {workers}: cold {cold:6.1f} s ({cold / GOAL:.2f} of the goal), warm {warm:6.1f} s")


if __name__ == "__main__":
    main()
