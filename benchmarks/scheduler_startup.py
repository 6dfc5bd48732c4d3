"""What the scheduling layer alone costs a default comparison: start the workers, run one
trivial job on each that imports what a fit's task imports (spikefit.reports.comparison), and
stop them; Dask's LocalCluster against the process pool it replaced (issue 14's 10 % rule).

The pool is read from another checkout of spikefit (``--against DIR``, the commit before Dask);
each measurement is a fresh process, the two ways alternating, so that pairs share the load.

    PYTHONPATH=. python benchmarks/scheduler_startup.py --against DIR [--workers 2] [--repeats 5]
"""
import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parents[1])

PROBE = """
import time
started = time.perf_counter()
from spikefit.reports.parallel import run_jobs
from spikefit.reports.comparison import versions as job   # importing it is what a fit task does first
out = run_jobs(job, {{i: {{}} for i in range({workers})}}, workers={workers})
assert len(out) == {workers}
print(time.perf_counter() - started)
"""


def once(root: str, workers: int) -> float:
    path = os.pathsep.join([root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    code = "if __name__ == '__main__':\n" + "".join(f"    {line}\n" for line in PROBE.format(workers=workers)
                                                       .strip().splitlines())
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": path}, check=True,
                          capture_output=True, text=True, cwd="/")
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, metavar="DIR")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    other = str(Path(args.against).resolve())
    here, there = [], []
    for repeat in range(args.repeats):
        for root in ((HERE, other) if repeat % 2 == 0 else (other, HERE)):
            (here if root == HERE else there).append(once(root, args.workers))
    diffs = [a - b for a, b in zip(here, there)]
    print(f"{args.workers} workers, load average {os.getloadavg()[0]:.1f}: this {statistics.median(here):.2f} s, "
          f"other {statistics.median(there):.2f} s (medians of {args.repeats}); this - other per pair: median "
          f"{statistics.median(diffs):.2f} s ({', '.join(f'{d:.2f}' for d in diffs)})")


if __name__ == "__main__":
    main()
