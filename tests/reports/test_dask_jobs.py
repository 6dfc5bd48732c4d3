"""Jobs on Dask: results by key, errors with their tracebacks, a job that kills its workers
failed after Dask's retries while the rest finish; Dask missing names the extra."""
import os
import signal
import sys

import distributed
import pytest

from spikefit.reports.dask_jobs import run_on_dask
from spikefit.reports.parallel import JobFailure


def square(x):
    return x * x


def fail_or_die(x):
    if x == "raise":
        raise RuntimeError("boom")
    if x == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


@pytest.fixture(scope="module")
def client():
    """Two worker processes; a task may kill its worker twice before it is failed."""
    import dask

    settings = {"distributed.scheduler.allowed-failures": 1,
                "distributed.scheduler.worker-saturation": 1.0}  # a worker holds only the task it runs
    with dask.config.set(settings), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_a_job_that_kills_every_worker_fails_alone(client):
    jobs = {i: {"x": x} for i, x in enumerate([1, "raise", "die", 2, 3])}
    seen = []
    out = run_on_dask(fail_or_die, jobs, client, on_done=lambda k, o: seen.append(k))
    assert list(out) == list(jobs) and sorted(seen) == list(jobs)
    assert isinstance(out[2], JobFailure) and "the worker process died while running this job" in out[2].error
    assert "KilledWorker" in out[2].error
    assert out[1].error == "RuntimeError: boom" and "Traceback" in out[1].details and "fail_or_die" in out[1].details
    pids = [out[i] for i in (0, 3, 4)]
    assert all(isinstance(p, int) and p != os.getpid() for p in pids)


def test_results_come_back_by_key_from_an_address(client):
    address = client.scheduler.address
    assert address.startswith("tcp://")
    assert run_on_dask(square, {k: {"x": k} for k in range(5)}, address) == {k: k * k for k in range(5)}


def test_a_scheduler_is_a_client_or_an_address():
    with pytest.raises(ValueError, match="scheduler must be a dask.distributed.Client or an address .* got "
                                         "scheduler=8786"):
        run_on_dask(square, {0: {"x": 1}}, 8786)


def test_without_dask_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    with pytest.raises(ImportError, match=r'a Dask scheduler needs Dask, which is not installed: pip install '
                                          r'"spikefit\[dask\]"'):
        run_on_dask(square, {0: {"x": 1}}, "tcp://127.0.0.1:8786")
