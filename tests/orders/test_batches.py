"""Custom batches and pledges against the offline Stripe: holds captured or released, saved
cards charged at the deadline (a decline and its fix window), partial fills per compound, the
cap and its waiting list, every transition by its actor, and the phase gate."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from orders.jobs import decide_batch, settle_pledge
from orders.models import BatchEvent, CustomBatch, Order, Payment, Pledge, PledgeEvent
from shop.core import db
from tests.fixtures_orders import run


def _batch(app, batch_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(CustomBatch, batch_id)


def _pledges(app, batch_id):
    with app.app_context(), db.session_scope(write=False) as s:
        rows = s.exec(select(Pledge).where(Pledge.batch_id == batch_id).order_by(Pledge.id))
        return list(rows)


def _past_deadline(app, clock, batch_id):
    clock.set(db.aware(_batch(app, batch_id).deadline) + timedelta(minutes=1))
    return run(app, decide_batch, batch_id)


def test_a_reached_batch_captures_its_holds_and_makes_orders(app, batch_world, clock):
    w = batch_world
    made = w["open"]()
    assert made.status_code == 201, made.get_json()
    batch = made.get_json()
    assert batch["status"] == "open" and batch["pledged"] == 0
    first = w["pledge"]("sun1", batch["id"], 2)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "held" and first.get_json()["mode"] == "hold"
    w["pledge"]("sun2", batch["id"], 2)
    seen = w["client"].get(f"/api/v1/custom-batches/{batch['id']}", headers=w["as"]("sun3"))
    sun = next(c for c in seen.get_json()["compounds"] if c["community_id"] == w["sun"])
    assert sun["pledged"] == 4
    assert _past_deadline(app, clock, batch["id"]) == "reached"
    assert _batch(app, batch["id"]).status == "ordered"
    rows = _pledges(app, batch["id"])
    assert [p.status for p in rows] == ["ordered", "ordered"]
    with app.app_context(), db.session_scope(write=False) as s:
        orders = [s.get(Order, p.order_id) for p in rows]
        assert [o.status for o in orders] == ["paid", "paid"]
        assert [o.total_minor for o in orders] == [560, 560]
        pays = s.exec(select(Payment).where(Payment.order_id.in_([o.id for o in orders]))).all()
        assert sorted(p.intent_id for p in pays) == sorted(p.intent_id for p in rows)
        steps = [e.action for e in s.exec(select(BatchEvent).where(BatchEvent.batch_id == batch["id"]).order_by(BatchEvent.id))]
        assert steps == ["create", "reach", "capture", "order"]
    assert run(app, decide_batch, batch["id"]) == "ordered"  # a second run changes nothing
    assert run(app, settle_pledge, rows[0].id) == "ordered"
