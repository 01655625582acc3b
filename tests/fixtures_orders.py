"""Fixtures for orders: a shop with a bundle, a resident, open windows; the offline Stripe."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import func, select

import orders.api
import suppliers.api
from orders.models import (
    CommitmentNode,
    Compensation,
    Complaint,
    DeliveryWindow,
    DemandForecast,
    Order,
    OrderComponent,
    OrderLine,
    Payment,
)
from orders.services import windows
from shop.core import accounts, db, measures
from suppliers.models import Item, PhaseChange


@pytest.fixture
def shop(app, catalogue, publish, resident, headers):
    """A published bundle of item W1 (stock 50), a resident, and tomorrow's windows."""
    bundle_id = publish()
    email = resident("mass")
    with app.app_context(), db.session_scope() as s:
        user = accounts.find_user_by_email(email)
        address = accounts.find_resident_address(user.id)
        windows.open_windows(community_id=address.community_id, days=3)
        s.commit()
        window = s.exec(
            select(DeliveryWindow)
            .where(DeliveryWindow.starts_at > windows.bookable_after())
            .order_by(DeliveryWindow.starts_at)
        ).first()
    return {
        "bundle_id": bundle_id,
        "email": email,
        "user_id": user.id,
        "window_id": window.id,
        "headers": headers(email),
        "item_id": catalogue.items["W1"],
    }


def order_body(shop, quantity=1):
    return {
        "lines": [{"bundle_id": shop["bundle_id"], "quantity": quantity}],
        "delivery": {"mode": "doorstep", "window_id": shop["window_id"]},
    }


def post(client, shop, body, key=None):
    return client.post(
        "/api/v1/orders",
        json=body,
        headers={**shop["headers"], "Idempotency-Key": key or uuid.uuid4().hex},
    )


def stock(app, item_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(Item, item_id).stock


def taken(app, window_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(DeliveryWindow, window_id).taken


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header made the way Stripe makes it."""
    t = timestamp or int(time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def deliver(client, app, event: dict[str, Any], secret: str | None = None) -> Any:
    """POST a signed Stripe event to the webhook."""
    payload = json.dumps(event).encode()
    signature = sign(payload, secret or app.config["STRIPE_WEBHOOK_SECRET"])
    return client.post(
        "/api/v1/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def intent_event(
    kind: str, intent_id: str, amount: int, currency: str = "cny", event_id: str | None = None
) -> dict[str, Any]:
    """A payment_intent.* event as Stripe sends it."""
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:12]}",
        "object": "event",
        "type": f"payment_intent.{kind}",
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount if kind == "succeeded" else 0,
                "currency": currency,
            }
        },
    }


class FakeGateway:
    """Stands in for Stripe where a test is about our side of the webhook."""

    def __init__(self) -> None:
        self.refunds: list[tuple[str, int, str]] = []

    def create_intent(self, *, order_id, attempt, amount_minor, currency):
        from orders.services.gateway import Intent

        intent_id = f"pi_fake_{order_id}_{attempt}"
        return Intent(
            intent_id, f"{intent_id}_secret", "requires_payment_method", amount_minor, currency
        )

    def refund(self, *, intent_id, amount_minor, idempotency_key):
        from orders.services.gateway import RefundResult

        self.refunds.append((intent_id, amount_minor, idempotency_key))
        return RefundResult(f"re_{len(self.refunds)}", "succeeded", amount_minor)

    # Cards: every card works; a payment is confirmed by the webhook, as with Stripe.
    def confirm_intent(self, *, intent_id, payment_method):
        return self._intent(intent_id, "processing")

    def hold(self, *, amount_minor, currency, payment_method, key, reference):
        from orders.services.gateway import Intent

        return Intent(
            f"pi_hold_{key}", f"pi_hold_{key}_secret", "requires_capture", amount_minor, currency
        )

    def save_card(self, *, payment_method, key, reference):
        from orders.services.gateway import SavedCard

        return SavedCard(
            f"cus_{key}", f"seti_{key}", payment_method, "succeeded", f"seti_{key}_secret"
        )

    def charge_saved(
        self,
        *,
        customer_id,
        payment_method,
        amount_minor,
        currency,
        key,
        reference,
        off_session=True,
    ):
        from orders.services.gateway import Intent

        return Intent(
            f"pi_charge_{key}", f"pi_charge_{key}_secret", "succeeded", amount_minor, currency
        )

    def capture(self, intent_id):
        return self._intent(intent_id, "succeeded")

    def cancel(self, intent_id):
        return self._intent(intent_id, "canceled")

    def retrieve(self, intent_id):
        return self._intent(intent_id, "requires_payment_method")

    @staticmethod
    def _intent(intent_id, status):
        from orders.services.gateway import Intent

        return Intent(intent_id, f"{intent_id}_secret", status, 0, "CNY")


@pytest.fixture
def unpaid(app, client, shop):
    """An unpaid order of 2 bundles (¥72.00) with a recorded payment attempt."""
    app.extensions["orders.services.gateway"] = FakeGateway()
    order = post(client, shop, order_body(shop, 2)).get_json()
    add_attempt(app, order["id"], 1)
    return order


def add_attempt(app, order_id: int, attempt: int, amount_minor: int = 7200) -> str:
    """Record a payment attempt of the order (as starting a payment would); its intent id."""
    intent_id = f"pi_hand_{attempt}"
    with app.app_context(), db.session_scope() as s:
        s.add(
            Payment(
                order_id=order_id,
                attempt=attempt,
                intent_id=intent_id,
                client_secret=f"{intent_id}_secret",
                amount_minor=amount_minor,
                currency="CNY",
            )
        )
        s.commit()
    return intent_id


class Clock:
    """`db.utcnow()` under the test's control."""

    def __init__(self) -> None:
        self.now = db.utcnow()

    def set(self, moment):
        self.now = db.aware(moment)

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(db, "utcnow", c)
    return c


@pytest.fixture
def paid(app, client, unpaid, shop, clock, make_user):
    """The unpaid order, paid now: promises accept (coupon ¥3) and deliver_window (¥5 back)."""
    deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
    with app.app_context(), db.session_scope(write=False) as s:
        nodes = {
            n.kind: n
            for n in s.exec(select(CommitmentNode).where(CommitmentNode.order_id == unpaid["id"]))
        }
        code = s.get(Order, unpaid["id"]).confirmation_code
    return {
        "id": unpaid["id"],
        "code": code,
        "accept": nodes["accept"],
        "window": nodes["deliver_window"],
        "staff_id": make_user("staff"),
    }


def record(app, order_id, kind, at, actor_id, **evidence):
    with app.app_context(), db.session_scope() as s:
        verdicts = orders.api.record_milestone(order_id, kind, at, actor_id, evidence)
        s.commit()
        return verdicts


def run(app, job, *args):
    with app.app_context():
        return job(*args)


def count(app, model, *where):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.fixture
def stripe_app(app_factory, localstripe_url):
    return app_factory(STRIPE_API_BASE=localstripe_url)


@pytest.fixture
def stripe_shop(stripe_app, make_user):
    from tests.fixtures_catalogue import bundle_data, make_catalogue

    app = stripe_app
    cat = make_catalogue(app, make_user)
    from orders.services import windows
    from shop.core import accounts
    from suppliers.catalogue.services import bundles as catalogue_services

    with app.app_context(), db.session_scope() as s:
        bundle = catalogue_services.create_bundle(actor_id=cat.operator_id, data=bundle_data(cat))
        catalogue_services.publish_bundle(bundle_id=bundle.id, actor_id=cat.operator_id)
        user = accounts.create_user(
            email="payer@resident.test",
            password="correct horse 42",
            display_name="付款人",
            roles=["resident"],
        )
        community = accounts.create_community(code="pay", name="阳光花园")
        building = accounts.add_building(community_id=community.id, name="1栋")
        accounts.set_resident_profile(
            user_id=user.id, building_id=building.id, room="1-1", phone="13800000009"
        )
        windows.open_windows(community_id=community.id, days=3)
        s.commit()
        window = windows.list_windows(community.id)[0]
    from tests.conftest import api_token

    client = app.test_client()
    token = api_token(client, "payer@resident.test")
    return {
        "app": app,
        "client": client,
        "bundle_id": bundle.id,
        "window_id": window.id,
        "headers": {"Authorization": f"Bearer {token}"},
        "item_id": cat.items["W1"],
        "ops": {"Authorization": f"Bearer {api_token(client, 'ops@catalogue.test')}"},
    }


#: The Monday of the week the production plan fixtures plan for.
MONDAY = date(2026, 12, 7)


def producer_with_tofu(
    s, *, name: str, licence_no: str, member_id: int, stock: int = 0, category: str = "豆制品"
):
    """An active producer selling one goods item, 卤水豆腐 (flushed): (supplier, item)."""
    farm = suppliers.api.register_supplier(
        name=name, kind="producer", licence_no=licence_no, member_user_id=member_id, status="active"
    )
    tofu = Item(
        supplier_id=farm.id,
        kind="goods",
        sku="TF",
        name="卤水豆腐",
        category=category,
        unit="盒",
        supply_price_minor=300,
        stock=stock,
    )
    s.add(tofu)
    s.flush()
    return farm, tofu


@pytest.fixture
def producer(app, catalogue, publish, make_user, headers):
    """A producer with two items; paid orders of 5 tofu in 阳光花园; forecasts of 3 tofu there
    and 2 soy milk in 翠湖苑; a member of the producer and one of the catalogue's supplier."""
    bundle_id = publish()
    member_id = make_user("supplier_member", email="farm@producer.test")
    resident_id = make_user("resident")
    with app.app_context(), db.session_scope() as s:
        farm, tofu = producer_with_tofu(s, name="豆香工坊", licence_no="P-1", member_id=member_id)
        milk = Item(
            supplier_id=farm.id,
            kind="goods",
            sku="SM",
            name="鲜豆浆",
            category="豆制品",
            unit="瓶",
            supply_price_minor=200,
            stock=0,
        )
        s.add(milk)
        sun = accounts.create_community(code="sun", name="阳光花园")
        lake = accounts.create_community(code="lake", name="翠湖苑")
        building = accounts.add_building(community_id=sun.id, name="1栋")
        s.flush()
        order = Order(
            resident_id=resident_id,
            community_id=sun.id,
            building_id=building.id,
            address="x",
            status="paid",
            total_minor=1500,
            delivery_mode="doorstep",
            confirmation_code="1",
            idempotency_key="p1",
            request_hash="h",
            expires_at=db.utcnow(),
        )
        s.add(order)
        s.flush()
        line = OrderLine(
            order_id=order.id,
            bundle_id=bundle_id,
            title="豆腐",
            quantity=5,
            unit_price_minor=300,
            line_total_minor=1500,
        )
        s.add(line)
        s.flush()
        s.add(
            OrderComponent(
                order_id=order.id,
                line_id=line.id,
                item_id=tofu.id,
                supplier_id=farm.id,
                name="豆腐",
                kind="goods",
                quantity=5,
                settlement_price_minor=300,
                staff_role="butler",
            )
        )
        for community_id, item_id, value in ((sun.id, tofu.id, 2.4), (lake.id, milk.id, 1.2)):
            s.add(
                DemandForecast(
                    community_id=community_id,
                    series=f"item:{item_id}",
                    weeks=20,
                    pattern="smooth",
                    method="ses",
                    values=[value] * 4,
                )
            )
        s.add(PhaseChange(phase=3, actor_id=catalogue.operator_id, override_reason="test: phase"))
        s.commit()
        ids = {"farm": farm.id, "tofu": tofu.id, "milk": milk.id, "sun": sun.id, "lake": lake.id}
    make_user("operator", email="plans@shop.test")
    return {
        **ids,
        "operator": headers("plans@shop.test"),
        "member": headers("farm@producer.test"),
        "other": headers(catalogue.member_email),
        "other_supplier": catalogue.supplier_id,
    }


@pytest.fixture
def batch_world(app, producer, catalogue, publish, localstripe_url, headers):
    """The producer's tofu as a published bundle (¥3 a box), residents in both compounds,
    the offline Stripe, and helpers to open a batch and pledge to it over the API."""
    from suppliers.catalogue.services import bundles as catalogue_services
    from tests.fixtures_catalogue import bundle_data

    app.config["STRIPE_API_BASE"] = localstripe_url
    app.extensions.pop("orders.services.gateway", None)
    with app.app_context(), db.session_scope() as s:
        data = bundle_data(
            catalogue,
            title="卤水豆腐 定制装",
            price_minor=300,
            care_price_minor=300,
            reference_price_minor=350,
            components=[
                {
                    "item_id": producer["tofu"],
                    "quantity": 1,
                    "settlement_price_minor": 250,
                    "list_price_minor": 350,
                }
            ],
        )
        bundle = catalogue_services.create_bundle(actor_id=catalogue.operator_id, data=data)
        catalogue_services.publish_bundle(bundle_id=bundle.id, actor_id=catalogue.operator_id)
        people = {}
        for community_id, key in ((producer["sun"], "sun"), (producer["lake"], "lake")):
            building = accounts.add_building(community_id=community_id, name="9栋")
            for n in range(1, 4):
                email = f"{key}{n}@pledge.test"
                user = accounts.create_user(
                    email=email,
                    password="correct horse 42",
                    display_name=f"{key}{n}",
                    roles=["resident"],
                )
                accounts.set_resident_profile(
                    user_id=user.id, building_id=building.id, room=f"{n}-1", phone="13800000001"
                )
                people[f"{key}{n}"] = {"id": user.id, "email": email}
        s.commit()
        bundle_id = bundle.id
    client = app.test_client()

    def open_batch(**changes):
        body = {
            "supplier_id": producer["farm"],
            "bundle_id": bundle_id,
            "price_minor": 280,
            "min_quantity": 4,
            "deadline": (db.utcnow() + timedelta(days=2)).isoformat(),
            "delivery_date": (db.utcnow() + timedelta(days=4)).date().isoformat(),
            "compounds": [{"community_id": producer["sun"]}, {"community_id": producer["lake"]}],
            **changes,
        }
        return client.post("/api/v1/custom-batches", json=body, headers=producer["operator"])

    def pledge(who, batch_id, quantity=1, card="pm_card_visa", key=None):
        return client.post(
            f"/api/v1/custom-batches/{batch_id}/pledges",
            json={"quantity": quantity, "payment_method": card},
            headers={**headers(people[who]["email"]), "Idempotency-Key": key or uuid.uuid4().hex},
        )

    foreign_bundle = publish(title="别家的水")
    with app.app_context():
        member_id = accounts.find_user_by_email("farm@producer.test").id
    return {
        **producer,
        "bundle_id": bundle_id,
        "foreign_bundle": foreign_bundle,
        "member_id": member_id,
        "people": people,
        "client": client,
        "open": open_batch,
        "pledge": pledge,
        "as": lambda who: headers(people[who]["email"]),
    }


#: The month `known_month` builds.
NOVEMBER = date(2026, 11, 1)
IN_NOVEMBER = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)  # noon in Shanghai
IN_OCTOBER = datetime(2026, 10, 10, 4, 0, tzinfo=UTC)


def month_order(s, resident, building, community, paid_at, bundle_id):
    """A delivered order paid at `paid_at`, with one line; (order, line)."""
    order = Order(
        resident_id=resident,
        community_id=community,
        building_id=building,
        address="x",
        status="delivered",
        total_minor=1000,
        delivery_mode="doorstep",
        confirmation_code="1",
        idempotency_key=uuid.uuid4().hex,
        request_hash="h",
        expires_at=paid_at,
        paid_at=paid_at,
    )
    s.add(order)
    s.flush()
    line = OrderLine(
        order_id=order.id,
        bundle_id=bundle_id,
        title="t",
        quantity=1,
        unit_price_minor=1000,
        line_total_minor=1000,
    )
    s.add(line)
    s.flush()
    return order, line


def month_node(s, order, line, status):
    """A deliver-window promise of the line, already judged `status`."""
    node = CommitmentNode(
        order_id=order.id, line_id=line.id, kind="deliver_window", status=status, compensation={}
    )
    s.add(node)
    s.flush()
    return node


@pytest.fixture
def known_month(app, publish):
    """Two compounds, six households, four orders and their promises; November snapshotted."""
    bundle_id = publish()
    with app.app_context(), db.session_scope() as s:
        sun = accounts.create_community(code="m-sun", name="阳光花园")
        lake = accounts.create_community(code="m-lake", name="翠湖苑")
        b_sun = accounts.add_building(community_id=sun.id, name="1栋").id
        b_lake = accounts.add_building(community_id=lake.id, name="1栋").id
        homes = {}
        for name, building, segment in (
            ("a", b_sun, "mass"),
            ("b", b_sun, "care"),
            ("c", b_sun, "care"),
            ("d", b_sun, "mass"),
            ("e", b_lake, "mass"),
            ("f", b_lake, "mass"),
        ):
            uid = accounts.create_user(
                email=f"{name}@m.test",
                password="correct horse 42",
                display_name=name,
                roles=["resident"],
            ).id
            accounts.set_resident_profile(
                user_id=uid, building_id=building, room="1", phone="1", segment=segment
            )
            homes[name] = uid
        # October: a ordered (so a repeats in November).
        month_order(s, homes["a"], b_sun, sun.id, IN_OCTOBER, bundle_id)
        # November: one order each of a and b in 阳光花园, and of e in 翠湖苑.
        a, a_line = month_order(s, homes["a"], b_sun, sun.id, IN_NOVEMBER, bundle_id)
        b, b_line = month_order(s, homes["b"], b_sun, sun.id, IN_NOVEMBER, bundle_id)
        e, e_line = month_order(s, homes["e"], b_lake, lake.id, IN_NOVEMBER, bundle_id)
        month_node(s, a, a_line, "met")
        month_node(s, a, a_line, "met")
        missed = month_node(s, b, b_line, "missed")
        month_node(s, b, b_line, "waived")  # left out
        month_node(s, e, e_line, "met")
        s.add(
            Compensation(
                node_id=missed.id,
                order_id=b.id,
                method="credit",
                amount_minor=300,
                created_at=IN_NOVEMBER,
            )
        )
        s.add(Complaint(order_id=b.id, resident_id=homes["b"], text="晚了", created_at=IN_NOVEMBER))
        s.commit()
        ids = {"sun": sun.id, "lake": lake.id, "b": b.id}
    with app.app_context(), db.session_scope() as s:
        ids["rows"] = measures.snapshot(NOVEMBER)
        s.commit()
    return ids
