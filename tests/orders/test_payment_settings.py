"""A Stripe secret key without its publishable key: a clear refusal, never a crash."""

from __future__ import annotations

import logging
import uuid

import pytest


@pytest.fixture
def stripe_app(app_factory, localstripe_url):
    return app_factory(STRIPE_API_BASE=localstripe_url, STRIPE_SECRET_KEY="sk_test_offline")


def test_paying_says_card_payment_is_unavailable_and_the_log_names_the_setting(
    stripe_shop,
    caplog,
):
    shop = stripe_shop
    client = shop["client"]
    body = {
        "lines": [{"bundle_id": shop["bundle_id"], "quantity": 1}],
        "delivery": {"mode": "doorstep", "window_id": shop["window_id"]},
    }
    with caplog.at_level(logging.ERROR):
        placed = client.post(
            "/api/v1/orders",
            json=body,
            headers={**shop["headers"], "Idempotency-Key": uuid.uuid4().hex},
        )
        order_id = placed.get_json().get("id") if placed.status_code == 201 else None
        if order_id is not None:  # placing worked; starting the card payment is refused
            started = client.post(f"/api/v1/orders/{order_id}/payments", headers=shop["headers"])
            response = started
        else:
            response = placed
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "payments_unavailable"
    assert "SHOP_STRIPE_PUBLISHABLE_KEY" in caplog.text
