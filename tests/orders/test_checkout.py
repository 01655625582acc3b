"""Checkout: orders take stock and window capacity without oversell, idempotently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from orders import process
from orders.models import DeliveryWindow, Order
from orders.services import checkout
from shop.core import db
from shop.core.errors import DomainError, Forbidden
from shop.core.process import Process
from suppliers.models import Item, Supplier, SupplierStatus
from tests.conftest import at_once
from tests.fixtures_orders import count, order_body, post, stock, taken


def test_an_order_takes_stock_and_a_window_place(app, client, shop):
    response = post(client, shop, order_body(shop, 2))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending_payment"
    assert body["total"] == {"amount_minor": 7200, "currency": "CNY"}
    assert len(body["confirmation_code"]) == 6 and body["confirmation_code"].isdigit()
    assert body["lines"][0]["title"] == "农夫山泉矿泉水 整箱送货上楼"
    assert stock(app, shop["item_id"]) == 48 and taken(app, shop["window_id"]) == 1


def test_a_retry_with_the_same_key_returns_the_first_order(app, client, shop):
    first = post(client, shop, order_body(shop), key="retry-1").get_json()
    again = post(client, shop, order_body(shop), key="retry-1").get_json()
    assert again["id"] == first["id"] and stock(app, shop["item_id"]) == 49
    other = post(client, shop, order_body(shop, 3), key="retry-1")
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_mismatch"


def test_a_double_tap_sends_one_key_twice_at_once_and_places_one_order(app, shop):
    """Eight requests with one key at the same moment: one order, and each gets it back.

    On PostgreSQL they overlap: each finds no order under the key, and all but one then wait
    on the key's unique index for the first to commit (ON CONFLICT DO NOTHING), then answer
    with its order. Without that, the losers failed with a unique violation (a 500).
    """

    def tap(_i: int) -> tuple[int, bool, int]:
        with app.app_context(), db.session_scope() as s:
            placed = checkout.place(
                resident_id=shop["user_id"],
                idempotency_key="double-tap",
                lines=[{"bundle_id": shop["bundle_id"], "quantity": 1}],
                delivery={"mode": "doorstep", "window_id": shop["window_id"]},
            )
            s.commit()
            return placed.order.id, placed.fresh, len(placed.lines)

    answers = at_once(8, tap)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert len({order_id for order_id, _fresh, _lines in answers}) == 1
    assert sorted(fresh for _id, fresh, _lines in answers) == [False] * 7 + [True]
    assert all(lines == 1 for _id, _fresh, lines in answers)
    assert count(app, Order) == 1
    assert stock(app, shop["item_id"]) == 49 and taken(app, shop["window_id"]) == 1


def test_an_order_needs_an_idempotency_key(client, shop):
    response = client.post("/api/v1/orders", json=order_body(shop), headers=shop["headers"])
    assert (
        response.status_code == 422 and "Idempotency-Key" in response.get_json()["error"]["fields"]
    )


def test_more_units_than_stock_are_refused_and_nothing_changes(app, client, shop):
    with app.app_context(), db.session_scope() as s:
        s.get(Item, shop["item_id"]).stock = 3
        s.commit()
    refused = post(client, shop, order_body(shop, 4))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "out_of_stock"
    assert stock(app, shop["item_id"]) == 3 and taken(app, shop["window_id"]) == 0
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(func.count()).select_from(Order)).one() == 0


def test_a_supplier_on_probation_takes_only_its_limit_of_open_orders(app, client, shop):
    """With a limit of 2 open orders, the third checkout is refused (409 supplier_busy) and
    takes nothing; a supplier that graduated has no limit."""
    app.config["SUPPLIER_PROBATION_MAX_OPEN_ORDERS"] = 2
    with app.app_context(), db.session_scope() as s:
        supplier = s.get(Supplier, s.get(Item, shop["item_id"]).supplier_id)
        supplier.status = SupplierStatus.APPROVED_PROBATION
        s.commit()
    for _ in range(2):
        assert post(client, shop, order_body(shop, 1)).status_code == 201
    before = stock(app, shop["item_id"])
    refused = post(client, shop, order_body(shop, 1))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "supplier_busy"
    assert stock(app, shop["item_id"]) == before and taken(app, shop["window_id"]) == 2
    with app.app_context(), db.session_scope() as s:
        s.get(Supplier, supplier.id).status = SupplierStatus.ACTIVE
        s.commit()
    assert post(client, shop, order_body(shop, 1)).status_code == 201


def test_a_full_window_is_refused(app, client, shop):
    with app.app_context(), db.session_scope() as s:
        s.get(DeliveryWindow, shop["window_id"]).capacity = 1
        s.commit()
    assert post(client, shop, order_body(shop)).status_code == 201
    refused = post(client, shop, order_body(shop))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "window_full"
    assert stock(app, shop["item_id"]) == 49  # the refused order gave nothing away


def test_bad_bodies_get_field_messages(client, shop):
    response = post(
        client,
        shop,
        {
            "lines": [{"bundle_id": shop["bundle_id"], "quantity": 0}],
            "delivery": {"mode": "doorstep"},
        },
    )
    assert response.status_code == 422
    assert {"lines", "delivery"} <= set(response.get_json()["error"]["fields"])


def test_a_resident_never_sees_another_residents_order(app, client, shop, resident, headers):
    order_id = post(client, shop, order_body(shop)).get_json()["id"]
    other = headers(resident("premium"))
    assert client.get(f"/api/v1/orders/{order_id}", headers=other).status_code == 404
    assert (
        client.post(f"/api/v1/orders/{order_id}/cancel", headers=other, json={}).status_code == 404
    )
    assert client.get(f"/api/v1/orders/{order_id}/events", headers=other).status_code == 404
    assert client.get("/api/v1/orders", headers=other).get_json()["total"] == 0
    ops = headers("ops@catalogue.test")
    assert client.get(f"/api/v1/orders/{order_id}", headers=ops).status_code == 200


def test_cancelling_gives_stock_and_window_back(app, client, shop):
    order_id = post(client, shop, order_body(shop, 2)).get_json()["id"]
    cancelled = client.post(
        f"/api/v1/orders/{order_id}/cancel", headers=shop["headers"], json={"reason": "买错了"}
    )
    assert cancelled.get_json()["status"] == "cancelled"
    assert stock(app, shop["item_id"]) == 50 and taken(app, shop["window_id"]) == 0
    again = client.post(f"/api/v1/orders/{order_id}/cancel", headers=shop["headers"], json={})
    assert again.status_code == 409
    timeline = client.get(f"/api/v1/orders/{order_id}/events", headers=shop["headers"])
    assert [e["action"] for e in timeline.get_json()["items"]] == ["place", "cancel"]


def test_the_unpaid_timer_gives_stock_back_once(app, client, shop):
    from orders.jobs import expire_unpaid

    order_id = post(client, shop, order_body(shop, 5)).get_json()["id"]
    with app.app_context():
        assert expire_unpaid(order_id) is False  # not due yet
    with app.app_context(), db.session_scope() as s:
        order = s.get(Order, order_id)
        order.expires_at = db.utcnow()
        s.commit()
    with app.app_context():
        assert expire_unpaid(order_id) is True
        assert expire_unpaid(order_id) is False  # runs twice, releases once
    assert stock(app, shop["item_id"]) == 50 and taken(app, shop["window_id"]) == 0


def test_the_sweep_expires_an_unpaid_order_whose_timer_was_lost(app, client, shop):
    from orders.jobs import sweep_unpaid

    order_id = post(client, shop, order_body(shop, 5)).get_json()["id"]
    with app.app_context():
        assert sweep_unpaid() == 0
    with app.app_context(), db.session_scope() as s:
        s.get(Order, order_id).expires_at = db.utcnow() - timedelta(seconds=1)
        s.commit()
    with app.app_context():
        assert sweep_unpaid() == 1
        assert sweep_unpaid() == 0
    assert stock(app, shop["item_id"]) == 50 and taken(app, shop["window_id"]) == 0


def test_the_windows_endpoint_lists_places_left(client, shop):
    response = client.get(
        "/api/v1/delivery-windows",
        query_string={"bundle_id": shop["bundle_id"]},
        headers=shop["headers"],
    )
    items = response.get_json()["items"]
    assert items and all(w["remaining"] == 20 for w in items)


ACTORS = ("resident", "operator", "staff", "system")
CASES = [(t, a) for t in process.TRANSITIONS if t.source for a in ACTORS]


@pytest.mark.parametrize(
    ("step", "actor"), CASES, ids=[f"{t.source}-{t.action}-{a}" for t, a in CASES]
)
def test_each_order_transition_is_allowed_only_for_its_actors(monkeypatch, step, actor):
    order = Order(
        id=1,
        resident_id=1,
        community_id=1,
        building_id=1,
        address="",
        total_minor=0,
        delivery_mode="pickup",
        confirmation_code="000000",
        idempotency_key="k",
        request_hash="h",
        expires_at=db.utcnow(),
        status=step.source,
    )
    recorded = []
    monkeypatch.setattr(  # the engine's event row, without a database
        Process,
        "record",
        lambda self, o, action, ctx, **kw: recorded.append((action, ctx.actor_role)),
    )
    if actor in step.actors:
        checkout.apply_transition(order, step.action, actor, None)
        assert order.status == step.target and recorded == [(step.action, actor)]
    else:
        with pytest.raises(Forbidden):
            checkout.apply_transition(order, step.action, actor, None)
        assert order.status == step.source and recorded == []


STATUSES = sorted({t.source for t in process.TRANSITIONS if t.source} | {"cancelled"})
MISSING = [
    (s, a)
    for s in STATUSES
    for a in sorted({t.action for t in process.TRANSITIONS})
    if process.ORDER.find(s, a) is None
]


@pytest.mark.parametrize(("status", "action"), MISSING)
def test_order_steps_missing_from_the_table_are_refused(status, action):
    order = Order(
        status=status,
        resident_id=1,
        community_id=1,
        building_id=1,
        address="",
        total_minor=0,
        delivery_mode="pickup",
        confirmation_code="0",
        idempotency_key="k",
        request_hash="h",
        expires_at=db.utcnow(),
    )
    with pytest.raises(DomainError) as refused:
        checkout.apply_transition(order, action, "operator", None)
    assert refused.value.code == "transition_not_allowed"


def _race(app, shop, buyers: int, quantity: int = 1) -> list[str]:
    def buy(n: int) -> str:
        with app.app_context(), db.session_scope() as s:
            try:
                checkout.place_order(
                    resident_id=shop["user_id"],
                    idempotency_key=f"race-{n}",
                    lines=[{"bundle_id": shop["bundle_id"], "quantity": quantity}],
                    delivery={"mode": "doorstep", "window_id": shop["window_id"]},
                )
                s.commit()
                return "ok"
            except DomainError as exc:
                s.rollback()
                return exc.code

    return at_once(buyers, buy)


def test_32_buyers_for_the_last_10_units_never_oversell(app, shop):
    with app.app_context(), db.session_scope() as s:
        s.get(Item, shop["item_id"]).stock = 10
        s.get(DeliveryWindow, shop["window_id"]).capacity = 100
        s.commit()
    results = _race(app, shop, 32)
    assert results.count("ok") == 10 and results.count("out_of_stock") == 22
    assert stock(app, shop["item_id"]) == 0 and taken(app, shop["window_id"]) == 10


def test_window_capacity_holds_under_a_race(app, shop):
    with app.app_context(), db.session_scope() as s:
        s.get(DeliveryWindow, shop["window_id"]).capacity = 5
        s.commit()
    results = _race(app, shop, 16)
    assert results.count("ok") == 5 and results.count("window_full") == 11
    assert taken(app, shop["window_id"]) == 5 and stock(app, shop["item_id"]) == 45


def test_the_windows_endpoint_is_404_for_a_bundle_not_on_sale(client, shop, headers):
    client.post(
        f"/api/v1/bundles/{shop['bundle_id']}/withdraw",
        headers=headers("ops@catalogue.test"),
        json={"reason": "缺货"},
    )
    response = client.get(
        "/api/v1/delivery-windows",
        query_string={"bundle_id": shop["bundle_id"]},
        headers=shop["headers"],
    )
    assert response.status_code == 404


def test_a_service_slot_ends_when_the_service_is_expected_to_be_done(
    app, client, shop, catalogue, publish, headers
):
    from datetime import datetime

    from shop.console.demo import POLICIES
    from suppliers.catalogue.services import bundles as catalogue_services

    member = headers(catalogue.member_email)
    item = client.post(
        f"/api/v1/suppliers/{catalogue.supplier_id}/items",
        json={
            "sku": "S-90",
            "kind": "service",
            "name": "空调清洗",
            "category": "家电清洗",
            "unit": "台",
            "supply_price_minor": 8000,
            "duration_minutes": 90,
            "slot_times": ["09:00", "14:00"],
            "slot_capacity": 2,
            "staff_role": "technician",
        },
        headers=member,
    )
    assert item.status_code == 201, item.get_json()
    with app.app_context(), db.session_scope() as s:
        policy = catalogue_services.save_policy(
            actor_id=catalogue.operator_id, data=POLICIES["service"]
        )
        s.commit()
        policy_id = policy.id
    bundle_id = publish(
        title="空调清洗 上门",
        policy_id=policy_id,
        price_minor=9500,
        care_price_minor=None,
        components=[
            {
                "item_id": item.get_json()["id"],
                "quantity": 1,
                "settlement_price_minor": 8000,
                "list_price_minor": 9000,
            }
        ],
    )
    response = client.get(
        "/api/v1/delivery-windows", query_string={"bundle_id": bundle_id}, headers=shop["headers"]
    )
    assert response.status_code == 200, response.get_json()
    slots = response.get_json()["items"]
    assert slots
    for slot in slots:
        start, end = (datetime.fromisoformat(slot[k]) for k in ("start", "end"))
        assert (end - start).total_seconds() == 90 * 60


def test_a_service_is_sold_only_in_its_service_communities(
    app, client, shop, catalogue, publish, headers
):
    from shop.console.demo import POLICIES
    from shop.core import accounts
    from suppliers.catalogue.services import bundles as catalogue_services
    from tests.conftest import web_login

    with app.app_context(), db.session_scope() as s:
        elsewhere = accounts.create_community(code="far", name="远方小区").id
        s.commit()
    member = headers(catalogue.member_email)
    item = client.post(
        f"/api/v1/suppliers/{catalogue.supplier_id}/items",
        json={
            "sku": "S-FAR",
            "kind": "service",
            "name": "窗帘清洗",
            "category": "家政保洁",
            "unit": "米",
            "supply_price_minor": 3000,
            "duration_minutes": 60,
            "slot_times": ["09:00"],
            "slot_capacity": 2,
            "staff_role": "cleaner",
            "service_community_ids": [elsewhere],
        },
        headers=member,
    )
    assert item.status_code == 201, item.get_json()
    with app.app_context(), db.session_scope() as s:
        policy_id = catalogue_services.save_policy(
            actor_id=catalogue.operator_id, data=POLICIES["service"]
        ).id
        s.commit()
    bundle_id = publish(
        title="窗帘清洗 上门",
        policy_id=policy_id,
        price_minor=3600,
        care_price_minor=None,
        components=[
            {
                "item_id": item.get_json()["id"],
                "quantity": 1,
                "settlement_price_minor": 3000,
                "list_price_minor": 3500,
            }
        ],
    )
    windows_answer = client.get(
        "/api/v1/delivery-windows", query_string={"bundle_id": bundle_id}, headers=shop["headers"]
    )
    assert windows_answer.status_code == 409
    assert windows_answer.get_json()["error"]["code"] == "outside_service_area"
    body = {
        "lines": [{"bundle_id": bundle_id, "quantity": 1}],
        "delivery": {
            "mode": "service",
            "slot_starts_at": (db.utcnow() + timedelta(days=1)).isoformat(),
        },
    }
    before = count(app, Order)
    placed = post(client, shop, body)
    assert (
        placed.status_code == 409 and placed.get_json()["error"]["code"] == "outside_service_area"
    )
    assert count(app, Order) == before
    web_login(client, shop["email"])
    page = client.get(f"/shop/bundles/{bundle_id}").get_data(as_text=True)
    assert 'id="outside-area"' in page and "加入购物车" not in page
