"""The worker settling a reached batch is killed with SIGKILL after Stripe captured a pledge
and before our commit (real Redis, a real worker process); after the sweep every pledge is
captured exactly once and becomes exactly one order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from sqlmodel import func, select

from orders.jobs import sweep_batches
from orders.models import CustomBatch, Order, Pledge, PledgeEvent
from orders.services import gateway
from shop.core import db, jobs
from tests.conftest import REDIS_URL, HangingWorker


@pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis (SHOP_REDIS_URL); CI sets it")
def test_a_worker_killed_mid_capture_captures_each_pledge_once(
    app_factory, app, batch_world, localstripe_url, clock, tmp_path
):
    w = batch_world
    batch = w["open"](min_quantity=2).get_json()
    for who in ("sun1", "sun2"):
        assert w["pledge"](who, batch["id"], 1).status_code == 201
    rq_app = app_factory(REDIS_URL=REDIS_URL, STRIPE_API_BASE=localstripe_url)
    conn = jobs.redis_connection(rq_app)
    queue = Queue("default", connection=conn)
    queue.empty()
    worker = HangingWorker(
        "tests.orders.slow_batch_worker",
        app.config["DATABASE_URL"],
        tmp_path,
        SHOP_STRIPE_API_BASE=localstripe_url,
    )
    try:
        # The deadline has come: the decision (here, in the test) sends one settle job per
        # pledge to RQ; the worker takes the first and hangs after Stripe captured it.
        clock.set(db.aware(db.utcnow()) + timedelta(days=3))
        with rq_app.app_context():
            assert jobs.resolve("orders.jobs.decide_batch")(batch["id"]) == "reached"
        assert worker.wait_mid_job() == "succeeded"  # the money is taken; our row is not moved
    finally:
        worker.kill()
    with app.app_context(), db.session_scope(write=False) as s:
        statuses = sorted(p.status for p in s.exec(select(Pledge)))
    assert statuses == ["held", "held"]  # nothing of the killed job was committed
    # Recovery: the sweep sends every unfinished step again, and RQ's own retry of the killed
    # job comes too; capturing the captured intent again reads it back instead.
    queue.empty()
    with rq_app.app_context():
        assert sweep_batches() >= 2
    queue.enqueue("orders.jobs.settle_pledge", _ids(app)[0])
    jobs.run_worker(rq_app, ["default"], burst=True)
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(CustomBatch, batch["id"]).status == "ordered"
        rows = list(s.exec(select(Pledge).order_by(Pledge.id)))
        assert [p.status for p in rows] == ["ordered", "ordered"]
        captures = s.exec(select(func.count()).where(PledgeEvent.action == "capture")).one()
        orders = s.exec(select(func.count()).select_from(Order)).one()
        intents = [p.intent_id for p in rows]
    assert captures == 2 and orders == 2 + 1  # the producer fixture's own order, and two
    with app.app_context():
        assert [gateway.gateway().retrieve(i).status for i in intents] == ["succeeded"] * 2
    queue.empty()


def _ids(app):
    with app.app_context(), db.session_scope(write=False) as s:
        return list(s.exec(select(Pledge.id).order_by(Pledge.id)))
