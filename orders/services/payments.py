"""Paying for orders: PaymentIntents, signed webhooks (any order, any number of times), refunds."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import func, select

from orders import process, signals
from orders.errors import (
    CardDeclined,
    CreditRefundInFull,
    NotPaid,
    NotPayable,
    PaymentExpired,
    PaymentLapsed,
)
from orders.models import Order, Payment, Refund, WebhookEvent, amount_due_minor
from orders.services import checkout, credits, gateway, pledges
from shop.core import db, jobs
from shop.core.errors import Invalid, NotFound

log = logging.getLogger(__name__)
REFUND_JOB = "orders.jobs.execute_refund"
#: A payment that succeeded after another attempt had paid the order: refunded in full.
CHARGED_TWICE = "charged_twice"


def start_payment(*, order_id: int, resident_id: int) -> Payment:
    """A PaymentIntent for the resident's unpaid order (the open attempt, or a new one).

    Calls Stripe before the unit of work commits; the idempotency key (order, attempt) makes a
    retry after a failed commit get the same intent back.
    """
    gateway.publishable_key()  # a card form that cannot start is refused before Stripe is called
    order = checkout.get_order_for(order_id, resident_id, frozenset(), lock=True)
    if order.status != "pending_payment":
        raise NotPayable(_("This order is not waiting for payment."))
    if db.aware(order.expires_at) <= db.utcnow():
        raise PaymentExpired(_("The time to pay has run out; please order again."))
    s = db.session()
    last = s.exec(
        select(Payment).where(Payment.order_id == order.id).order_by(Payment.attempt.desc())
    ).first()
    if last is not None and last.status in {
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
    }:
        return last
    attempt = (last.attempt + 1) if last else 1
    intent = gateway.gateway().create_intent(
        order_id=order.id,
        attempt=attempt,
        amount_minor=amount_due_minor(order),
        currency=order.currency,
    )
    payment = Payment(
        order_id=order.id,
        attempt=attempt,
        intent_id=intent.id,
        client_secret=intent.client_secret,
        amount_minor=intent.amount_minor,
        currency=intent.currency,
        status=intent.status,
    )
    s.add(payment)
    s.flush()
    return payment


def confirm_payment(*, order_id: int, resident_id: int, payment_method: str) -> Payment:
    """Confirm the open attempt with the card the page collected (the webhook marks it paid)."""
    order = checkout.get_order_for(order_id, resident_id, frozenset())
    payment = (
        db.session()
        .exec(select(Payment).where(Payment.order_id == order.id).order_by(Payment.attempt.desc()))
        .first()
    )
    if (
        order.status != "pending_payment"
        or payment is None
        or payment.status in {"succeeded", "failed", "canceled"}
    ):
        raise NotPayable(_("This order is not waiting for payment."))
    try:
        intent = gateway.gateway().confirm_intent(
            intent_id=payment.intent_id, payment_method=payment_method
        )
    except gateway.IntentMissing as exc:
        payment.status, payment.updated_at = "canceled", db.utcnow()
        raise PaymentLapsed(  # the closed attempt is kept: pressing pay again starts afresh
            _("This payment has lapsed; please press pay again."), keep=True
        ) from exc
    except gateway.CardDeclined as exc:
        payment.status, payment.updated_at = "failed", db.utcnow()
        raise CardDeclined(_("The card was declined: %(why)s", why=str(exc)), keep=True) from exc
    if payment.status != "succeeded":
        payment.status, payment.updated_at = intent.status, db.utcnow()
    return payment


def handle_webhook(payload: bytes, signature: str | None) -> str:
    """Verify, deduplicate by event id, and apply one Stripe event; returns the outcome.

    Raises gateway.SignatureError (the view answers 400 and changes nothing).
    """
    event = gateway.verify_event(payload, signature, current_app.config["STRIPE_WEBHOOK_SECRET"])
    claim = WebhookEvent(id=event["id"], type=event["type"], outcome="")
    if not db.add_once(claim):  # delivered before, or at this moment by another worker
        return "duplicate"
    obj = event["data"]["object"]
    handler = _HANDLERS.get(event["type"])
    outcome = pledges.on_intent_event(event["type"], obj) if "intent." in event["type"] else None
    claim.outcome = outcome or (handler(obj) if handler else "ignored")
    return claim.outcome


def _payment_of(obj: dict[str, Any]) -> Payment | None:
    return db.session().exec(select(Payment).where(Payment.intent_id == obj["id"])).first()


def _succeeded(obj: dict[str, Any]) -> str:
    payment = _payment_of(obj)
    if payment is None:
        log.warning("payment_intent.succeeded for an unknown intent %s", obj["id"])
        return "unknown_intent"
    order = db.session().get(Order, payment.order_id, with_for_update=True)
    if order.paid_at is not None:  # paid (and perhaps since cancelled) before this event
        if payment.status == "succeeded":
            return "already_paid"  # by another event of this intent
        if payment.status != CHARGED_TWICE:  # by another attempt: this one is a second charge
            _charged_twice(order, payment)
        return "refund_charged_twice"
    amount, currency = obj.get("amount_received") or obj.get("amount"), obj["currency"].upper()
    if amount != amount_due_minor(order) or currency != order.currency:
        log.error(
            "order %s: paid %s %s but %s %s is due; not marked paid",
            order.id,
            amount,
            currency,
            amount_due_minor(order),
            order.currency,
        )
        return "amount_mismatch"
    payment.status, payment.updated_at = "succeeded", db.utcnow()
    if order.status == "pending_payment":
        checkout.mark_paid(order, {"intent": payment.intent_id})
        return "paid"
    if order.status == "cancelled":  # paid after the timer cancelled it: give it back
        left = amount - _refunded_of(payment.id)  # once, however many events say so
        if left > 0:
            request_refund(
                order=order,
                payment=payment,
                amount_minor=left,
                reason="paid after cancellation",
                actor_id=None,
            )
        return "refund_after_cancel"
    return "already_paid"


def _charged_twice(order: Order, payment: Payment) -> None:
    """Another attempt paid the order already (two tabs, two cards): give this one all back."""
    log.warning("order %s: attempt %s paid it a second time; refunded", order.id, payment.attempt)
    payment.status, payment.updated_at = CHARGED_TWICE, db.utcnow()
    request_refund(
        order=order,
        payment=payment,
        amount_minor=payment.amount_minor,
        reason="charged twice",
        actor_id=None,
    )


def _failed(obj: dict[str, Any]) -> str:
    payment = _payment_of(obj)
    if payment is None:
        return "unknown_intent"
    if payment.status != "succeeded":  # a late failure never undoes a success
        payment.status, payment.updated_at = "failed", db.utcnow()
    return "failed"


def _refunded(obj: dict[str, Any]) -> str:
    intent_id = obj.get("payment_intent")
    payment = db.session().exec(select(Payment).where(Payment.intent_id == intent_id)).first()
    return "refund_seen" if payment else "unknown_intent"


_HANDLERS = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "charge.refunded": _refunded,
}


def paid_payment(order_id: int) -> Payment | None:
    """The attempt that paid the order, if any."""
    return (
        db.session()
        .exec(select(Payment).where(Payment.order_id == order_id, Payment.status == "succeeded"))
        .first()
    )


def _refunded_of(payment_id: int) -> int:
    """How much of one payment has been given back or is being given back."""
    total = db.session().exec(
        select(func.sum(Refund.amount_minor)).where(
            Refund.payment_id == payment_id, Refund.status != "failed"
        )
    )
    return int(total.one() or 0)


def refunded_minor(order_id: int) -> int:
    """How much of the order has been given back or is being given back.

    A second charge's refund is not counted: it returns that charge, not the order's money.
    """
    twice = select(Payment.id).where(Payment.order_id == order_id, Payment.status == CHARGED_TWICE)
    total = (
        db.session()
        .exec(
            select(func.sum(Refund.amount_minor)).where(
                Refund.order_id == order_id,
                Refund.status != "failed",
                Refund.payment_id.not_in(twice),
            )
        )
        .one()
    )
    return int(total or 0)


def request_refund(
    *, order: Order, payment: Payment, amount_minor: int, reason: str, actor_id: int | None
) -> Refund:
    """Ask for a refund of this payment; a job carries it out through Stripe after commit."""
    if amount_minor <= 0 or amount_minor > payment.amount_minor - _refunded_of(payment.id):
        raise Invalid(
            _("The refund is more than what is left to refund."),
            fields={"amount_minor": [_("Too much.")]},
        )
    refund = Refund(
        order_id=order.id,
        payment_id=payment.id,
        amount_minor=amount_minor,
        reason=reason[:200],
        actor_id=actor_id,
    )
    db.session().add(refund)
    db.session().flush()
    jobs.enqueue_after_commit(REFUND_JOB, refund.id)
    return refund


def refund_order(*, order_id: int, actor_id: int, amount_minor: int | None, reason: str) -> Refund:
    """The operator refunds part or all of a paid order."""
    order = db.session().get(Order, order_id, with_for_update=True)
    if order is None:
        raise NotFound(_("No such order."))
    payment = paid_payment(order_id)
    if payment is None:
        return _refund_credit_only(order, actor_id, amount_minor, reason)
    left = payment.amount_minor - _refunded_of(payment.id)
    refund = request_refund(
        order=order,
        payment=payment,
        amount_minor=left if amount_minor is None else amount_minor,
        reason=reason,
        actor_id=actor_id,
    )
    full = _refunded_of(payment.id) >= payment.amount_minor
    data = {"refund_id": refund.id, "amount_minor": refund.amount_minor}
    if order.status != "cancelled":
        action = "refund" if full else "refund_part"
        if full or process.ORDER.find(order.status, action) is not None:
            checkout.apply_transition(order, action, "operator", actor_id, data)
        else:  # still being served: the money moves, the status stays
            checkout.record(order, action, "operator", actor_id, data=data)
    if full:
        credits.give_back(order, "order refunded")
        signals.order_refunded.send(order.id)
    return refund


def _refund_credit_only(
    order: Order, actor_id: int, amount_minor: int | None, reason: str
) -> Refund | None:
    """An order paid with credit alone is refunded in full, back to the credit balance."""
    if order.credit_minor <= 0 or order.paid_at is None:
        raise NotPaid(_("This order has not been paid."))
    if amount_minor not in (None, order.credit_minor):
        raise CreditRefundInFull(
            _("An order paid with credit is refunded in full, to the credit."),
        )
    if order.status not in ("cancelled", "refunded"):
        checkout.apply_transition(
            order, "refund", "operator", actor_id, {"credit_minor": order.credit_minor}
        )
    if credits.give_back(order, reason or "order refunded"):
        signals.order_refunded.send(order.id)
    return None


def execute_refund(refund_id: int) -> str:
    """Carry out a pending refund through Stripe (idempotent: its key is the refund's id)."""
    refund = db.session().get(Refund, refund_id, with_for_update=True)
    if refund is None or refund.status != "pending":
        return "done"
    payment = db.session().get(Payment, refund.payment_id)
    result = gateway.gateway().refund(
        intent_id=payment.intent_id,
        amount_minor=refund.amount_minor,
        idempotency_key=f"refund-{refund.id}",
    )
    refund.stripe_refund_id = result.id
    refund.status = "succeeded" if result.status in {"succeeded", "pending"} else "failed"
    refund.done_at = db.utcnow()
    return refund.status


def refund_cancelled(order_id: int, **kwargs: Any) -> None:
    """A paid order was cancelled before dispatch: refund all of it (signal receiver)."""
    if not kwargs.get("was_paid"):
        return  # (its credit, if any, went back with the cancellation)
    order = db.session().get(Order, order_id)
    payment = paid_payment(order_id)
    if order is not None and payment is not None:
        left = payment.amount_minor - _refunded_of(payment.id)
        if left > 0:
            request_refund(
                order=order,
                payment=payment,
                amount_minor=left,
                reason="cancelled before dispatch",
                actor_id=None,
            )


def open_attempt(order_id: int) -> Payment | None:
    """The order's latest payment attempt if it is still open (read only), else None."""
    payment = (
        db.session()
        .exec(select(Payment).where(Payment.order_id == order_id).order_by(Payment.attempt.desc()))
        .first()
    )
    if payment is None or payment.status in {"succeeded", "failed", "canceled"}:
        return None
    return payment
