"""The resident's credit at checkout: it pays what it covers (all of it: no card), comes back
once when the order is cancelled, expires or is refunded, and is never spent twice."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlmodel import func, select

from orders.models import CreditEntry, Order, Payment
from orders.services import checkout as services
from orders.services import credits
from shop.core import db
from shop.core.errors import DomainError
from tests.conftest import csrf_token, web_login
from tests.fixtures_orders import FakeGateway, deliver, intent_event, order_body, post


@pytest.fixture
def credited(app, shop):
    """The resident has ¥50.00 of credit (compensations earlier)."""

    def give(amount=5000):
        with app.app_context(), db.session_scope() as s:
            s.add(
                CreditEntry(
                    resident_id=shop["user_id"],
                    amount_minor=amount,
                    currency="CNY",
                    reference=f"test-{uuid.uuid4().hex}",
                    reason="earlier compensation",
                )
            )
            s.commit()

    give()
    app.extensions["orders.services.gateway"] = FakeGateway()
    return give


def balance(client, shop):
    return client.get("/api/v1/me/credit", headers=shop["headers"]).get_json()["balance"][
        "amount_minor"
    ]


def order_with_credit(client, shop, quantity):
    return post(client, shop, {**order_body(shop, quantity), "use_credit": True}).get_json()


def test_credit_that_covers_the_order_pays_it_at_once(client, shop, credited):
    order = order_with_credit(client, shop, 1)  # ¥36.00
    assert order["status"] == "paid"
    assert (order["credit"]["amount_minor"], order["due"]["amount_minor"]) == (3600, 0)
    assert balance(client, shop) == 1400
    promises = client.get(f"/api/v1/orders/{order['id']}/commitment", headers=shop["headers"])
    assert len(promises.get_json()["items"]) == 2  # paid: its promises are fixed


@pytest.mark.parametrize("use_credit", [False, True])
def test_the_answer_to_a_checkout_is_the_order_as_read_back(client, shop, credited, use_credit):
    """The checkout answers from what it wrote; reading the order back gives the same money,
    lines and status (unpaid, or paid in full by credit); a retry with the key the same."""
    body = {**order_body(shop, 1), "use_credit": use_credit}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    placed = client.post("/api/v1/orders", json=body, headers={**shop["headers"], **key})
    assert placed.status_code == 201
    answer = placed.get_json()
    read = client.get(f"/api/v1/orders/{answer['id']}", headers=shop["headers"]).get_json()
    assert answer == read
    assert answer["status"] == ("paid" if use_credit else "pending_payment")
    assert len(answer["lines"]) == 1 and answer["lines"][0]["line_total_minor"] == 3600
    again = client.post("/api/v1/orders", json=body, headers={**shop["headers"], **key})
    assert again.get_json() == read


def test_credit_pays_part_and_the_card_the_rest(app, client, shop, credited):
    order = order_with_credit(client, shop, 2)  # ¥72.00: ¥50.00 credit, ¥22.00 by card
    assert order["status"] == "pending_payment" and order["due"]["amount_minor"] == 2200
    started = client.post(f"/api/v1/orders/{order['id']}/payments", headers=shop["headers"])
    assert started.get_json()["amount"]["amount_minor"] == 2200
    intent = started.get_json()["payment_intent_id"]
    wrong = deliver(client, app, intent_event("succeeded", intent, 7200))
    assert wrong.get_json()["outcome"] == "amount_mismatch"
    assert deliver(client, app, intent_event("succeeded", intent, 2200)).get_json() == {
        "outcome": "paid"
    }
    paid = client.get(f"/api/v1/orders/{order['id']}", headers=shop["headers"]).get_json()
    assert (paid["status"], paid["paid"]["amount_minor"], paid["net"]["amount_minor"]) == (
        "paid",
        2200,
        7200,
    )
    assert balance(client, shop) == 0


def test_a_cancelled_or_expired_order_gives_its_credit_back_once(app, client, shop, credited):
    first = order_with_credit(client, shop, 2)
    assert balance(client, shop) == 0
    client.post(f"/api/v1/orders/{first['id']}/cancel", headers=shop["headers"], json={})
    assert balance(client, shop) == 5000
    again = client.post(f"/api/v1/orders/{first['id']}/cancel", headers=shop["headers"], json={})
    assert again.status_code == 409 and balance(client, shop) == 5000
    second = order_with_credit(client, shop, 2)
    with app.app_context(), db.session_scope() as s:
        s.get(Order, second["id"]).expires_at = db.utcnow()
        s.commit()
    from orders.jobs import expire_unpaid

    with app.app_context():
        assert expire_unpaid(second["id"]) is True
        assert expire_unpaid(second["id"]) is False
    assert balance(client, shop) == 5000


def test_a_full_refund_gives_back_card_and_credit(app, client, shop, credited, headers):
    order = order_with_credit(client, shop, 1)  # paid by credit alone
    operator = headers("ops@catalogue.test")
    part = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        headers=operator,
        json={"amount_minor": 100, "reason": "部分退款"},
    )
    assert part.get_json()["error"]["code"] == "credit_refund_in_full"
    full = client.post(
        f"/api/v1/orders/{order['id']}/refunds", headers=operator, json={"reason": "整单退款"}
    )
    assert full.status_code == 201 and full.get_json()["status"] == "credited"
    assert balance(client, shop) == 5000
    refunded = client.get(f"/api/v1/orders/{order['id']}", headers=shop["headers"]).get_json()
    assert refunded["status"] == "refunded" and refunded["net"]["amount_minor"] == 0
    assert app.extensions["orders.services.gateway"].refunds == []  # nothing went through the card


def test_two_checkouts_at_once_never_spend_the_same_credit(app, shop, credited):
    barrier, used = threading.Barrier(6), []

    def buy(n):
        barrier.wait()
        with app.app_context(), db.session_scope() as s:
            try:
                order = services.place_order(
                    resident_id=shop["user_id"],
                    lines=[{"bundle_id": shop["bundle_id"], "quantity": 1}],
                    delivery={"mode": "doorstep", "window_id": shop["window_id"]},
                    idempotency_key=f"credit-race-{n}",
                    use_credit=True,
                )
                s.commit()
                used.append(order.credit_minor)
            except DomainError:
                s.rollback()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(used) == 5000 and sorted(used)[-2:] == [1400, 3600]
    with app.app_context(), db.session_scope(write=False) as s:
        assert credits.balance(shop["user_id"]) == 0
        spent = s.exec(
            select(func.count()).select_from(CreditEntry).where(CreditEntry.amount_minor < 0)
        ).one()
        assert spent == 2  # the other four found nothing left to spend
        assert s.exec(select(func.count()).select_from(Payment)).one() == 0


def test_the_checkout_page_offers_the_credit(app, client, shop, credited):
    web_login(client, shop["email"])
    client.post(
        "/shop/basket",
        data={
            "csrf_token": csrf_token(client, f"/shop/bundles/{shop['bundle_id']}"),
            "bundle_id": shop["bundle_id"],
            "quantity": 1,
            "add": "1",
        },
    )
    page = client.get("/shop/checkout").get_data(as_text=True)
    assert "使用余额" in page and "¥50.00" in page
    placed = client.post(
        "/shop/checkout",
        data={
            "csrf_token": csrf_token(client, "/shop/checkout"),
            "mode": "doorstep",
            "choice": str(shop["window_id"]),
            "use_credit": "1",
            "key": "page-credit",
        },
    )
    assert "/pay" not in placed.headers["Location"]  # covered: straight to the order
    order_page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "已支付" in order_page and "余额支付" in order_page
