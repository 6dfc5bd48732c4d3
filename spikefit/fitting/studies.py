"""Studies: where a fit's trials live, how a fit resumes, and how workers share one.

A storage is None (memory), an RDB URL (``sqlite:///fit.db`` on one machine,
``postgresql://user:password@host/db`` across machines), the path of an Optuna journal file,
or an Optuna storage.

Workers. Every trial a worker runs has a heartbeat in an RDB storage, recorded every
``heartbeat`` seconds while its batch is simulated. A trial whose heartbeat is older than
``GRACE_FACTOR * heartbeat`` seconds (its worker was killed, its machine lost) is failed by
the next worker that looks, and a copy with the same parameters is queued (WAITING, with
Optuna's ``failed_trial``/``retry_history`` system attributes); the next ``ask`` takes it.
So a finished trial is told once, by the worker that ran it, and never lost; a trial cut
short is retried once per failure, never counted twice. (SQLite transactions begin with the
write lock, so that two workers cannot claim one queued trial; a worker whose trial another
worker finished or judged stale meanwhile drops its own result.) A journal file has no heartbeat:
it serves one worker at a time, and a resumed fit retries the trials left running there.

A trial asked by a worker that died before its first heartbeat (a window of milliseconds)
never ran: once older than the grace period it is failed, marked ``abandoned``, not retried.

Interrupted (Ctrl-C, SIGTERM turned into SystemExit by ``spikefit fit``): the worker fails
the trials of its batch and queues their copies before it exits, so a resume needs no wait.
"""
from __future__ import annotations

import datetime
import json
import threading
import time
import warnings
from contextlib import contextmanager

import numpy as np
import optuna
from optuna.trial import TrialState

from .samplers import make_sampler

HEARTBEAT = 5
"""Seconds between heartbeats of a running trial (RDB storages)."""

GRACE_FACTOR = 6
"""A trial is stale when its heartbeat is this many intervals old."""

MAX_RETRY = 2
"""Copies queued for one trial that keeps losing its worker; then it stays failed."""

_ATTR = "spikefit"  # the study's user attribute that says what it fits
_START = "spikefit:start"  # the centre and steps (unit box) the first CMA-ES run started from


# --- storages ------------------------------------------------------------------------
def open_storage(storage, heartbeat: int = HEARTBEAT):
    """An Optuna storage for ``storage`` (see the module doc); RDB URLs get a heartbeat.

    Raises
    ------
    ValueError
        The URL's database cannot be reached or its driver is not installed.
    """
    if not isinstance(storage, str):
        return storage
    if "://" not in storage:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return JournalStorage(JournalFileBackend(storage))
    if not isinstance(heartbeat, int) or heartbeat < 1:
        raise ValueError(f"heartbeat must be an int >= 1 (seconds), got heartbeat={heartbeat!r}")
    sqlite = storage.startswith("sqlite")
    engine = {"connect_args": {"timeout": 60}} if sqlite else {}
    try:
        with warnings.catch_warnings():  # heartbeats are "experimental" in Optuna 5
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            rdb = optuna.storages.RDBStorage(
                storage, engine_kwargs=engine, heartbeat_interval=heartbeat,
                grace_period=GRACE_FACTOR * heartbeat,
                heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY))
        if sqlite:
            _serialise_sqlite(rdb.engine)
        return rdb
    except ImportError as error:
        cause = error.__cause__ or error
        raise ValueError(f"storage {_hide_password(storage)!r} needs a database driver that is not installed "
                         f"({cause}): pip install 'psycopg[binary]' for PostgreSQL, or your database's "
                         f"SQLAlchemy driver") from None
    except Exception as error:  # sqlalchemy's errors: refused, unknown host, bad password, no database
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise ValueError(f"storage {_hide_password(storage)!r} cannot be reached: {reason}") from None


def _serialise_sqlite(engine) -> None:
    """Make every SQLite transaction take the write lock when it begins (BEGIN IMMEDIATE),
    and commits go to a write-ahead log.

    Optuna claims a queued trial by reading it WAITING and writing it RUNNING in one
    transaction with SELECT ... FOR UPDATE, which SQLite ignores; and Python's sqlite3 does not
    even begin the transaction before the read. Two workers could then both claim one trial.
    This is SQLAlchemy's recipe for serialisable transactions on pysqlite.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        # Write-ahead log: a commit appends to the log instead of syncing the database file
        # twice (about 1.7x faster trials, benchmarks/RESULTS.md). A killed worker loses no
        # commit; a power cut at most the last ones. Same machine only, as SQLite's locks are.
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    engine.dispose()  # connections made while Optuna created its tables predate the hooks


def _hide_password(url: str) -> str:
    head, sep, tail = url.partition("://")
    if "@" not in tail:
        return url
    credentials, _, host = tail.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{head}{sep}{user}{':***' if ':' in credentials else ''}@{host}"


def has_heartbeat(study) -> bool:
    """True when the study's storage records heartbeats (an RDB storage from ``open_storage``)."""
    from optuna.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled

    storage = study._storage
    return isinstance(storage, BaseHeartbeat) and is_heartbeat_enabled(storage)


def count(study, *states: TrialState) -> int:
    """Trials of the study in any of ``states`` (one query, not a load of every trial)."""
    return study._storage.get_n_trials(study._study_id, tuple(states))


# --- opening a study -----------------------------------------------------------------
def open_study(space, spec, target, sampler=None, storage=None, study_name=None, seed=None, batch_size=None,
               load_if_exists=False, heartbeat: int = HEARTBEAT, start=None):
    """A new Optuna study for this fit, or the stored one of that name when resuming.

    A resumed or shared study (``load_if_exists``) seeds its sampler with ``seed``, the
    trials already stored and the process id, so that workers started together search
    apart; a new study with a seed is reproducible. ``start`` (mean, steps in the unit box)
    is stored with a new study; a resumed one starts from the start it stored.

    Raises
    ------
    ValueError
        The storage cannot be reached; the name exists and ``load_if_exists`` is False; the
        stored study fits another model, other parameters or bounds, another objective or
        another target.
    """
    import os

    storage = open_storage(storage, heartbeat)
    exists = storage is not None and study_name is not None and study_name in _study_names(storage)
    if exists and not load_if_exists:
        raise ValueError(f"study {study_name!r} already exists in the storage: pass load_if_exists=True "
                         f"(--resume) to resume it, or choose another name")
    description = {**space.describe(), "objective": spec.describe(), "target": target.fingerprint()}
    n_before = 0
    if exists:
        stored = optuna.load_study(study_name=study_name, storage=storage)
        _check_compatible(study_name, stored, description)
        n_before = len(stored.trials)
        kept = stored.user_attrs.get(_START)
        if kept is not None:
            start = (np.asarray(kept["mean"], float), np.asarray(kept["steps"], float))
    if seed is not None and load_if_exists:
        seed = (int(seed) + 7919 * n_before + 104729 * os.getpid()) % 2**31
    study = optuna.create_study(storage=storage, study_name=study_name, load_if_exists=load_if_exists,
                                directions=["minimize"] * spec.n_objectives,
                                sampler=make_sampler(sampler, seed, spec.n_objectives, batch_size, space,
                                                     start))
    if _ATTR not in study.user_attrs:
        study.set_user_attr(_ATTR, description)
        if start is not None:
            study.set_user_attr(_START, {"mean": [float(m) for m in start[0]],
                                         "steps": [float(s) for s in start[1]]})
    else:
        _check_compatible(study_name, study, description)  # a worker created it meanwhile
    if not has_heartbeat(study):
        retry(study, [t._trial_id for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))],
              "left running")
    return study


def _study_names(storage) -> list[str]:
    return [s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)]


def _check_compatible(name: str, study, description: dict) -> None:
    stored = study.user_attrs.get(_ATTR)
    if stored is None:
        if study.trials:
            raise ValueError(f"study {name!r} exists with {len(study.trials)} trials not made by spikefit.fit")
        return
    for key, what in (("model", "model"), ("params", "searched parameters and bounds"),
                      ("fixed", "fixed parameters"), ("objective", "objective"), ("target", "target")):
        if _normalise(stored.get(key)) != _normalise(description[key]):
            raise ValueError(f"study {name!r} exists with other {what}: it has {stored.get(key)!r}, this fit "
                             f"asks for {description[key]!r}; use another study name")


def _normalise(value):
    return json.loads(json.dumps(value))


# --- trials that lost their worker ---------------------------------------------------
def retry(study, trial_ids, reason: str) -> int:
    """Fail the trials still running among ``trial_ids`` and queue a copy of each; how many.

    A trial another process has finished or failed meanwhile is left alone (the storage
    refuses the change), so each trial is retried at most once per failure.
    """
    storage, callback = study._storage, optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)
    n = 0
    for trial_id in trial_ids:
        try:
            if storage.get_trial(trial_id).state != TrialState.RUNNING:
                continue
            storage.set_trial_user_attr(trial_id, "retried_because", reason)
            if not storage.set_trial_state_values(trial_id, state=TrialState.FAIL):
                continue
        except optuna.exceptions.UpdateFinishedTrialError:
            continue
        frozen = storage.get_trial(trial_id)
        callback(study, _without(frozen, "retried_because"))
        n += 1
    return n


def _without(frozen, attr: str):
    """The frozen trial without one user attribute (so the queued copy does not inherit it)."""
    import copy

    clean = copy.copy(frozen)
    clean._user_attrs = {k: v for k, v in frozen.user_attrs.items() if k != attr}
    return clean


def fail_stale(study) -> None:
    """Fail and retry the trials whose worker stopped beating (RDB storages only), and fail
    the trials whose worker was lost between asking and its first heartbeat (orphans)."""
    if has_heartbeat(study):
        optuna.storages.fail_stale_trials(study)
        _fail_orphans(study)


def _fail_orphans(study) -> None:
    """A trial is asked, then beats, then is marked with its ``worker``: one without a
    worker, older than the grace period, never ran. It is failed, not retried."""
    storage = study._storage
    grace = GRACE_FACTOR * storage.get_heartbeat_interval()
    oldest = datetime.datetime.now() - datetime.timedelta(seconds=grace)
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if "worker" in trial.user_attrs or trial.datetime_start is None or trial.datetime_start > oldest:
            continue
        try:
            storage.set_trial_user_attr(trial._trial_id, "abandoned", "asked, never run: its worker was lost")
            storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
        except optuna.exceptions.UpdateFinishedTrialError:
            pass


class Heartbeat:
    """Records a heartbeat of each trial it holds, now and every ``interval`` seconds."""

    def __init__(self, study):
        self.study, self.ids = study, []
        self.enabled = has_heartbeat(study)
        self.interval = study._storage.get_heartbeat_interval() if self.enabled else None
        self._stop = threading.Event()
        self._thread = None

    def add(self, trials) -> None:
        ids = [t._trial_id for t in trials]
        self.ids += ids
        if self.enabled:
            self._beat(ids)

    def _beat(self, ids) -> None:
        for trial_id in ids:
            self.study._storage.record_heartbeat(trial_id)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._beat(list(self.ids))

    def __enter__(self):
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="spikefit-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


@contextmanager
def in_flight(study):
    """A batch's trials: their heartbeat while it runs, and a retry of those left running
    when it is interrupted (any exception, Ctrl-C, SystemExit)."""
    beat = Heartbeat(study)
    try:
        with beat:
            yield beat
    except BaseException:
        retry(study, beat.ids, "interrupted")
        raise


def wait_for_others(study, since: dict, patience: float) -> bool:
    """Sleep a moment while other workers run the study's last trials; False when nothing
    has changed for ``patience`` seconds (trials lost without a heartbeat)."""
    snapshot = (count(study, TrialState.COMPLETE), count(study, TrialState.RUNNING), count(study, TrialState.FAIL))
    now = time.monotonic()
    if since.get("snapshot") != snapshot:
        since.update(snapshot=snapshot, at=now)
    if now - since["at"] > patience:
        return False
    time.sleep(0.2)
    return True
