"""Payments: signed webhooks in any order and any number of times; Stripe via localstripe."""

from __future__ import annotations

import logging

import pytest
import stripe
from sqlmodel import func, select

from orders.models import Order, OrderEvent, Payment, Refund, WebhookEvent
from shop.core import db
from tests.fixtures_orders import add_attempt, deliver, intent_event, order_body, post, stock


def order_status(app, order_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(Order, order_id).status


def test_a_succeeded_event_pays_the_order_once_even_when_delivered_twice(app, client, unpaid):
    event = intent_event("succeeded", "pi_hand_1", 7200, event_id="evt_twice")
    assert deliver(client, app, event).get_json() == {"outcome": "paid"}
    assert deliver(client, app, event).get_json() == {"outcome": "duplicate"}
    other_copy = intent_event("succeeded", "pi_hand_1", 7200)  # a new id for the same news
    assert deliver(client, app, other_copy).get_json() == {"outcome": "already_paid"}
    assert order_status(app, unpaid["id"]) == "paid"
    with app.app_context(), db.session_scope(write=False) as s:
        pays = s.exec(
            select(func.count())
            .select_from(OrderEvent)
            .where(OrderEvent.order_id == unpaid["id"], OrderEvent.action == "pay")
        ).one()
    assert pays == 1


def test_another_event_of_a_paid_intent_after_cancelling_refunds_nothing_more(
    app, client, unpaid, shop
):
    """Found by bench/simulate.py (seed 1): paid, cancelled (refunded in full), then a second
    'succeeded' event of the same intent used to ask for the whole amount again (a 422 the
    webhook passed back to Stripe, which retries for days)."""
    assert deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200)).status_code == 200
    cancelled = client.post(
        f"/api/v1/orders/{unpaid['id']}/cancel",
        json={"reason": "改主意了"},
        headers=shop["headers"],
    )
    assert cancelled.status_code == 200
    again = deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
    assert again.status_code == 200 and again.get_json() == {"outcome": "already_paid"}
    with app.app_context(), db.session_scope(write=False) as s:
        refunds = s.exec(select(Refund.amount_minor).where(Refund.order_id == unpaid["id"])).all()
    assert refunds == [7200]


def test_two_events_of_an_intent_paid_after_the_timer_refund_it_once(app, client, unpaid):
    """Found by bench/simulate.py (seed 1): the timer cancels, then two 'succeeded' events of
    the one intent (new ids) arrive; the money goes back once and both are answered 200."""
    from orders.services import checkout

    with app.app_context(), db.unit_of_work() as s:
        s.get(Order, unpaid["id"]).expires_at = db.utcnow()
    with app.app_context(), db.unit_of_work():
        checkout.expire_unpaid(unpaid["id"])
    for _ in range(2):
        answer = deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
        assert answer.status_code == 200 and answer.get_json()["outcome"] == "refund_after_cancel"
    with app.app_context(), db.session_scope(write=False) as s:
        refunds = s.exec(select(Refund.amount_minor).where(Refund.order_id == unpaid["id"])).all()
    assert refunds == [7200]


def test_a_second_attempt_that_also_succeeds_is_refunded_in_full(app, client, unpaid, shop):
    """Found by bench/simulate.py (seed 2): attempt 1 failed, attempt 2 opened, then attempt
    1's late success paid the order and attempt 2 succeeded too. The second charge is
    refunded whole, once; the order's own money (paid, refunded) is untouched by it."""
    add_attempt(app, unpaid["id"], 2)
    assert deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200)).get_json() == {
        "outcome": "paid"
    }
    for _ in range(2):
        second = deliver(client, app, intent_event("succeeded", "pi_hand_2", 7200))
        assert second.get_json() == {"outcome": "refund_charged_twice"}
    with app.app_context(), db.session_scope(write=False) as s:
        refunds = s.exec(select(Refund.amount_minor, Refund.reason)).all()
        statuses = sorted(s.exec(select(Payment.status)).all())
    assert refunds == [(7200, "charged twice")]
    assert statuses == ["charged_twice", "succeeded"]
    assert order_status(app, unpaid["id"]) == "paid"
    shown = client.get(f"/api/v1/orders/{unpaid['id']}", headers=shop["headers"]).get_json()
    assert (shown["paid"]["amount_minor"], shown["refunded"]["amount_minor"]) == (7200, 0)


def test_a_late_failure_never_undoes_a_payment(app, client, unpaid):
    deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
    deliver(client, app, intent_event("payment_failed", "pi_hand_1", 7200))
    assert order_status(app, unpaid["id"]) == "paid"
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Payment)).one().status == "succeeded"


def test_a_failure_then_a_success_in_that_order_pays(app, client, unpaid):
    deliver(client, app, intent_event("payment_failed", "pi_hand_1", 7200))
    assert order_status(app, unpaid["id"]) == "pending_payment"
    deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
    assert order_status(app, unpaid["id"]) == "paid"


def test_a_wrong_signature_is_400_and_changes_nothing(app, client, unpaid):
    response = deliver(
        client, app, intent_event("succeeded", "pi_hand_1", 7200), secret="whsec_somebody_else"
    )
    assert response.status_code == 400
    unsigned = client.post(
        "/api/v1/payments/stripe/webhook", data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 400
    assert order_status(app, unpaid["id"]) == "pending_payment"
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(WebhookEvent)).all() == []


def test_a_wrong_amount_is_refused_and_logged(app, client, unpaid, caplog):
    with caplog.at_level(logging.ERROR, logger="orders.services.payments"):
        outcome = deliver(client, app, intent_event("succeeded", "pi_hand_1", 100))
    assert outcome.get_json() == {"outcome": "amount_mismatch"}
    assert order_status(app, unpaid["id"]) == "pending_payment"
    assert "not marked paid" in caplog.text
    wrong_currency = deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200, "usd"))
    assert wrong_currency.get_json() == {"outcome": "amount_mismatch"}


def test_money_arriving_after_the_timer_cancelled_the_order_goes_back(app, client, unpaid):
    with app.app_context(), db.session_scope() as s:
        s.get(Order, unpaid["id"]).expires_at = db.utcnow()
        s.commit()
    from orders.jobs import expire_unpaid

    with app.app_context():
        assert expire_unpaid(unpaid["id"])
    outcome = deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
    assert outcome.get_json() == {"outcome": "refund_after_cancel"}
    assert app.extensions["orders.services.gateway"].refunds == [("pi_hand_1", 7200, "refund-1")]


def test_a_paid_order_cancelled_before_dispatch_is_refunded_in_full(app, client, unpaid, shop):
    deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
    cancelled = client.post(
        f"/api/v1/orders/{unpaid['id']}/cancel",
        headers=shop["headers"],
        json={"reason": "临时出差"},
    )
    assert cancelled.get_json()["status"] == "cancelled"
    assert app.extensions["orders.services.gateway"].refunds == [("pi_hand_1", 7200, "refund-1")]
    assert stock(app, shop["item_id"]) == 50


# Through the real stripe library, against localstripe.


def _stripe(url):
    return stripe.StripeClient("sk_test_offline", base_addresses={"api": url})


def test_pay_with_a_test_card_then_refund_part_and_then_the_rest(stripe_shop, localstripe_url):
    app, client = stripe_shop["app"], stripe_shop["client"]
    order = post(client, stripe_shop, order_body(stripe_shop, 2)).get_json()
    started = client.post(f"/api/v1/orders/{order['id']}/payments", headers=stripe_shop["headers"])
    assert started.status_code == 201, started.get_json()
    payment = started.get_json()
    assert payment["amount"] == {"amount_minor": 7200, "currency": "CNY"}
    assert payment["publishable_key"].startswith("pk_test")
    again = client.post(f"/api/v1/orders/{order['id']}/payments", headers=stripe_shop["headers"])
    assert again.get_json()["payment_intent_id"] == payment["payment_intent_id"]

    stripe_api = _stripe(localstripe_url)
    stripe_api.v1.payment_intents.update(
        payment["payment_intent_id"], params={"payment_method": "pm_card_visa"}
    )
    confirmed = stripe_api.v1.payment_intents.confirm(payment["payment_intent_id"])
    assert confirmed["status"] == "succeeded"
    deliver(
        client, app, intent_event("succeeded", payment["payment_intent_id"], confirmed["amount"])
    )
    assert order_status(app, order["id"]) == "paid"

    part = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        headers=stripe_shop["ops"],
        json={"amount_minor": 1000, "reason": "一瓶破损"},
    )
    assert part.status_code == 201, part.get_json()
    assert order_status(app, order["id"]) == "paid"  # still to be delivered: part refunded
    money = client.get(f"/api/v1/orders/{order['id']}", headers=stripe_shop["headers"]).get_json()
    assert (money["refunded"]["amount_minor"], money["net"]["amount_minor"]) == (1000, 6200)
    rest = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        headers=stripe_shop["ops"],
        json={"reason": "整单退款"},
    )
    assert rest.get_json()["amount_minor"] == 6200
    assert order_status(app, order["id"]) == "refunded"
    with app.app_context(), db.session_scope(write=False) as s:
        refunds = s.exec(select(Refund).order_by(Refund.id)).all()
    assert [(r.amount_minor, r.status) for r in refunds] == [
        (1000, "succeeded"),
        (6200, "succeeded"),
    ]
    assert all(r.stripe_refund_id.startswith("re_") for r in refunds)
    too_much = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        headers=stripe_shop["ops"],
        json={"amount_minor": 1, "reason": "再退"},
    )
    assert too_much.status_code == 422  # nothing is left to refund
    assert set(too_much.get_json()["error"]["fields"]) == {"amount_minor"}


def test_a_declined_card_leaves_the_order_unpaid(stripe_shop, localstripe_url):
    app, client = stripe_shop["app"], stripe_shop["client"]
    order = post(client, stripe_shop, order_body(stripe_shop)).get_json()
    payment = client.post(
        f"/api/v1/orders/{order['id']}/payments", headers=stripe_shop["headers"]
    ).get_json()
    stripe_api = _stripe(localstripe_url)
    stripe_api.v1.payment_intents.update(
        payment["payment_intent_id"], params={"payment_method": "pm_card_chargeCustomerFail"}
    )
    with pytest.raises(stripe.CardError) as declined:
        stripe_api.v1.payment_intents.confirm(payment["payment_intent_id"])
    assert declined.value.http_status == 402
    deliver(client, app, intent_event("payment_failed", payment["payment_intent_id"], 3600))
    assert order_status(app, order["id"]) == "pending_payment"
    retry = client.post(f"/api/v1/orders/{order['id']}/payments", headers=stripe_shop["headers"])
    assert retry.get_json()["payment_intent_id"] != payment["payment_intent_id"]


def test_only_the_resident_pays_and_only_the_operator_refunds(
    client, shop, unpaid, resident, headers
):
    other = headers(resident("premium"))
    assert client.post(f"/api/v1/orders/{unpaid['id']}/payments", headers=other).status_code == 404
    assert (
        client.post(
            f"/api/v1/orders/{unpaid['id']}/refunds",
            headers=shop["headers"],
            json={"reason": "自己退"},
        ).status_code
        == 403
    )


def test_payment_turns_the_policy_into_this_orders_promises(app, client, unpaid, shop):
    deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
    nodes = client.get(
        f"/api/v1/orders/{unpaid['id']}/commitment", headers=shop["headers"]
    ).get_json()["items"]
    assert [n["kind"] for n in nodes] == ["accept", "deliver_window"]
    accept, window = nodes
    assert accept["status"] == "pending" and accept["compensation_minor"] == 300
    with app.app_context(), db.session_scope(write=False) as s:
        from orders.models import DeliveryWindow

        chosen = s.get(DeliveryWindow, shop["window_id"])
        assert window["due_by"] == db.aware(chosen.ends_at).isoformat()
    again = deliver(client, app, intent_event("succeeded", "pi_hand_1", 7200))
    assert again.get_json()["outcome"] == "already_paid"
    assert (
        len(
            client.get(
                f"/api/v1/orders/{unpaid['id']}/commitment", headers=shop["headers"]
            ).get_json()["items"]
        )
        == 2
    )  # snapshotted once


def test_another_resident_cannot_read_the_commitment(client, unpaid, resident, headers):
    other = headers(resident("premium"))
    assert client.get(f"/api/v1/orders/{unpaid['id']}/commitment", headers=other).status_code == 404
