"""compare_models on Dask: the same table as in one process for the same seed; a worker
SIGKILLed mid-fit costs that fit's time only, and with a storage its study resumes.

(compare_models' Dask tests, beside tests/reports/test_comparison.py.)
"""
import os
import signal
import threading
import time

import distributed
import pandas as pd
import pytest

from spikefit.reports.comparison import compare_models

MODELS, CELLS, TRIALS = ["lif", "adex"], ["hh_rs"], 64


@pytest.fixture
def client():
    """A LocalCluster of 2 worker processes (a nanny restarts a killed one)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def here():
    return compare_models(MODELS, CELLS, n_trials=TRIALS, seed=0, progress=False)


def _scores(comparison) -> pd.DataFrame:
    """The table without the fits' wall times (which depend on the machine)."""
    table = comparison.table[comparison.table["split"] != "fit"]
    return table.sort_values(["cell", "model", "split", "metric"]).reset_index(drop=True)


def _executing(dask_worker):
    """(pid, keys of the tasks this worker runs now): ``client.run`` calls it on every worker."""
    return os.getpid(), [str(task.key) for task in dask_worker.state.executing]


def _in_background(**kwargs):
    """compare_models in a thread; ``outcome`` gets its Comparison or its error."""
    outcome = {}

    def target():
        try:
            outcome["comparison"] = compare_models(MODELS, CELLS, n_trials=TRIALS, seed=0, progress=False, **kwargs)
        except BaseException as error:  # noqa: BLE001 - re-raised by the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def _finish(thread, outcome, timeout=300):
    thread.join(timeout)
    assert not thread.is_alive(), "the comparison did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["comparison"]


def test_the_table_on_dask_equals_the_one_from_one_process(client, here):
    distributed_run = compare_models(MODELS, CELLS, n_trials=TRIALS, seed=0, progress=False, scheduler=client)
    assert not distributed_run.failed and set(distributed_run.fits) == set(here.fits)
    pd.testing.assert_frame_equal(_scores(distributed_run), _scores(here))
    assert distributed_run.settings["scheduler"] == client.scheduler.address


def test_a_worker_killed_mid_fit_costs_that_fit_only(client, here):
    thread, outcome = _in_background(scheduler=client)
    killed, deadline = None, time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and thread.is_alive():
        if _running(client):
            time.sleep(0.5)  # into the fit
            still = _running(client)
            if still:
                killed = next(iter(still))
                os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    assert killed is not None, "no worker was seen running a fit"
    comparison = _finish(thread, outcome)
    assert not comparison.failed and set(comparison.fits) == set(here.fits)  # every fit, once
    pd.testing.assert_frame_equal(_scores(comparison), _scores(here))  # the rerun is the same seeded fit
    assert killed not in client.run(os.getpid).values()  # the killed process was replaced


def _running(client) -> dict:
    """pid -> keys of the tasks it runs, for the workers running one now."""
    return {pid: keys for pid, keys in client.run(_executing).values() if keys}


def _study(storage, name):
    import optuna

    try:
        return optuna.load_study(study_name=name, storage=storage)
    except KeyError:  # not created yet
        return None


@pytest.mark.slow  # the retried fit waits out the killed trials' heartbeats (30 s)
def test_a_fit_killed_mid_study_resumes_it_on_another_worker(client, tmp_path):
    import optuna
    from optuna.trial import TrialState

    url, name = f"sqlite:///{tmp_path / 'compare.db'}", "hh_rs-lif"
    thread, outcome = _in_background(storage=url, scheduler=client)
    # One storage for the watching (an engine a poll would open the file anew each time and
    # contend for its lock with the workers), polled every 0.1 s.
    storage = optuna.storages.RDBStorage(url)
    killed, done, deadline = None, 0, time.monotonic() + 300
    while killed is None and time.monotonic() < deadline and thread.is_alive():
        study = _study(storage, name)
        if study is not None:
            done = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
            running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            workers = {t.user_attrs["worker"] for t in running if "worker" in t.user_attrs}
            if done >= 8 and workers:  # under way, and holding trials: kill the process that holds them
                killed = int(next(iter(workers)).rsplit(":", 1)[1])
                os.kill(killed, signal.SIGKILL)
                before = done
        time.sleep(0.1)
    if killed is None:  # say why: the comparison ended (with what) or the deadline passed
        ended = "the comparison ended" if not thread.is_alive() else "300 s passed"
        pytest.fail(f"the fit was never seen running trials: {ended} with {done} trials complete; "
                    f"outcome {outcome!r}")
    comparison = _finish(thread, outcome, timeout=400)
    assert not comparison.failed and set(comparison.fits) == {(CELLS[0], m) for m in MODELS}
    study = _study(storage, name)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    assert len(complete) == len(comparison.fits[(CELLS[0], "lif")].history)  # none lost, none counted twice
    assert TRIALS <= len(complete) < TRIALS + before  # resumed: the trials done before the kill were kept
    assert study.get_trials(deepcopy=False, states=(TrialState.FAIL,))  # the killed worker's trials, retried
    assert not study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
