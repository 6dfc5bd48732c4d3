"""Jobs on Dask: results by key, errors with their tracebacks, a worker killed by its job
replaced and the job failed after Dask's retries; the rest finish; Dask missing names the extra."""
import os
import signal
import sys

import distributed
import pytest

from spikefit.reports.parallel import JobFailure, run_jobs


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

    with dask.config.set({"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_in_process_jobs_and_errors():
    seen = []
    out = run_jobs(fail_or_die, {"a": {"x": "raise"}, "b": {"x": 1}}, workers=1, on_done=lambda k, o: seen.append(k))
    assert isinstance(out["a"], JobFailure) and out["a"].error == "RuntimeError: boom"
    assert out["b"] == os.getpid() and seen == ["a", "b"]


def _then_double(key, outcome):
    """Follow-up jobs: after job k (an int), job ("double", k) of 2 * its result."""
    return {} if isinstance(key, tuple) else {("double", key): {"x": 2 * outcome}}


def test_follow_up_jobs_run_ahead_of_those_waiting_and_come_back_too(client):
    seen = []
    here = run_jobs(square, {1: {"x": 1}, 2: {"x": 2}}, on_done=lambda k, o: seen.append(k), follow=_then_double)
    assert seen == [1, ("double", 1), 2, ("double", 2)]
    assert here == {1: 1, 2: 4, ("double", 1): 4, ("double", 2): 64}
    on_dask = run_jobs(square, {1: {"x": 1}, 2: {"x": 2}}, scheduler=client, follow=_then_double)
    assert on_dask == here and list(on_dask)[:2] == [1, 2]


def test_a_job_that_kills_every_worker_fails_alone(client):
    jobs = {i: {"x": x} for i, x in enumerate([1, "raise", "die", 2, 3])}
    seen = []
    out = run_jobs(fail_or_die, jobs, scheduler=client, on_done=lambda k, o: seen.append(k))
    assert list(out) == list(jobs) and sorted(seen) == list(jobs)
    assert isinstance(out[2], JobFailure) and "the worker process died while running this job" in out[2].error
    assert "KilledWorker" in out[2].error
    assert out[1].error == "RuntimeError: boom" and "Traceback" in out[1].details and "fail_or_die" in out[1].details
    pids = [out[i] for i in (0, 3, 4)]
    assert all(isinstance(p, int) and p != os.getpid() for p in pids)


def test_results_come_back_by_key_from_an_address(client):
    address = client.scheduler.address
    assert address.startswith("tcp://")
    assert run_jobs(square, {k: {"x": k} for k in range(5)}, scheduler=address) == {k: k * k for k in range(5)}


def test_a_local_cluster_of_two_processes_by_default():
    out = run_jobs(fail_or_die, {k: {"x": k} for k in range(4)}, workers=2)
    assert len(set(out.values())) <= 2 and os.getpid() not in out.values()


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers must be an int >= 1, got workers=0"):
        run_jobs(square, {0: {"x": 1}}, workers=0)


def test_a_scheduler_is_a_client_or_an_address():
    with pytest.raises(ValueError, match="scheduler must be a dask.distributed.Client or an address .* got "
                                         "scheduler=8786"):
        run_jobs(square, {0: {"x": 1}}, scheduler=8786)


def test_without_dask_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    with pytest.raises(ImportError, match=r'on Dask \(a dependency of spikefit\), which is missing here: pip install "spikefit\[dask\]"'):
        run_jobs(square, {0: {"x": 1}}, workers=2)
    assert run_jobs(square, {0: {"x": 3}}) == {0: 9}  # one process needs no Dask
