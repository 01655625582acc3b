"""Fixtures for orders: a shop with a bundle, a resident, open windows; the offline Stripe."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
from sqlmodel import select

from orders import windows
from orders.models import DeliveryWindow
from shop.core import accounts, db
from suppliers.models import Item


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
