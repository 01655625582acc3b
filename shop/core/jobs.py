"""Background jobs: enqueued only after commit, run with their own session, on RQ or in-process.

With `REDIS_URL` set, jobs go to RQ queues and a worker (`flask --app wsgi worker`) runs them,
with retries. Without it (the embedded mode of `make run`), a job runs in this process right
after the transaction that asked for it commits; a delayed job waits in this process (one
thread and a heap for all of them), so it is lost if the process stops first: work that must
happen also has a periodic sweep that finds it again.
"""

from __future__ import annotations

import functools
import heapq
import importlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlmodel import Session

from shop.core import db

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
_PENDING = "shop.pending_jobs"
_PERIODIC = "shop.periodic"
_ticker_lock = threading.Lock()
_worker_app: Flask | None = None


def enqueue_after_commit(path: str, *ids: Any, delay: float | None = None) -> None:
    """Send the job at dotted `path` with `ids` once the current transaction commits.

    If the transaction rolls back, the job is never sent. `delay` is in seconds.
    """
    session = db.session()
    if not session.in_transaction():
        # Bind the job to a transaction (lazily: no connection yet), so that a rollback
        # before any SQL still discards it.
        session.begin()
    # Remember the innermost transaction: rolling back a savepoint drops what it enqueued.
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((path, ids, delay, transaction))


def enqueue_each(path: str, ids: Iterable[Any]) -> int:
    """A sweep's sending: the job at `path` once per id, after commit; returns how many."""
    count = 0
    for one in ids:
        enqueue_after_commit(path, one)
        count += 1
    return count


def job(fn: Callable[P, R] | None = None, *, queue: str = "default") -> Any:
    """Make `fn` a job: it runs in an app context with a session of its own, committed once."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            app = current_app._get_current_object() if has_app_context() else _worker_app
            if app is None:
                raise RuntimeError("a job needs an app: run it from `flask --app wsgi worker`")
            with app.app_context(), db.unit_of_work():
                return fn(*args, **kwargs)

        run.queue = queue  # type: ignore[attr-defined]
        return run

    return wrap(fn) if fn is not None else wrap


def resolve(path: str) -> Callable[..., Any]:
    """Import the job function named by a dotted path."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def redis_connection(app: Flask | None = None) -> Any:
    """The Redis connection for RQ (one per app)."""
    from redis import Redis

    app = app or current_app._get_current_object()
    conn = app.extensions.get("shop.redis")
    if conn is None:
        conn = app.extensions["shop.redis"] = Redis.from_url(app.config["REDIS_URL"])
    return conn


def _dispatch(app: Flask, path: str, ids: tuple[Any, ...], delay: float | None) -> None:
    if app.config["REDIS_URL"]:
        from rq import Queue, Retry

        intervals = list(app.config["JOB_RETRY_INTERVALS"])
        queue = Queue(getattr(resolve(path), "queue", "default"), connection=redis_connection(app))
        options = {"retry": Retry(max=len(intervals), interval=intervals)}
        if delay:
            queue.enqueue_in(timedelta(seconds=delay), path, *ids, **options)
        else:
            queue.enqueue(path, *ids, **options)
    elif delay:
        _delayed(app).add(delay, path, ids)
    else:
        _run_in_process(app, path, ids)


class _DelayedJobs:
    """Embedded mode's delayed jobs: one thread and a heap, however many jobs wait."""

    def __init__(self, app: Flask) -> None:
        self.app, self.heap, self.seq = app, [], itertools.count()
        self.wake = threading.Condition()
        threading.Thread(target=self._loop, name="shop-delayed-jobs", daemon=True).start()

    def add(self, delay: float, path: str, ids: tuple[Any, ...]) -> None:
        with self.wake:
            heapq.heappush(self.heap, (time.monotonic() + delay, next(self.seq), path, ids))
            self.wake.notify()

    def _loop(self) -> None:
        while True:
            with self.wake:
                while not self.heap or self.heap[0][0] > time.monotonic():
                    self.wake.wait(self.heap[0][0] - time.monotonic() if self.heap else None)
                _due, _seq, path, ids = heapq.heappop(self.heap)
            try:
                _run_in_process(self.app, path, ids)
            except Exception:
                log.exception("delayed job %s%r failed", path, ids)


def _delayed(app: Flask) -> _DelayedJobs:
    state = app.extensions["shop.jobs"]
    with _ticker_lock:
        if "delayed" not in state:
            state["delayed"] = _DelayedJobs(app)
    return state["delayed"]


def _run_in_process(app: Flask, path: str, ids: tuple[Any, ...]) -> None:
    with app.app_context():
        try:
            resolve(path)(*ids)
        except Exception:
            # The caller's transaction has committed; a failed job must not undo its response.
            log.exception("in-process job %s%r failed", path, ids)
            if app.config.get("JOBS_RAISE"):
                raise


def _after_commit(session: Session) -> None:
    # SQLAlchemy also calls this when a savepoint is released; only the outermost commit
    # makes the work durable.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    app = current_app._get_current_object()
    for path, ids, delay, _transaction in pending:
        _dispatch(app, path, ids, delay)


def _inside(transaction: Any, ancestor: Any) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
        return
    pending = session.info.get(_PENDING, [])
    session.info[_PENDING] = [p for p in pending if not _inside(p[3], previous_transaction)]


event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_soft_rollback", _after_soft_rollback)


def register_periodic(app: Flask, path: str, every_seconds: int) -> None:
    """Run the job at `path` (no arguments) every `every_seconds`, on one process at a time."""
    app.extensions.setdefault(_PERIODIC, []).append((path, int(every_seconds)))


def run_due_periodic(app: Flask) -> list[str]:
    """Send the periodic jobs that are due; returns their paths.

    With Redis, a key per job that expires after its interval (SET NX EX) makes exactly one
    of many tickers send it; embedded, this process remembers when it last sent each.
    """
    sent = []
    last: dict[str, float] = app.extensions.setdefault("shop.periodic.last", {})
    for path, every in app.extensions.get(_PERIODIC, []):
        if app.config["REDIS_URL"]:
            due = redis_connection(app).set(f"shop-periodic-{path}", "1", nx=True, ex=every)
        else:
            due = time.monotonic() - last.get(path, -float("inf")) >= every
        if due:
            last[path] = time.monotonic()
            _dispatch(app, path, (), None)
            sent.append(path)
    return sent


def start_periodic_ticker(app: Flask, *, tick_seconds: float = 30.0) -> threading.Thread:
    """A daemon thread that sends due periodic jobs every `tick_seconds`."""

    def loop() -> None:
        while True:
            try:
                run_due_periodic(app)
            except Exception:
                log.exception("periodic ticker failed")
            time.sleep(tick_seconds)

    thread = threading.Thread(target=loop, name="shop-periodic", daemon=True)
    thread.start()
    return thread


def _start_embedded_ticker_once() -> None:
    # Embedded mode only: the web process that serves the first request runs the periodic jobs.
    app = current_app._get_current_object()
    state = app.extensions["shop.jobs"]
    with _ticker_lock:
        if not state.get("ticker"):
            state["ticker"] = start_periodic_ticker(app)


def run_worker(app: Flask, queues: list[str], *, burst: bool = False) -> bool:
    """Run an RQ worker (with the scheduler and the periodic ticker) on `queues`."""
    from rq import SimpleWorker

    global _worker_app
    _worker_app = app
    if not burst:
        start_periodic_ticker(app)
    # SimpleWorker runs jobs in this process: no fork per job (4x the throughput here) and
    # no database connections inherited across a fork.
    worker = SimpleWorker(queues or ["default"], connection=redis_connection(app))
    return worker.work(burst=burst, with_scheduler=not burst)


def init_app(app: Flask) -> None:
    """Record the job mode; embedded (no Redis, not testing), tick periodic jobs in-process."""
    app.extensions["shop.jobs"] = {"mode": "rq" if app.config["REDIS_URL"] else "in-process"}
    if not app.config["REDIS_URL"] and not app.testing:
        app.before_request(_start_embedded_ticker_once)
