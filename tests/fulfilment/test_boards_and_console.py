"""Boards per grid and month, the referral link, and the operator's staff-money page."""

from __future__ import annotations

from sqlmodel import select

from fulfilment.models import Withdrawal
from orders.models import Order
from shop.core import db
from tests.conftest import csrf_token, web_login
from tests.fixtures_fulfilment import deliver_in_window, event, notified, task_of, wallet


def test_the_board_counts_pieces_promises_and_earnings_for_the_grid_only(
    app, client, crew, rule, paid, clock, headers
):
    deliver_in_window(app, client, headers, paid, clock)
    month = clock.now.strftime("%Y-%m")
    url = f"/api/v1/grids/{crew.grid_id}/leaderboard"
    board = client.get(url, headers=headers("manager@staff.test"), query_string={"month": month})
    top = board.get_json()["items"][0]
    assert (top["staff_id"], top["pieces"], top["promises_met"], top["promises_judged"]) == (
        crew.busy_butler,
        1,
        2,
        2,
    )
    assert top["earned_minor"] == 400 and top["level"] == "new"
    colleague = client.get(url, headers=headers("free@staff.test"), query_string={"month": month})
    assert colleague.status_code == 200
    for outsider, status in (
        ("other@staff.test", 404),  # another grid's staff
        ("manager2@staff.test", 404),  # another grid's manager
        ("mass@resident.test", 403),  # not a role that sees boards at all
    ):
        response = client.get(url, headers=headers(outsider), query_string={"month": month})
        assert response.status_code == status, outsider
    assert (
        client.get(
            url, headers=headers("manager@staff.test"), query_string={"month": "2026-13"}
        ).status_code
        == 422
    )
    web_login(client, "manager@staff.test")
    page = client.get(f"/grids/{crew.grid_id}/board").get_data(as_text=True)
    assert "排行榜" in page and "新手" in page


def test_an_order_through_a_referral_link_shares_with_the_referrer(
    app, client, shop, crew, rule, clock, headers
):
    from tests.fixtures_orders import FakeGateway

    app.extensions["orders.services.gateway"] = FakeGateway()
    web_login(client, shop["email"])
    assert client.get("/r/E001").status_code == 302
    basket = "/shop/basket"
    client.post(
        basket,
        data={
            "csrf_token": csrf_token(client, f"/shop/bundles/{shop['bundle_id']}"),
            "bundle_id": shop["bundle_id"],
            "quantity": 1,
            "add": "1",
        },
    )
    checkout = client.get("/shop/checkout").get_data(as_text=True)
    assert "E001" in checkout
    client.post(
        "/shop/checkout",
        data={
            "csrf_token": csrf_token(client, "/shop/checkout"),
            "mode": "doorstep",
            "choice": str(shop["window_id"]),
            "key": "ref-order",
        },
    )
    with app.app_context(), db.session_scope(write=False) as s:
        order = s.exec(select(Order)).one()
        assert order.referral_code == "E001"
    assert client.get("/r/NOBODY").status_code == 302  # an unknown code changes nothing


def test_a_staff_member_gets_their_referral_qr_code(client, crew):
    web_login(client, "busy@staff.test")
    svg = client.get("/staff/referral.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data
    assert "E000" in client.get("/staff").get_data(as_text=True)


def test_the_operator_approves_a_withdrawal_and_adds_a_rule_on_the_console(
    app, client, shop, crew, rule, paid, clock, headers
):
    deliver_in_window(app, client, headers, paid, clock)
    client.post(f"/api/v1/orders/{paid['id']}/complete", headers=shop["headers"])
    app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"] = 100
    h = {**headers("busy@staff.test"), "Idempotency-Key": "c1"}
    client.post("/api/v1/staff/me/withdrawals", headers=h, json={"amount_minor": 300})
    web_login(client, "ops@catalogue.test")
    page = client.get("/console/staff-money").get_data(as_text=True)
    assert "试算平衡" in page and "¥3.00" in page
    with app.app_context(), db.session_scope(write=False) as s:
        withdrawal = s.exec(select(Withdrawal)).one()
    token = csrf_token(client, "/console/staff-money")
    client.post(f"/console/withdrawals/{withdrawal.id}/approve", data={"csrf_token": token})
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Withdrawal, withdrawal.id).status == "approved"
    bad = client.post(
        "/console/commission-rules",
        data={"csrf_token": token, "scope": "bundle", "basis": "fixed", "amount": "100"},
        follow_redirects=True,
    )
    assert "请检查规则" in bad.get_data(as_text=True)
    client.post(
        "/console/commission-rules",
        data={
            "csrf_token": token,
            "scope": "default",
            "basis": "margin_bp",
            "amount": "10",  # percent of the margin
            "split_deliverer": "100",
            "missed_factor": "50",
        },
    )
    assert "毛利的 10.0%" in client.get("/console/staff-money").get_data(as_text=True)
    assert wallet(client, headers)["balances"]["in_transit"] == 300


def test_a_failed_task_tells_the_manager_and_the_manager_reassigns_it(
    app, client, crew, paid, headers
):
    task_id = task_of(app, paid["id"]).id
    butler = headers("busy@staff.test")
    event(client, butler, task_id, "accepted")
    assert event(client, butler, task_id, "failed").status_code == 422  # a reason is needed
    unknown = event(client, butler, task_id, "failed", reason="住户不在家", cause="weather")
    assert unknown.status_code == 422 and "cause" in unknown.get_json()["error"]["fields"]
    failed = event(
        client, butler, task_id, "failed", reason="住户不在家，电话未接", cause="resident_absent"
    )
    assert failed.get_json()["status"] == "failed"
    assert task_of(app, paid["id"]).fail_cause == "resident_absent"  # the measures read it
    assert notified(app, crew.manager, "task_failed") == 1
    manager = headers("manager@staff.test")
    moved = client.post(
        f"/api/v1/tasks/{task_id}/reassign", headers=manager, json={"staff_id": crew.free_butler}
    )
    assert moved.get_json()["status"] == "assigned"
    assert moved.get_json()["assignee_id"] == crew.free_butler
