"""After delivery: complaints in the after-sale window, completion (by the resident or the
timer), settlement on the supplier's statement, readiness figures and scorecards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

import suppliers.api
from orders import jobs as order_jobs
from orders.models import Complaint, OrderComponent
from shop.core import db
from shop.core.models import MeasureFigure
from suppliers.models import Scorecard, SettlementLine
from tests.fixtures_orders import count, record, run


@pytest.fixture
def delivered(app, client, shop, paid, clock):
    """The paid order, accepted and delivered in its window (both promises kept)."""
    clock.set(db.aware(paid["accept"].due_by) - timedelta(minutes=5))
    record(app, paid["id"], "accepted", clock.now, paid["staff_id"])
    clock.set(db.aware(paid["window"].due_from) + timedelta(minutes=10))
    record(
        app, paid["id"], "delivered", clock.now, paid["staff_id"], confirmation_code=paid["code"]
    )
    return {**paid, "delivered_at": clock.now}


def order_of(client, shop, order_id):
    return client.get(f"/api/v1/orders/{order_id}", headers=shop["headers"]).get_json()


def settlement(app):
    with app.app_context(), db.session_scope(write=False) as s:
        return sorted(
            (line.reference, line.amount_minor) for line in s.exec(select(SettlementLine))
        )


def owed(app, order_id):
    with app.app_context(), db.session_scope(write=False) as s:
        rows = s.exec(select(OrderComponent).where(OrderComponent.order_id == order_id)).all()
        return sorted(
            (f"order-{order_id}-component-{c.id}", c.settlement_price_minor * c.quantity)
            for c in rows
        )


def test_the_timer_completes_after_the_window_and_settles_the_suppliers(
    app, client, shop, delivered, clock
):
    clock.set(delivered["delivered_at"] + timedelta(days=6))
    run(app, order_jobs.sweep_after_sale)
    assert order_of(client, shop, delivered["id"])["status"] == "delivered"
    assert settlement(app) == []
    clock.set(delivered["delivered_at"] + timedelta(days=7, minutes=1))
    run(app, order_jobs.sweep_after_sale)
    run(app, order_jobs.sweep_after_sale)
    run(app, order_jobs.complete_order, delivered["id"])
    assert order_of(client, shop, delivered["id"])["status"] == "completed"
    expected = owed(app, delivered["id"])
    assert expected and settlement(app) == expected  # once per component, however often


def test_an_open_complaint_holds_completion_until_the_operator_answers(
    app, client, shop, delivered, clock, headers
):
    url = f"/api/v1/orders/{delivered['id']}/complaints"
    assert client.post(url, headers=shop["headers"], json={"text": "短"}).status_code == 422
    filed = client.post(url, headers=shop["headers"], json={"text": "少送了一箱水，请核实"})
    assert filed.status_code == 201 and filed.get_json()["status"] == "open"
    twice = client.post(url, headers=shop["headers"], json={"text": "再投诉一次试试"})
    assert twice.get_json()["error"]["code"] == "complaint_open"
    confirm = client.post(f"/api/v1/orders/{delivered['id']}/complete", headers=shop["headers"])
    assert confirm.get_json()["error"]["code"] == "complaint_open"
    clock.set(delivered["delivered_at"] + timedelta(days=8))
    run(app, order_jobs.sweep_after_sale)
    assert order_of(client, shop, delivered["id"])["status"] == "delivered"
    operator = headers("ops@catalogue.test")
    assert client.get("/api/v1/complaints", headers=shop["headers"]).status_code == 403
    [waiting] = client.get("/api/v1/complaints", headers=operator).get_json()["items"]
    resolve = f"/api/v1/complaints/{waiting['id']}/resolve"
    answered = client.post(resolve, headers=operator, json={"resolution": "已补送一箱"})
    assert answered.get_json()["status"] == "resolved"
    assert client.post(resolve, headers=operator, json={"resolution": "再次"}).status_code == 409
    run(app, order_jobs.sweep_after_sale)
    assert order_of(client, shop, delivered["id"])["status"] == "completed"
    inbox = client.get("/api/v1/me/notifications", headers=shop["headers"]).get_json()
    assert "complaint_resolved" in [n["kind"] for n in inbox["items"]]


def test_complaints_only_within_the_after_sale_window(app, client, shop, paid, clock):
    url = f"/api/v1/orders/{paid['id']}/complaints"
    early = client.post(url, headers=shop["headers"], json={"text": "还没送到就投诉"})
    assert early.get_json()["error"]["code"] == "outside_after_sale_window"
    record(
        app,
        paid["id"],
        "delivered",
        clock.now,
        paid["staff_id"],
        confirmation_code=paid["code"],
        early_agreed=True,
    )
    clock.set(clock.now + timedelta(days=7, hours=1))
    late = client.post(url, headers=shop["headers"], json={"text": "一周多以后才投诉"})
    assert late.get_json()["error"]["code"] == "outside_after_sale_window"
    assert count(app, Complaint) == 0


def test_another_resident_can_neither_complain_nor_confirm(client, delivered, resident, headers):
    other = headers(resident("premium"))
    base = f"/api/v1/orders/{delivered['id']}"
    assert (
        client.post(f"{base}/complaints", headers=other, json={"text": "不是我的订单"}).status_code
        == 404
    )
    assert client.post(f"{base}/complete", headers=other).status_code == 404


def test_the_resident_confirms_and_a_full_refund_later_takes_the_settlement_back(
    app, client, shop, delivered, headers
):
    done = client.post(f"/api/v1/orders/{delivered['id']}/complete", headers=shop["headers"])
    assert done.get_json()["status"] == "completed"
    expected = owed(app, delivered["id"])
    assert settlement(app) == expected
    operator = headers("ops@catalogue.test")
    refund = client.post(
        f"/api/v1/orders/{delivered['id']}/refunds",
        headers=operator,
        json={"reason": "质量问题全额退款"},
    )
    assert refund.status_code == 201
    back = [(ref + "-refund", -amount) for ref, amount in expected]
    assert settlement(app) == sorted(expected + back)
    with app.app_context(), db.session_scope(write=False) as s:
        total = sum(line.amount_minor for line in s.exec(select(SettlementLine)))
    assert total == 0


def test_readiness_and_scorecards_come_from_delivered_orders_and_kept_promises(
    app, delivered, catalogue
):
    with app.app_context(), db.session_scope(write=False):
        figures = {f.key: f.value for f in suppliers.api.readiness(2)}
    assert figures["delivered_orders"] == 1
    assert figures["met_rate_bp"] == 10_000
    run(app, order_jobs.update_scorecards)
    with app.app_context(), db.session_scope(write=False) as s:
        card = s.get(Scorecard, catalogue.supplier_id)
        assert (card.orders_count, card.met_rate_bp, card.refund_rate_bp) == (1, 10_000, 0)
        assert card.communities_served == 1
        assert card.defect_rate_bp is None  # no monthly snapshot measured it yet
        before = suppliers.api.supplier_scores([catalogue.supplier_id])[catalogue.supplier_id]
        for month, value in ((date(2026, 9, 1), 100), (date(2026, 10, 1), 2400)):
            s.add(
                MeasureFigure(
                    month=month,
                    measure="suppliers.defect_rate_90",
                    scope="supplier",
                    scope_id=catalogue.supplier_id,
                    value=value,
                    n=5,
                )
            )
        s.commit()
    run(app, order_jobs.update_scorecards)
    with app.app_context(), db.session_scope(write=False) as s:
        card = s.get(Scorecard, catalogue.supplier_id)
        assert card.defect_rate_bp == 2400  # the newest snapshot's, not September's
        after = suppliers.api.supplier_scores([catalogue.supplier_id])[catalogue.supplier_id]
        assert before - after == 1200  # ranking weighs half the defects' basis points


def test_a_part_refunded_order_is_still_delivered_and_completed(
    app, client, shop, paid, clock, headers
):
    operator = headers("ops@catalogue.test")
    part = client.post(
        f"/api/v1/orders/{paid['id']}/refunds",
        headers=operator,
        json={"amount_minor": 1000, "reason": "一瓶破损"},
    )
    assert part.status_code == 201
    assert order_of(client, shop, paid["id"])["status"] == "paid"
    record(
        app,
        paid["id"],
        "delivered",
        clock.now,
        paid["staff_id"],
        confirmation_code=paid["code"],
        early_agreed=True,
    )
    client.post(f"/api/v1/orders/{paid['id']}/complete", headers=shop["headers"])
    assert order_of(client, shop, paid["id"])["status"] == "completed"
    after = client.post(
        f"/api/v1/orders/{paid['id']}/refunds",
        headers=operator,
        json={"amount_minor": 500, "reason": "售后补偿"},
    )
    assert after.status_code == 201
    done = order_of(client, shop, paid["id"])
    assert done["status"] == "partially_refunded"
    # ¥10 and ¥5 by the operator; delivered early as the resident agreed, no promise missed.
    assert done["refunded"]["amount_minor"] == 1500


def test_a_completed_order_is_on_the_suppliers_statement_at_once_page_and_api(
    app, client, shop, delivered, catalogue, headers
):
    from tests.conftest import web_login

    assert client.post(f"/api/v1/orders/{delivered['id']}/complete", headers=shop["headers"])
    member = headers(catalogue.member_email)
    base = f"/api/v1/suppliers/{catalogue.supplier_id}/statements"
    [current, *_older] = client.get(base, headers=member).get_json()["items"]
    # Two bundles at a ¥30.00 settlement each.
    assert (current["status"], current["lines"]) == ("open", 1)
    assert current["total"]["amount_minor"] == 6000
    lines = client.get(f"{base}/{current['period_start']}/lines", headers=member).get_json()[
        "items"
    ]
    assert [ln["amount"]["amount_minor"] for ln in lines] == [6000]
    web_login(client, catalogue.member_email)
    page = client.get("/supplier/statements").get_data(as_text=True)
    assert f"订单 {delivered['id']}" in page and "¥60.00" in page
