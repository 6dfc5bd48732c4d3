"""Fits per core-second on 1 and on 2 Dask workers, the scheduling overhead per task, and a
projection of the wall time of a comparison of many cells on many cores (issue 14).

Same cells, models and budget on each cluster (the default comparison's: 4 cells x 3 models,
2000 trials a fit); each cluster is a LocalCluster of one-thread worker processes, warmed first
(every model fitted once on every worker, so that numba's kernels are loaded) so that the
rates are those of a long run. Overhead per task: the wall time of trivial tasks (``dict``)
through the same scheduler, and, for the fits, the cluster's core-seconds minus the seconds the
fits themselves took (``FitSummary.wall_time``), over the number of fits.

    PYTHONPATH=. python benchmarks/dask_scale.py [--workers 1,2] [--trials 2000] [--cells 2000] [--cores 64]
"""
import argparse
import os
import statistics
import time

from spikefit.reports.splits import split_cell
from spikefit.reports.comparison import DEFAULT_CELLS, DEFAULT_MODELS
from spikefit.reports.fit_job import fit_job
from spikefit.reports.parallel import JobFailure, run_jobs


def jobs_for(cells, models, trials: int) -> dict:
    from spikefit.data import resolve
    from spikefit.reports.cells import cell_name

    out = {}
    for index, source in enumerate(cells):
        recording = resolve(source)
        name = cell_name(recording, index)
        split = split_cell(recording, name, None, None)
        for model in models:
            out[name, model] = dict(model=model, cell=name, train=split.sweeps("train"),
                                    repeats=split.groups("train"), objective="features", n_trials=trials, seed=0)
    return out


def warm(client, jobs: dict, workers: int) -> None:
    """Every model once on every worker, with a tiny budget (numba loads its kernels)."""
    import distributed

    distributed.wait([client.submit(fit_job, **{**job, "n_trials": 8}, workers=[address], pure=False)
                      for address in client.scheduler_info()["workers"] for job in
                      {job["model"]: job for job in jobs.values()}.values()])


def per_task_overhead(client, n: int = 400) -> float:
    """Seconds per trivial task, submitted together and gathered as they finish (as run_jobs does)."""
    import distributed

    started = time.perf_counter()
    for future in distributed.as_completed([client.submit(dict, pure=False) for _ in range(n)]):
        future.result()
    return (time.perf_counter() - started) / n


def measure(workers: int, jobs: dict) -> dict:
    import distributed

    started = time.perf_counter()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        startup = time.perf_counter() - started
        warm(client, jobs, workers)
        trivial = per_task_overhead(client)
        started = time.perf_counter()
        outcomes = run_jobs(fit_job, jobs, scheduler=client)
        wall = time.perf_counter() - started
    failed = [key for key, outcome in outcomes.items() if isinstance(outcome, JobFailure)]
    if failed:
        raise RuntimeError(f"fits failed: {failed}")
    fit_seconds = sum(outcome.wall_time for outcome in outcomes.values())
    by_model = {}
    for (cell, model), outcome in outcomes.items():
        by_model.setdefault(model, []).append(outcome.wall_time)
    return {"workers": workers, "startup": startup, "trivial": trivial, "wall": wall, "fits": len(jobs),
            "fit_seconds": fit_seconds, "rate": len(jobs) / (wall * workers),
            "overhead": (wall * workers - fit_seconds) / len(jobs),
            "mean_fit": {m: statistics.mean(v) for m, v in by_model.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--cells", type=int, default=2000, help="cells of the projection")
    parser.add_argument("--cores", type=int, default=64, help="cores (one-thread workers) of the projection")
    args = parser.parse_args()
    jobs = jobs_for(DEFAULT_CELLS, DEFAULT_MODELS, args.trials)
    print(f"{len(jobs)} fits ({len(DEFAULT_CELLS)} cells x {len(DEFAULT_MODELS)} models, {args.trials} trials), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    rows = [measure(int(w), jobs) for w in args.workers.split(",")]
    print("| workers | cluster start (s) | wall (s) | fits per core-second | fit time, sum (s) | "
          "overhead per fit (s) | trivial task (ms) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['workers']} | {r['startup']:.1f} | {r['wall']:.1f} | {r['rate']:.4f} | {r['fit_seconds']:.1f} | "
              f"{r['overhead']:.2f} | {1e3 * r['trivial']:.1f} |")
    for r in rows:
        print(f"  workers {r['workers']}: mean fit time per model (s): "
              + ", ".join(f"{m} {t:.1f}" for m, t in r["mean_fit"].items()))
    project(rows[-1], args.cells, len(DEFAULT_MODELS), args.cores, os.getloadavg()[0])


def project(row: dict, cells: int, models: int, cores: int, load: float) -> None:
    """Wall time of cells x models fits on ``cores`` one-thread workers, from ``row``'s rate."""
    fits = cells * models
    per_fit = 1 / row["rate"]  # core-seconds a fit, scheduling included, as measured here
    hours = fits * per_fit / cores / 3600
    print(f"projection: {fits} fits x {per_fit:.2f} core-s a fit / {cores} cores = {hours:.2f} h "
          f"(load average {load:.1f} at the end)")


if __name__ == "__main__":
    main()
