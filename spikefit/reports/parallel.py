"""Jobs in worker processes on this machine that may crash without taking the others with them.

``run_jobs`` keeps ``workers`` long-lived processes (spawned, so numba and Optuna start
clean), hands each a job at a time through a pipe, and collects results. A job that raises
comes back as a ``JobFailure`` with the error; a worker that dies (killed, out of memory, a
crash in compiled code) fails the job it held, with its exit code, and is replaced. The
other jobs finish either way. (A cluster's jobs run on Dask: ``dask_jobs``. Here a pool, not a
Dask LocalCluster: Dask's start-up would make the default comparison more than 10 % slower,
benchmarks/RESULTS.md.)
"""
from __future__ import annotations

import multiprocessing
import traceback
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Callable, Hashable, Mapping


@dataclass(frozen=True)
class JobFailure:
    """Why a job gave no result: the exception's text (last traceback line) or the worker's exit."""

    error: str
    details: str = ""


def _describe(error: BaseException) -> JobFailure:
    return JobFailure(f"{type(error).__name__}: {error}", "".join(traceback.format_exception(error)))


def guarded(function: Callable, job: dict):
    """``function(**job)``, or the ``JobFailure`` of what it raised."""
    try:
        return function(**job)
    except Exception as error:  # noqa: BLE001 - every failure becomes the job's report
        return _describe(error)


def _serve(connection, function) -> None:
    """A worker: run jobs until told to stop (None)."""
    while True:
        job = connection.recv()
        if job is None:
            return
        connection.send(guarded(function, job))


class _Worker:
    def __init__(self, context, function):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, function), daemon=True)
        self.process.start()
        child.close()
        self.key = None

    def give(self, key, job) -> None:
        self.key = key
        self.connection.send(job)

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


def run_jobs(function: Callable, jobs: Mapping[Hashable, dict], workers: int = 1,
             on_done: Callable | None = None) -> dict:
    """key -> result or ``JobFailure`` of ``function(**job)`` for each job.

    ``function`` must be importable (a module-level function) when ``workers > 1``.
    ``on_done(key, outcome)`` is called as each job ends (a progress display).
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int >= 1, got workers={workers!r}")
    on_done = on_done or (lambda key, outcome: None)
    if workers == 1:
        return {key: _run_here(function, job, key, on_done) for key, job in jobs.items()}
    context = multiprocessing.get_context("spawn")
    pending, results = list(jobs.items()), {}
    pool = [_Worker(context, function) for _ in range(min(workers, len(pending)))]
    try:
        for worker in pool:
            worker.give(*pending.pop(0))
        while any(w.key is not None for w in pool):
            busy = {w.connection: w for w in pool if w.key is not None}
            ready = wait(list(busy) + [w.process.sentinel for w in busy.values()])
            for worker in list(busy.values()):
                if worker.connection in ready or worker.process.sentinel in ready:
                    outcome = _collect(worker)
                    results[worker.key] = outcome
                    on_done(worker.key, outcome)
                    worker.key = None
                    if not worker.process.is_alive():
                        pool[pool.index(worker)] = worker = _Worker(context, function)
                    if pending:
                        worker.give(*pending.pop(0))
    finally:
        for worker in pool:
            worker.stop()
    return {key: results[key] for key in jobs}


def _run_here(function, job, key, on_done):
    outcome = guarded(function, job)
    on_done(key, outcome)
    return outcome


def _collect(worker: _Worker):
    """The worker's message, or a failure naming how it died."""
    if worker.connection.poll():
        try:
            return worker.connection.recv()
        except (EOFError, OSError):
            pass
    worker.process.join(timeout=5)
    return JobFailure(f"the worker process died (exit code {worker.process.exitcode}) while running this job")
