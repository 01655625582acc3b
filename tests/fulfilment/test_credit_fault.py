"""The worker running the credit job is killed with SIGKILL mid-job (real Redis, a real
worker process); after recovery there is exactly one credit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from sqlmodel import func, select

from fulfilment import jobs as fulfilment_jobs
from fulfilment.models import Credit, Posting, Task
from shop.core import db, jobs
from tests.conftest import REDIS_URL, HangingWorker
from tests.fixtures_fulfilment import task_of


def credits(app):
    with app.app_context(), db.session_scope(write=False) as s:
        return (
            s.exec(select(func.count()).select_from(Credit)).one(),
            s.exec(select(func.count()).select_from(Posting)).one(),
        )


@pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis (SHOP_REDIS_URL); CI sets it")
def test_a_worker_killed_mid_credit_leaves_exactly_one_credit_after_recovery(
    app_factory, app, client, crew, rule, paid, clock, headers, tmp_path
):
    rq_app = app_factory(REDIS_URL=REDIS_URL)
    conn = jobs.redis_connection(rq_app)
    conn.ping()
    queue = Queue("default", connection=conn)
    queue.empty()
    worker = HangingWorker("tests.fulfilment.slow_worker", app.config["DATABASE_URL"], tmp_path)
    try:
        # The staff member delivers through the Redis-backed app: the credit job goes to RQ.
        task_id = task_of(app, paid["id"]).id
        staff = rq_app.test_client()
        for body in (
            {"event": "accepted"},
            {"event": "delivered", "confirmation_code": paid["code"], "early_agreed": True},
        ):
            response = staff.post(
                f"/api/v1/tasks/{task_id}/events", headers=headers("busy@staff.test"), json=body
            )
            assert response.status_code == 200, response.get_json()
        assert worker.wait_mid_job() == "1"  # mid-job: the credit is made but not committed
    finally:
        worker.kill()
    assert credits(app) == (0, 0)
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Task, task_id).credited_at is None  # the outbox mark: still to do
    # Recovery: the sweep finds the verified task without its credit and sends the job again;
    # a duplicate of the job (RQ retrying the killed one) changes nothing.
    clock.set(clock.now + timedelta(minutes=2))
    with rq_app.app_context():
        assert fulfilment_jobs.sweep_uncredited() == 1
    queue.enqueue("fulfilment.jobs.credit_task", task_id)
    jobs.run_worker(rq_app, ["default"], burst=True)
    assert credits(app) == (1, 1)
    queue.empty()
