"""Promises judged from what staff record, on a controllable clock: met, missed by the timer,
missed then recorded late, waived; compensation paid once however often the job runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from orders import jobs as order_jobs
from orders import signals
from orders.models import CommitmentNode, Compensation, CreditEntry, Order, OrderEvent, Refund
from shop.core import db
from shop.core.errors import DomainError
from shop.core.models import Notification
from tests.conftest import at_once
from tests.fixtures_orders import count, record, run


def promises(client, shop, order_id):
    rows = client.get(f"/api/v1/orders/{order_id}/commitment", headers=shop["headers"]).get_json()[
        "items"
    ]
    return {n["kind"]: n for n in rows}


def test_promises_kept_when_staff_record_in_time(app, client, shop, paid, clock):
    accept_by = db.aware(paid["accept"].due_by)
    clock.set(accept_by - timedelta(minutes=5))
    assert record(app, paid["id"], "accepted", clock.now, paid["staff_id"]) == {"accept": "met"}
    arrive = db.aware(paid["window"].due_from) + timedelta(minutes=20)
    clock.set(arrive)
    verdicts = record(
        app, paid["id"], "delivered", arrive, paid["staff_id"], confirmation_code=paid["code"]
    )
    assert verdicts == {"deliver_window": "met"}
    seen = promises(client, shop, paid["id"])
    assert seen["accept"]["status"] == seen["deliver_window"]["status"] == "met"
    assert seen["deliver_window"]["actual_at"] == arrive.isoformat()
    assert seen["deliver_window"]["compensation_paid_minor"] == 0
    order = client.get(f"/api/v1/orders/{paid['id']}", headers=shop["headers"]).get_json()
    assert order["status"] == "delivered"
    actions = [
        e["action"]
        for e in client.get(
            f"/api/v1/orders/{paid['id']}/events", headers=shop["headers"]
        ).get_json()["items"]
    ]
    assert actions[-4:] == ["milestone_accepted", "start", "deliver", "milestone_delivered"]
    # The evidence says the resident confirmed; the code itself is never stored.
    with app.app_context(), db.session_scope(write=False) as s:
        node = s.get(CommitmentNode, paid["window"].id)
        assert node.evidence["confirmed"] is True and paid["code"] not in str(node.evidence)
    # Nothing overdue later: the timer leaves kept promises alone.
    clock.set(db.aware(paid["window"].due_by) + timedelta(hours=2))
    run(app, order_jobs.watch_commitments)
    assert count(app, Compensation) == 0


def test_the_timer_marks_a_missed_promise_and_pays_once_however_often_it_runs(
    app, client, shop, paid, clock
):
    missed = []
    signals.commitment_missed.connect(
        lambda order_id, **kw: missed.append((order_id, kw["compensation_minor"])), weak=False
    )
    clock.set(db.aware(paid["accept"].due_by) + timedelta(minutes=1))
    run(app, order_jobs.watch_commitments)
    run(app, order_jobs.watch_commitments)
    run(app, order_jobs.miss_node, paid["accept"].id)
    assert promises(client, shop, paid["id"])["accept"]["status"] == "missed"
    assert promises(client, shop, paid["id"])["deliver_window"]["status"] == "pending"
    assert count(app, Compensation) == 1
    assert count(app, CreditEntry, CreditEntry.reference == f"node-{paid['accept'].id}") == 1
    credit = client.get("/api/v1/me/credit", headers=shop["headers"]).get_json()
    assert credit == {"balance": {"amount_minor": 300, "currency": "CNY"}}
    assert missed == [(paid["id"], 300)]
    inbox = client.get("/api/v1/me/notifications", headers=shop["headers"]).get_json()
    assert [n["kind"] for n in inbox["items"]] == ["promise_missed"] and inbox["unread"] == 1
    # The window passes too: ¥5 goes back through Stripe, once, and the order carries on.
    clock.set(db.aware(paid["window"].due_by) + timedelta(minutes=1))
    for _ in range(2):
        run(app, order_jobs.watch_commitments)
    run(app, order_jobs.miss_node, paid["window"].id)
    assert app.extensions["orders.services.gateway"].refunds == [("pi_hand_1", 500, "refund-1")]
    order = client.get(f"/api/v1/orders/{paid['id']}", headers=shop["headers"]).get_json()
    assert order["status"] == "paid"
    assert (order["paid"]["amount_minor"], order["refunded"]["amount_minor"]) == (7200, 500)
    assert promises(client, shop, paid["id"])["deliver_window"]["compensation_paid_minor"] == 500
    signals.commitment_missed.receivers.clear()


def test_concurrent_timers_compensate_a_node_once(app, paid, clock):
    clock.set(db.aware(paid["accept"].due_by) + timedelta(minutes=1))
    outcomes = at_once(8, lambda _i: run(app, order_jobs.miss_node, paid["accept"].id))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert count(app, Compensation) == 1
    assert count(app, CreditEntry) == 1


def test_missed_then_recorded_late_keeps_the_verdict_and_the_evidence(
    app, client, shop, paid, clock
):
    clock.set(db.aware(paid["accept"].due_by) + timedelta(minutes=10))
    run(app, order_jobs.watch_commitments)
    late = clock.now + timedelta(minutes=5)
    clock.set(late)
    record(app, paid["id"], "accepted", late, paid["staff_id"], note="电梯维修")
    accept = promises(client, shop, paid["id"])["accept"]
    assert (accept["status"], accept["actual_at"]) == ("missed", late.isoformat())
    assert accept["compensation_paid_minor"] == 300
    assert count(app, Compensation) == 1
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(CommitmentNode, paid["accept"].id).evidence["note"] == "电梯维修"


def test_a_late_record_before_the_timer_runs_is_missed_at_once(app, client, shop, paid, clock):
    late = db.aware(paid["window"].due_by) + timedelta(minutes=3)
    clock.set(late)
    verdicts = record(
        app, paid["id"], "delivered", late, paid["staff_id"], confirmation_code=paid["code"]
    )
    assert verdicts == {"deliver_window": "missed"}
    run(app, order_jobs.watch_commitments)  # the accept node was missed too: by the timer
    kinds = promises(client, shop, paid["id"])
    assert kinds["deliver_window"]["compensation_paid_minor"] == 500
    assert count(app, Compensation) == 2


def test_a_waived_promise_is_never_missed(app, client, shop, paid, clock, catalogue, headers):
    url = f"/api/v1/orders/{paid['id']}/commitment/{paid['accept'].id}/waive"
    operator = headers("ops@catalogue.test")
    assert client.post(url, headers=shop["headers"], json={"reason": "x" * 5}).status_code == 403
    assert client.post(url, headers=operator, json={}).status_code == 422
    done = client.post(url, headers=operator, json={"reason": "住户改约到明天"})
    assert done.status_code == 200
    assert {n["kind"]: n["waived_reason"] for n in done.get_json()}["accept"] == "住户改约到明天"
    again = client.post(url, headers=operator, json={"reason": "再次"})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "already_judged")
    clock.set(db.aware(paid["accept"].due_by) + timedelta(hours=1))
    run(app, order_jobs.watch_commitments)
    assert promises(client, shop, paid["id"])["accept"]["status"] == "waived"
    assert count(app, Compensation) == 0
    other_order = f"/api/v1/orders/{paid['id'] + 999}/commitment/{paid['accept'].id}/waive"
    assert client.post(other_order, headers=operator, json={"reason": "错单"}).status_code == 404


def test_a_wrong_confirmation_code_records_nothing(app, paid, clock):
    wrong = "000000" if paid["code"] != "000000" else "111111"
    events_before = count(app, OrderEvent)
    with pytest.raises(DomainError) as refused:
        record(app, paid["id"], "delivered", clock.now, paid["staff_id"], confirmation_code=wrong)
    assert refused.value.code == "wrong_confirmation_code"
    assert count(app, OrderEvent) == events_before
    assert count(app, Order, Order.status == "paid") == 1


def test_a_cancelled_order_takes_no_milestones_and_its_promises_stop(
    app, client, shop, paid, clock
):
    client.post(f"/api/v1/orders/{paid['id']}/cancel", headers=shop["headers"], json={})
    with pytest.raises(DomainError) as refused:
        record(app, paid["id"], "accepted", clock.now, paid["staff_id"])
    assert refused.value.code == "order_not_running"
    clock.set(db.aware(paid["window"].due_by) + timedelta(hours=1))
    run(app, order_jobs.watch_commitments)
    assert count(app, Compensation) == 0
    assert count(app, Refund) == 1  # the cancellation's own refund, nothing more


def test_staff_and_their_manager_are_warned_once_before_a_deadline(
    app, paid, clock, make_user, catalogue
):
    manager = make_user("manager")
    app.extensions["orders.assignee_sources"] = [lambda order_id, building: [paid["staff_id"]]]
    app.extensions["orders.assignee_sources"].append(lambda order_id, building: [manager])
    clock.set(db.aware(paid["accept"].due_by) - timedelta(minutes=10))
    for _ in range(2):
        run(app, order_jobs.watch_commitments)
    warned = count(app, Notification, Notification.kind == "deadline_near")
    assert warned == 2
    with app.app_context(), db.session_scope(write=False) as s:
        rows = s.exec(select(Notification).where(Notification.kind == "deadline_near")).all()
        assert {r.user_id for r in rows} == {paid["staff_id"], manager}
        assert all(r.delivered_at is not None for r in rows)
        assert s.get(CommitmentNode, paid["accept"].id).status == "pending"


def test_with_nobody_assigned_the_operators_are_warned(app, paid, clock, catalogue):
    clock.set(db.aware(paid["accept"].due_by) - timedelta(minutes=10))
    run(app, order_jobs.watch_commitments)
    with app.app_context(), db.session_scope(write=False) as s:
        [row] = s.exec(select(Notification).where(Notification.kind == "deadline_near")).all()
        assert row.user_id == catalogue.operator_id
        assert str(paid["id"]) in row.subject


def test_the_grid_manager_of_the_residents_building_is_warned(app, paid, clock, make_user):
    import fulfilment.api
    from orders.models import Order

    manager = make_user("manager")
    with app.app_context(), db.session_scope() as s:
        order = s.get(Order, paid["id"])
        fulfilment.api.create_grid(
            community_id=order.community_id,
            name="一网格",
            building_ids=[order.building_id],
            manager_id=manager,
        )
        s.commit()
    clock.set(db.aware(paid["accept"].due_by) - timedelta(minutes=10))
    run(app, order_jobs.watch_commitments)
    with app.app_context(), db.session_scope(write=False) as s:
        [row] = s.exec(select(Notification).where(Notification.kind == "deadline_near")).all()
        assert row.user_id == manager
