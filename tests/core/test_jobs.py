"""The jobs kernel: sent only after commit, once; the @job wrapper commits; RQ runs them."""

from __future__ import annotations

import threading
import time

import fakeredis
import pytest
from rq import Queue
from sqlmodel import select

from shop.core import db, jobs
from shop.core.models import AuditEntry
from shop.core.web import csrf
from tests.conftest import REDIS_URL

TRACE = "tests.core.sample_jobs.record_trace"


def traces(app, label: str) -> int:
    with app.app_context(), db.session_scope(write=False) as s:
        rows = s.exec(select(AuditEntry).where(AuditEntry.subject_id == label))
        return len(list(rows))


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(app):
    with app.app_context(), db.session_scope() as s:
        jobs.enqueue_after_commit(TRACE, "rolled-back")
        s.rollback()
        s.commit()  # a later commit of the same session must not send it either
    assert traces(app, "rolled-back") == 0


def test_a_job_enqueued_in_a_committed_transaction_runs_once(app):
    with app.app_context(), db.session_scope() as s:
        jobs.enqueue_after_commit(TRACE, "committed")
        assert traces(app, "committed") == 0  # not before the commit
        s.commit()
        s.commit()
    assert traces(app, "committed") == 1


def test_a_request_that_fails_sends_no_job(app_factory):
    app = app_factory()  # an app of its own: a route is added to it

    @app.post("/boom")
    @csrf.exempt
    def boom():
        jobs.enqueue_after_commit(TRACE, "request-failed")
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().post("/boom").status_code == 500
    assert traces(app, "request-failed") == 0


def test_the_job_wrapper_commits_its_own_session(app):
    from tests.core.sample_jobs import record_trace

    with app.app_context():
        record_trace("direct")
    assert traces(app, "direct") == 1


def test_a_failing_job_commits_nothing(app):
    from tests.core.sample_jobs import fail_always

    with app.app_context(), pytest.raises(RuntimeError):
        fail_always("failed")
    assert traces(app, "failed") == 0


def test_a_delayed_job_runs_in_process_after_its_delay(app):
    with app.app_context(), db.session_scope() as s:
        jobs.enqueue_after_commit(TRACE, "delayed", delay=0.2)
        s.commit()
    assert traces(app, "delayed") == 0
    deadline = time.monotonic() + 10
    while traces(app, "delayed") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert traces(app, "delayed") == 1


def test_many_delayed_jobs_share_one_thread_and_run_in_due_order(app, monkeypatch):
    ran = []
    monkeypatch.setattr(jobs, "_run_in_process", lambda _app, path, ids: ran.append(ids[0]))
    before = threading.active_count()
    with app.app_context(), db.session_scope() as s:
        for label, delay in (("c", 0.3), ("a", 0.1), ("b", 0.2)) * 50:
            jobs.enqueue_after_commit(TRACE, label, delay=delay)
        s.commit()
    assert threading.active_count() <= before + 1  # one scheduler thread, not 150 timers
    deadline = time.monotonic() + 10
    while len(ran) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ran == ["a"] * 50 + ["b"] * 50 + ["c"] * 50


@pytest.fixture
def rq_app(app_factory):
    """An app whose jobs go to RQ: real Redis when SHOP_REDIS_URL is set, else fakeredis."""
    app = app_factory(REDIS_URL=REDIS_URL or "redis://fake")
    if REDIS_URL:
        conn = jobs.redis_connection(app)
        conn.ping()  # fail loudly, never skip, when the configured Redis is down
    else:
        app.extensions["shop.redis"] = fakeredis.FakeStrictRedis()
        conn = app.extensions["shop.redis"]
    queue = Queue("default", connection=conn)
    queue.empty()
    yield app
    queue.empty()


def test_a_worker_processes_a_committed_job_from_redis(rq_app):
    with rq_app.app_context(), db.session_scope() as s:
        jobs.enqueue_after_commit(TRACE, "via-rq")
        s.commit()
    queue = Queue("default", connection=jobs.redis_connection(rq_app))
    assert queue.count == 1
    assert traces(rq_app, "via-rq") == 0
    jobs.run_worker(rq_app, ["default"], burst=True)
    assert traces(rq_app, "via-rq") == 1
    assert queue.count == 0


def test_a_rolled_back_job_never_reaches_redis(rq_app):
    with rq_app.app_context(), db.session_scope() as s:
        jobs.enqueue_after_commit(TRACE, "never")
        s.rollback()
    assert Queue("default", connection=jobs.redis_connection(rq_app)).count == 0


def test_redis_jobs_carry_retries(rq_app):
    with rq_app.app_context(), db.session_scope() as s:
        jobs.enqueue_after_commit(TRACE, "retry")
        s.commit()
    [job] = Queue("default", connection=jobs.redis_connection(rq_app)).get_jobs()
    assert job.retries_left == len(rq_app.config["JOB_RETRY_INTERVALS"])
    assert job.args == ("retry",)


def test_a_savepoint_inside_the_transaction_does_not_send_the_job_early(app):
    with app.app_context(), db.session_scope() as s:
        jobs.enqueue_after_commit(TRACE, "before-savepoint")
        with s.begin_nested():
            jobs.enqueue_after_commit(TRACE, "in-savepoint")
        assert traces(app, "before-savepoint") == 0  # released savepoint: nothing sent yet
        s.commit()
    assert traces(app, "before-savepoint") == 1 and traces(app, "in-savepoint") == 1


def test_a_job_enqueued_in_a_rolled_back_savepoint_never_runs(app):
    with app.app_context(), db.session_scope() as s:
        jobs.enqueue_after_commit(TRACE, "kept")
        savepoint = s.begin_nested()
        jobs.enqueue_after_commit(TRACE, "dropped")
        savepoint.rollback()
        s.commit()
    assert traces(app, "kept") == 1 and traces(app, "dropped") == 0
