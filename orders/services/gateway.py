"""The only module that talks to Stripe: PaymentIntents, holds, saved cards, refunds, webhooks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe
from flask import Flask, current_app
from flask_babel import gettext as _

from orders.errors import PaymentsUnavailable

#: The test-mode key used against the offline Stripe-compatible server (localstripe).
OFFLINE_KEY = "sk_test_offline"
OFFLINE_PUBLISHABLE_KEY = "pk_test_offline"
OFFLINE_WEBHOOK_SECRET = "whsec_offline_test"  # noqa: S105  (test mode only; refused in production)


class SignatureError(Exception):
    """The webhook's signature does not verify."""


class IntentMissing(Exception):
    """Stripe does not know the PaymentIntent (e.g. the offline server was restarted)."""


class CardDeclined(Exception):
    """The card was refused; the message is Stripe's, safe to show."""


@dataclass(frozen=True)
class Intent:
    """What the payment page needs of a PaymentIntent."""

    id: str
    client_secret: str
    status: str
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class SavedCard:
    """A card saved for later off-session charges (a customer and its SetupIntent)."""

    customer_id: str
    setup_intent_id: str
    payment_method: str
    status: str
    client_secret: str


def _intent(obj: Any) -> Intent:
    return Intent(
        obj["id"], obj["client_secret"], obj["status"], obj["amount"], obj["currency"].upper()
    )


@dataclass(frozen=True)
class RefundResult:
    """A refund as Stripe answered it."""

    id: str
    status: str
    amount_minor: int


class Gateway:
    """Stripe calls with idempotency keys; amounts in minor units."""

    def __init__(self, secret_key: str, api_base: str | None) -> None:
        addresses: Any = {"api": api_base} if api_base else {}
        self.client = stripe.StripeClient(secret_key, base_addresses=addresses)

    def create_intent(
        self, *, order_id: int, attempt: int, amount_minor: int, currency: str
    ) -> Intent:
        """A PaymentIntent for one attempt to pay an order (a retry returns the same one)."""
        intent = self.client.v1.payment_intents.create(
            params={
                "amount": amount_minor,
                "currency": currency.lower(),
                "payment_method_types": ["card"],
                "metadata": {"order_id": str(order_id), "attempt": str(attempt)},
            },
            options={"idempotency_key": f"order-{order_id}-attempt-{attempt}"},
        )
        return _intent(intent)

    def confirm_intent(self, *, intent_id: str, payment_method: str) -> Intent:
        """Attach the card (a PaymentMethod from Stripe.js) and confirm; CardDeclined if refused.

        The status may be `requires_action` (3-D Secure): the page then finishes it with
        Stripe.js's confirmCardPayment.
        """
        try:
            self.client.v1.payment_intents.update(
                intent_id, params={"payment_method": payment_method}
            )
            intent = self.client.v1.payment_intents.confirm(intent_id)
        except stripe.CardError as exc:
            raise CardDeclined(exc.user_message or str(exc)) from exc
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                raise IntentMissing(intent_id) from exc
            raise
        return _intent(intent)

    def hold(
        self, *, amount_minor: int, currency: str, payment_method: str, key: str, reference: str
    ) -> Intent:
        """Authorize the amount on the card without taking it (capture_method=manual).

        The status is `requires_capture` (held) or `requires_action` (3-D Secure first);
        CardDeclined if refused.
        """
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": amount_minor,
                    "currency": currency.lower(),
                    "payment_method_types": ["card"],
                    "payment_method": payment_method,
                    "capture_method": "manual",
                    "confirm": True,
                    "metadata": {"pledge": reference},
                },
                options={"idempotency_key": f"{key}-hold"},
            )
        except stripe.CardError as exc:
            raise CardDeclined(exc.user_message or str(exc)) from exc
        return _intent(intent)

    def save_card(self, *, payment_method: str, key: str, reference: str) -> SavedCard:
        """Save the card for an off-session charge later: a customer and a SetupIntent."""
        metadata = {"pledge": reference}
        customer = self.client.v1.customers.create(
            params={"metadata": metadata}, options={"idempotency_key": f"{key}-customer"}
        )
        setup = self.client.v1.setup_intents.create(
            params={"customer": customer["id"], "usage": "off_session", "metadata": metadata},
            options={"idempotency_key": f"{key}-setup"},
        )
        try:
            setup = self.client.v1.setup_intents.confirm(
                setup["id"], params={"payment_method": payment_method}
            )
        except stripe.CardError as exc:
            raise CardDeclined(exc.user_message or str(exc)) from exc
        return SavedCard(
            customer["id"],
            setup["id"],
            setup["payment_method"] or payment_method,
            setup["status"],
            setup["client_secret"],
        )

    def charge_saved(
        self,
        *,
        customer_id: str,
        payment_method: str,
        amount_minor: int,
        currency: str,
        key: str,
        reference: str,
        off_session: bool = True,
    ) -> Intent:
        """Charge a saved card off-session (the resident is not there); CardDeclined if refused.

        With `off_session=False` the resident is there, paying with a new card. `key` names
        the attempt, so a retried job charges once (Stripe's idempotency).
        """
        params: dict[str, Any] = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "payment_method_types": ["card"],
            "customer": customer_id,
            "payment_method": payment_method,
            "confirm": True,
            "metadata": {"pledge": reference},
        }
        if off_session:
            params["off_session"] = True
        try:
            intent = self.client.v1.payment_intents.create(
                params=params,
                options={"idempotency_key": key},
            )
        except stripe.CardError as exc:
            raise CardDeclined(exc.user_message or str(exc)) from exc
        return _intent(intent)

    def capture(self, intent_id: str) -> Intent:
        """Take the held amount; an intent captured before (a retried job) is read back."""
        try:
            return _intent(self.client.v1.payment_intents.capture(intent_id))
        except stripe.InvalidRequestError:
            return self.retrieve(intent_id)

    def cancel(self, intent_id: str) -> Intent:
        """Release a hold; an intent cancelled before (a retried job) is read back."""
        try:
            return _intent(self.client.v1.payment_intents.cancel(intent_id))
        except stripe.InvalidRequestError:
            return self.retrieve(intent_id)

    def retrieve(self, intent_id: str) -> Intent:
        """The PaymentIntent as Stripe has it now."""
        return _intent(self.client.v1.payment_intents.retrieve(intent_id))

    def refund(self, *, intent_id: str, amount_minor: int, idempotency_key: str) -> RefundResult:
        """Refund part or all of a paid intent (the key makes a retried job refund once)."""
        refund = self.client.v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount_minor},
            options={"idempotency_key": idempotency_key},
        )
        return RefundResult(refund["id"], refund["status"], refund["amount"])


def verify_event(payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The event in a webhook body, once its signature verifies; else SignatureError."""
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise SignatureError(str(exc)) from exc
    return json.loads(payload)


def gateway() -> Gateway:
    """The app's gateway (real Stripe with a key, else the offline server)."""
    app = current_app
    if "orders.services.gateway" not in app.extensions:
        app.extensions["orders.services.gateway"] = Gateway(
            app.config["STRIPE_SECRET_KEY"], app.config["STRIPE_API_BASE"]
        )
    return app.extensions["orders.services.gateway"]


def publishable_key() -> str:
    """The key the card form needs; 409 `payments_unavailable` (and an error log) without it."""
    key = current_app.config.get("STRIPE_PUBLISHABLE_KEY")
    if not key:
        current_app.logger.error(
            "SHOP_STRIPE_PUBLISHABLE_KEY is not set (SHOP_STRIPE_SECRET_KEY is): "
            "card payments cannot start"
        )
        raise PaymentsUnavailable(
            _("Card payment is not available right now. Please try again later."),
        )
    return str(key)


def configure(app: Flask) -> None:
    """Without a Stripe key, run in test mode against the offline server (STRIPE_API_BASE)."""
    if not app.config["STRIPE_SECRET_KEY"]:
        app.config["STRIPE_SECRET_KEY"] = OFFLINE_KEY
        app.config["STRIPE_PUBLISHABLE_KEY"] = OFFLINE_PUBLISHABLE_KEY
        app.config["STRIPE_OFFLINE"] = True
        app.config["STRIPE_API_BASE"] = app.config["STRIPE_API_BASE"] or "http://127.0.0.1:8420"
    else:
        app.config.setdefault("STRIPE_OFFLINE", False)
        if not app.config["STRIPE_PUBLISHABLE_KEY"]:
            app.logger.error(
                "SHOP_STRIPE_SECRET_KEY is set without SHOP_STRIPE_PUBLISHABLE_KEY: "
                "residents cannot pay by card until it is set"
            )
    if not app.config["STRIPE_WEBHOOK_SECRET"]:
        if app.config["ENV"] == "production":
            raise RuntimeError("SHOP_STRIPE_WEBHOOK_SECRET must be set in production")
        app.config["STRIPE_WEBHOOK_SECRET"] = OFFLINE_WEBHOOK_SECRET
