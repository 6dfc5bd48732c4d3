"""Jobs in worker processes: results in order, errors and crashes reported, the rest finish."""
import os
import signal

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


def test_in_process_jobs_and_errors():
    seen = []
    out = run_jobs(fail_or_die, {"a": {"x": "raise"}, "b": {"x": 1}}, workers=1, on_done=lambda k, o: seen.append(k))
    assert isinstance(out["a"], JobFailure) and out["a"].error == "RuntimeError: boom"
    assert out["b"] == os.getpid() and seen == ["a", "b"]


def test_a_crashed_worker_fails_its_job_only():
    jobs = {i: {"x": x} for i, x in enumerate(["die", 1, "raise", 2, 3, "die", 4])}
    out = run_jobs(fail_or_die, jobs, workers=2)
    assert list(out) == list(jobs)
    for i in (0, 5):
        assert isinstance(out[i], JobFailure) and "worker process died (exit code -9)" in out[i].error
    assert out[2].error == "RuntimeError: boom" and "Traceback" in out[2].details
    pids = [out[i] for i in (1, 3, 4, 6)]
    assert all(isinstance(p, int) and p != os.getpid() for p in pids)


def test_results_come_back_by_key():
    assert run_jobs(square, {k: {"x": k} for k in range(5)}, workers=2) == {k: k * k for k in range(5)}


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers must be an int >= 1, got workers=0"):
        run_jobs(square, {0: {"x": 1}}, workers=0)
