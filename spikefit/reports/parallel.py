"""Jobs on Dask: on this machine's worker processes or on a cluster, each job one task.

``run_jobs`` sends each job to a Dask scheduler: a ``dask.distributed.Client`` the caller
holds, the address of a running scheduler (``"tcp://host:8786"``), or, by default, a
``LocalCluster`` of ``workers`` processes started here for the call and closed after it
(``workers=1`` without a scheduler runs the jobs one by one in this process instead).

Faults. A job that raises comes back as a ``JobFailure`` with its traceback from the worker.
A worker that dies while it runs a job (killed, out of memory, a crash in compiled code) costs
that job's time only: Dask runs it again on another worker (a LocalCluster's nanny also
replaces the dead process). A job that kills every worker it is given fails, with a
``JobFailure`` saying so, after ``distributed.scheduler.allowed-failures`` tries (Dask's
setting, 3 by default); the other jobs finish either way.
"""
from __future__ import annotations

import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Hashable, Mapping

DASK_MISSING = ('spikefit runs parallel fits on Dask (a dependency of spikefit), which is missing here: '
                'pip install "spikefit[dask]" (or "dask[distributed]")')


@dataclass(frozen=True)
class JobFailure:
    """Why a job gave no result: the exception's text (last traceback line) or the worker's exit."""

    error: str
    details: str = ""


def _describe(error: BaseException) -> JobFailure:
    return JobFailure(f"{type(error).__name__}: {error}", "".join(traceback.format_exception(error)))


def _guarded(function: Callable, job: dict):
    """``function(**job)``, or the ``JobFailure`` of what it raised (run on a worker)."""
    try:
        return function(**job)
    except Exception as error:  # noqa: BLE001 - every failure becomes the job's report
        return _describe(error)


def run_jobs(function: Callable, jobs: Mapping[Hashable, dict], *, workers: int = 1, scheduler=None,
             on_done: Callable | None = None, follow: Callable | None = None) -> dict:
    """key -> result or ``JobFailure`` of ``function(**job)`` for each job.

    Parameters
    ----------
    function : callable
        Importable (a module-level function) when the jobs leave this process.
    jobs : mapping of key -> dict of keyword arguments
    workers : int
        Processes of the local cluster (ignored when ``scheduler`` is given).
    scheduler : dask.distributed.Client or str, optional
        Where the jobs run: a client, or a scheduler's address. None: a LocalCluster of
        ``workers`` processes, or this process when ``workers`` is 1.
    on_done : callable, optional
        ``on_done(key, outcome)`` as each job ends, in the order they end (a progress display).
    follow : callable, optional
        ``follow(key, outcome) -> {key: job}`` as each job ends: jobs that could not start
        before it (they need its outcome), run next, ahead of the jobs still waiting; their
        outcomes are in the result too. The jobs first given run in their order.

    Raises
    ------
    ValueError
        ``workers`` is not an int >= 1, or ``scheduler`` is neither a client nor an address.
    ImportError
        Dask is needed (a scheduler, or ``workers > 1``) and not installed; names the extra.
    """
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValueError(f"workers must be an int >= 1, got workers={workers!r}")
    on_done = on_done or (lambda key, outcome: None)
    follow = follow or (lambda key, outcome: {})
    if scheduler is None and workers == 1:
        results, waiting = {}, list(jobs.items())
        while waiting:
            key, job = waiting.pop(0)
            results[key] = _guarded(function, job)
            on_done(key, results[key])
            waiting[:0] = follow(key, results[key]).items()
        return results
    with connect(scheduler, workers=workers) as client:
        return _on_dask(client, function, jobs, on_done, follow)


@contextmanager
def connect(scheduler=None, *, workers: int = 1):
    """A ``dask.distributed.Client`` for ``scheduler`` (see ``run_jobs``); closes what it opened."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ImportError(DASK_MISSING) from error
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is not None and not isinstance(scheduler, str):
        raise ValueError(f"scheduler must be a dask.distributed.Client or an address such as 'tcp://host:8786', "
                         f"got scheduler={scheduler!r}")
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    import dask

    # One thread a worker: a fit uses one core, and a process a fit keeps numba and Optuna apart.
    # Saturation 1: a worker holds only the fit it runs (fits are long; none waits behind another,
    # and a worker's death marks only that fit as suspicious, not one queued behind it).
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


def _on_dask(client, function, jobs: Mapping, on_done: Callable, follow: Callable) -> dict:
    from distributed import as_completed

    keys, order = {}, list(jobs)

    def submit(key, job, priority):
        # pure=False: a fresh task key each call, so two comparisons on one cluster never share a result.
        future = client.submit(_guarded, function, job, pure=False, priority=priority)
        keys[future] = key
        return future

    # Equal priorities run in the order submitted; followers go ahead of what still waits.
    futures = as_completed([submit(key, job, 0) for key, job in jobs.items()])
    results = {}
    for future in futures:
        key = keys[future]
        if future.status == "error":  # the task never returned: its workers died (KilledWorker) or it was lost
            error = future.exception()
            results[key] = JobFailure(f"the worker process died while running this job ({type(error).__name__}: "
                                      f"{error})", "".join(traceback.format_tb(future.traceback())))
        else:
            results[key] = future.result()
        future.release()
        on_done(key, results[key])
        for new_key, job in follow(key, results[key]).items():
            order.append(new_key)
            futures.add(submit(new_key, job, 1))
    return {key: results[key] for key in order}
