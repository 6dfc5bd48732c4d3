"""Studies: storages, unreachable servers, and workers sharing one study (one killed mid-way).

The PostgreSQL tests need a server: ``.ci/run`` starts one (``.ci/services``) and sets
SPIKEFIT_TEST_POSTGRES to its URL; without it they skip and say so.
"""
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import numpy as np
import optuna
import pandas as pd
import pytest

import spikefit
from spikefit.fitting import search as S
from spikefit.fitting.objectives import parse_objective
from spikefit.fitting.result import failure_counts
from spikefit.fitting.space import feasible, search_space
from spikefit.fitting.studies import _hide_password, open_storage
from spikefit.fitting.target import build_target

POSTGRES = os.environ.get("SPIKEFIT_TEST_POSTGRES")
PARAMS = ("C", "g_L", "V_th")
N_TRIALS = 320
HEARTBEAT = 1  # s: a killed worker's trials are stale after 6 s


def _postgres_or_skip() -> str:
    if not POSTGRES:
        pytest.skip("no PostgreSQL server: set SPIKEFIT_TEST_POSTGRES to its URL (.ci/run starts one)")
    try:
        open_storage(POSTGRES)
    except ValueError as error:
        pytest.skip(f"SPIKEFIT_TEST_POSTGRES is set but {error}")
    return POSTGRES


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return _postgres_or_skip()


@pytest.fixture(scope="module")
def target_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("target") / "cell.npz"
    stimuli = spikefit.step_protocol([0.1e-9, 0.3e-9, 0.5e-9], 0.1, 0.5, 0.6)
    spikefit.get_model("lif").simulate(None, stimuli).write(path)
    return path


# --- storages ------------------------------------------------------------------------
def test_unreachable_storage_is_an_error_before_any_trial():
    lif = spikefit.get_model("lif")
    target = lif.simulate(None, spikefit.step(0.3e-9, 0.1, 0.5, 0.6))
    with pytest.raises(ValueError, match=r"storage 'postgresql://me:\*\*\*@127.0.0.1:9/x' cannot be reached: "
                                         r".*(refused|failed)"):
        S.fit(lif, target, n_trials=8, storage="postgresql://me:secret@127.0.0.1:9/x", study_name="s",
              progress=False)
    with pytest.raises(ValueError, match="heartbeat must be an int >= 1"):
        open_storage("sqlite:///x.db", heartbeat=0)


def test_sqlite_studies_use_a_write_ahead_log(tmp_path):
    """journal_mode=WAL with synchronous=NORMAL: every connection, and the file keeps it."""
    import sqlite3

    path = tmp_path / "wal.db"
    storage = open_storage(f"sqlite:///{path}")
    optuna.create_study(storage=storage, study_name="w").optimize(lambda t: t.suggest_float("x", 0, 1), 3)
    with storage.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_killed_sqlite_writer_loses_no_told_trial(tmp_path):
    """A process SIGKILLed right after its tells: every trial it was told COMPLETE is stored."""
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    script = ("import optuna, os, signal, sys\n"
              "from spikefit.fitting.studies import open_storage\n"
              "study = optuna.create_study(storage=open_storage(sys.argv[1]), study_name='k')\n"
              "study.optimize(lambda t: t.suggest_float('x', 0, 1), 20)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    study = optuna.load_study(study_name="k", storage=open_storage(url))
    assert len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))) == 20


def test_passwords_are_hidden_in_messages():
    assert _hide_password("postgresql://u:pw@host:5/db") == "postgresql://u:***@host:5/db"
    assert _hide_password("postgresql://u@host/db") == "postgresql://u@host/db"
    assert _hide_password("sqlite:///a.db") == "sqlite:///a.db"


def _feasible_box(lif) -> dict:
    """Distributions of PARAMS where every point meets V_reset < V_th (V_reset's default is -60 mV),
    so that a copy of a trial asked here is simulated (COMPLETE), never told infeasible (FAIL)."""
    return search_space(lif, {"C": None, "g_L": None, "V_th": (-0.055, -0.03)}).distributions()


def test_a_journal_resume_retries_trials_left_running(tmp_path):
    """A journal has no heartbeat: a resumed fit takes the trials left running as abandoned."""
    lif = spikefit.get_model("lif")
    target = lif.simulate(None, spikefit.step_protocol([0.2e-9, 0.4e-9], 0.1, 0.5, 0.6))
    storage = str(tmp_path / "fit.journal")
    options = dict(search=list(PARAMS), storage=storage, study_name="j", seed=1, refine=False, progress=False,
                   batch_size=8)
    S.fit(lif, target, n_trials=16, **options)
    study = optuna.load_study(study_name="j", storage=open_storage(storage))
    abandoned = [study.ask(_feasible_box(lif)) for _ in range(3)]  # a killed worker
    result = S.fit(lif, target, n_trials=24, load_if_exists=True, **options)
    table = result.trials.set_index("number")
    assert all(table.loc[t.number, "state"] == "FAIL" for t in abandoned)
    retries = table[table["retry_of"] >= 0]
    assert sorted(retries["retry_of"]) == sorted(t.number for t in abandoned)
    assert (retries["state"] == "COMPLETE").all() and (table["state"] == "COMPLETE").sum() == 24
    assert result.failures["retried"] == 3


@pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning", "ignore::optuna.exceptions.ExperimentalWarning")
def test_copies_queued_after_the_last_trial_are_still_run(tmp_path):
    """Workers that together overshoot n_trials leave copies of a lost worker's trials queued:
    the next look runs them instead of ending with the study holding WAITING trials."""
    from spikefit.fitting.studies import retry

    lif = spikefit.get_model("lif")
    target = lif.simulate(None, spikefit.step_protocol([0.2e-9, 0.4e-9], 0.1, 0.5, 0.6))
    options = dict(search=list(PARAMS), storage=f"sqlite:///{tmp_path / 'q.db'}", study_name="q", seed=1,
                   refine=False, progress=False, batch_size=8)
    S.fit(lif, target, n_trials=16, **options)
    study = optuna.load_study(study_name="q", storage=open_storage(options["storage"]))
    lost = [study.ask(_feasible_box(lif)) for _ in range(3)]
    assert retry(study, [t._trial_id for t in lost], "lost") == 3
    result = S.fit(lif, target, n_trials=16, load_if_exists=True, **options)
    table = result.trials.set_index("number")
    assert set(table["state"]) == {"COMPLETE", "FAIL"}  # nothing left WAITING or RUNNING
    assert (table["state"] == "COMPLETE").sum() == 16 + 3
    copies = table[table["retry_of"] >= 0]
    assert sorted(copies["retry_of"]) == sorted(t.number for t in lost) and (copies["state"] == "COMPLETE").all()


# --- two workers, one killed ---------------------------------------------------------
def _worker(target_file, storage_url, study, out, seed) -> subprocess.Popen:
    command = [sys.executable, "-m", "spikefit.cli", "fit", "lif", str(target_file), "--objective", "spikes",
               "--trials", str(N_TRIALS), "--seed", str(seed), "--storage", storage_url, "--study", study,
               "--resume", "--heartbeat", str(HEARTBEAT), "--no-refine", "--blind", "--out", str(out)]
    # --blind: the subject is the storage; an estimate first would move when the kill lands
    for name in PARAMS:
        command += ["--search", name]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _running_of(storage, study_name: str, pid: int) -> int:
    study = optuna.load_study(study_name=study_name, storage=storage)
    running = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
    return sum(t.user_attrs.get("worker", "").endswith(f":{pid}") for t in running)


def _kill_mid_batch(worker, storage_url: str, study_name: str, timeout: float = 120.0) -> None:
    """SIGKILL the worker while it holds running trials, once the study is under way.

    The worker is stopped (SIGSTOP) while we look, so that it cannot finish its batch between
    the look and the kill. We look through a plain storage: its reads take no write lock, which
    the stopped worker may hold (SQLite; spikefit's storages begin every transaction with it).
    """
    observer = optuna.storages.RDBStorage(storage_url)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if worker.poll() is not None:
            pytest.fail(f"the worker ended before it could be killed:\n{worker.stdout.read()}")
        try:
            study = optuna.load_study(study_name=study_name, storage=observer)
        except KeyError:  # not created yet
            time.sleep(0.05)
            continue
        done = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
        if done >= N_TRIALS // 5:
            worker.send_signal(signal.SIGSTOP)
            if _running_of(observer, study_name, worker.pid):
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                return
            worker.send_signal(signal.SIGCONT)
        time.sleep(0.05)
    pytest.fail("the worker never held a running trial")


def _finish(worker, timeout: float = 300.0) -> str:
    output, _ = worker.communicate(timeout=timeout)
    assert worker.returncode == 0, output
    return output


def test_two_workers_one_killed_lose_no_trial_and_count_none_twice(target_file, storage_url, tmp_path):
    study_name = f"workers-{uuid.uuid4().hex[:8]}"
    storage = open_storage(storage_url, heartbeat=HEARTBEAT)
    first = _worker(target_file, storage_url, study_name, tmp_path / "a", seed=1)
    second = _worker(target_file, storage_url, study_name, tmp_path / "b", seed=2)
    try:
        _kill_mid_batch(first, storage_url, study_name)
        killed = first.pid
        resumed = _worker(target_file, storage_url, study_name, tmp_path / "c", seed=3)
        outputs = [_finish(second), _finish(resumed)]
    finally:
        for worker in (first, second):
            if worker.poll() is None:
                worker.kill()
    study = optuna.load_study(study_name=study_name, storage=storage)
    trials = study.get_trials(deepcopy=False)
    states = [t.state.name for t in trials]
    assert "RUNNING" not in states and "WAITING" not in states
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    assert N_TRIALS <= len(complete) <= N_TRIALS + 2 * 32  # overshoot at most a batch per worker

    # Lost: the killed worker's running trials failed, each run again once, with its parameters.
    # Its worker attribute is set just after the first heartbeat: a trial killed in between has
    # none, and one killed before the heartbeat never ran (abandoned, not retried). A trial asked
    # but not yet checked against the model's rules is retried too, and its copy is then told
    # infeasible, never simulated, as the original would have been.
    failed = [t for t in trials if t.state.name == "FAIL" and "infeasible" not in t.user_attrs]
    orphans = [t for t in failed if "abandoned" in t.user_attrs]
    cut = [t for t in failed if "abandoned" not in t.user_attrs]
    assert cut and all(t.user_attrs.get("worker", f":{killed}").endswith(f":{killed}") for t in cut)
    assert len(orphans) <= 1 and all("worker" not in t.user_attrs for t in orphans)
    retries = {}
    for t in trials:
        if "failed_trial" in t.system_attrs:
            retries.setdefault(t.system_attrs["failed_trial"], []).append(t)
    by_number = {t.number: t for t in trials}
    lif = spikefit.get_model("lif")
    space = search_space(lif, list(PARAMS))
    for t in cut:
        copies = retries.get(t.number, [])
        seen = [(c.number, c.state.name, c.user_attrs) for c in copies]
        assert len(copies) == 1 and copies[0].params == t.params, (t.number, t.user_attrs, seen)  # none lost or twice
        copy = copies[0]
        assert not copy.user_attrs["worker"].endswith(f":{killed}"), seen
        ok = feasible(lif, space, np.array([[t.params[n] for n in space.names]]))[0][0]
        assert copy.state.name == ("COMPLETE" if ok else "FAIL"), seen
    assert all(by_number[n].state.name == "FAIL" for n in retries)

    # Counted right: every stored score is the score of that trial's own parameters.
    target = build_target(spikefit.load(target_file))
    rows = {name: np.array([t.params[name] for t in complete]) for name in PARAMS}
    result = lif.simulate_batch({**lif.defaults(), **rows}, target.stimuli)
    scores, _ = parse_objective("spikes").evaluate(result, target)
    np.testing.assert_allclose(scores[:, 0], [t.value for t in complete], rtol=1e-9, atol=1e-12)

    # Each finishing worker reports the study as it was when it finished: the retried trials it
    # counts are copies queued by then, and the last to finish (no one changes the study after
    # it) counts every one, once.
    assert failure_counts(study)["retried"] == len(cut)
    reported = []
    for out, output in zip(("b", "c"), outputs):
        table = pd.read_csv(tmp_path / out / "trials.csv")
        assert (table["state"] == "COMPLETE").sum() >= N_TRIALS and table["number"].is_unique
        reported.append(int(re.search(r"(\d+) trials retried after an interrupt or a lost worker", output).group(1)))
    assert max(reported) == len(cut) and min(reported) <= len(cut), (reported, len(cut))
    optuna.delete_study(study_name=study_name, storage=storage)


CLAIM = """
import sys, optuna
from spikefit.fitting.studies import open_storage
optuna.logging.set_verbosity(optuna.logging.ERROR)
study = optuna.load_study(study_name=sys.argv[2], storage=open_storage(sys.argv[1]))
claimed = []
while (trial_id := study._pop_waiting_trial_id()) is not None:  # how study.ask claims a queued trial
    claimed.append(trial_id)
print(" ".join(map(str, claimed)))
"""


def test_a_queued_trial_is_claimed_by_one_worker_only(storage_url):
    """Optuna claims with SELECT ... FOR UPDATE, which SQLite ignores: without open_storage's
    BEGIN IMMEDIATE, three workers claimed 19 of 300 queued trials twice here."""
    name = f"claims-{uuid.uuid4().hex[:8]}"
    study = optuna.create_study(study_name=name, storage=open_storage(storage_url))
    for i in range(300):
        study.enqueue_trial({"x": float(i)})
    workers = [subprocess.Popen([sys.executable, "-c", CLAIM, storage_url, name], stdout=subprocess.PIPE, text=True)
               for _ in range(3)]
    claimed = [output.split() for output, _ in (w.communicate(timeout=300) for w in workers)]
    flat = [int(i) for c in claimed for i in c]
    assert len(flat) == len(set(flat)) == 300
    optuna.delete_study(study_name=name, storage=open_storage(storage_url))
