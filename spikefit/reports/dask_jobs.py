"""Jobs on a Dask cluster, each job one task: ``compare_models(scheduler=...)``.

``run_on_dask`` sends each job to a ``dask.distributed.Client`` the caller holds or to the
scheduler at an address (``"tcp://host:8786"``), and collects the results as they finish.

Faults. A job that raises comes back as a ``JobFailure`` with its traceback from the worker.
A worker that dies while it runs a job (killed, out of memory, its machine lost) costs that
job's time only: Dask runs it again on another worker. A job that kills every worker it is
given fails, with a ``JobFailure`` saying so, after ``distributed.scheduler.allowed-failures``
deaths (Dask's setting, 3 by default); the other jobs finish either way.
"""
from __future__ import annotations

import traceback
from contextlib import contextmanager
from typing import Callable, Hashable, Mapping

from .parallel import JobFailure, guarded

DASK_MISSING = 'a Dask scheduler needs Dask, which is not installed: pip install "spikefit[dask]"'


def run_on_dask(function: Callable, jobs: Mapping[Hashable, dict], scheduler,
                on_done: Callable | None = None) -> dict:
    """key -> result or ``JobFailure`` of ``function(**job)`` for each job, run on Dask.

    Parameters
    ----------
    function : callable
        Importable on the workers (a module-level function of an installed package).
    jobs : mapping of key -> dict of keyword arguments
    scheduler : dask.distributed.Client or str
        A client, or a scheduler's address.
    on_done : callable, optional
        ``on_done(key, outcome)`` as each job ends, in the order they end (a progress display).

    Raises
    ------
    ValueError
        ``scheduler`` is neither a client nor an address.
    ImportError
        Dask is not installed; names the extra.
    """
    on_done = on_done or (lambda key, outcome: None)
    with connect(scheduler) as client:
        from distributed import as_completed

        # pure=False: a fresh task key each call, so two comparisons on one cluster never share a result.
        keys = {client.submit(guarded, function, job, pure=False): key for key, job in jobs.items()}
        results = {}
        for future in as_completed(keys):
            key = keys[future]
            results[key] = _outcome(future)
            future.release()
            on_done(key, results[key])
    return {key: results[key] for key in jobs}


def _outcome(future):
    """The task's result, or a failure saying why it never returned (its workers died)."""
    if future.status != "error":
        return future.result()
    error = future.exception()
    return JobFailure(f"the worker process died while running this job ({type(error).__name__}: {error})",
                      "".join(traceback.format_tb(future.traceback())))


@contextmanager
def connect(scheduler):
    """A ``dask.distributed.Client`` for ``scheduler``; closes the one it opened for an address."""
    try:
        from distributed import Client
    except ImportError as error:
        raise ImportError(DASK_MISSING) from error
    if isinstance(scheduler, Client):
        yield scheduler
    elif isinstance(scheduler, str):
        with Client(scheduler) as client:
            yield client
    else:
        raise ValueError(f"scheduler must be a dask.distributed.Client or an address such as 'tcp://host:8786', "
                         f"got scheduler={scheduler!r}")
