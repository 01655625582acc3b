"""Write operations on orders: they flush, send signals and enqueue; the unit of work commits."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import func, select

import suppliers.api
import suppliers.catalogue.api as catalogue
from orders import process, signals
from orders.errors import (
    BundleUnavailable,
    MixedOrder,
    NoAddress,
    NotCancellable,
    NotVerified,
    OutOfStock,
    OutsideServiceArea,
    SlotFull,
    SupplierBusy,
    WindowFull,
)
from orders.models import (
    CustomBatch,
    Order,
    OrderComponent,
    OrderEvent,
    OrderLine,
    Payment,
    Pledge,
    amount_due_minor,
)
from orders.services import commitments, credits, windows
from shop.core import accounts, db, jobs
from shop.core.errors import IdempotencyMismatch, Invalid, NotFound
from shop.core.process import Context

EXPIRE_JOB = "orders.jobs.expire_unpaid"


def _hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Placed:
    """What a checkout made: the order, its lines, and whether this call placed it."""

    order: Order
    lines: tuple[OrderLine, ...]
    fresh: bool


def place_order(**checkout: Any) -> Order:
    """The order `place` made or found (for callers that need the order only)."""
    return place(**checkout).order


def place(
    *,
    resident_id: int,
    lines: Sequence[Mapping[str, int]],
    delivery: Mapping[str, Any],
    idempotency_key: str,
    referral_code: str = "",
    note: str = "",
    use_credit: bool = False,
) -> Placed:
    """Create an order from published bundles, taking stock and window or slot capacity.

    With `use_credit`, the resident's credit pays what it can; an order it pays in full is
    paid at once (no card).

    The same key and body return the first order; the same key with another body is refused.
    Raises (orders.errors) BundleUnavailable, OutOfStock, WindowFull, SlotFull, SupplierBusy,
    NoAddress, and IdempotencyMismatch.
    """
    body = {"lines": list(lines), "delivery": dict(delivery), "referral_code": referral_code}
    body["note"] = note
    if use_credit:
        body["use_credit"] = True
        credits.lock_resident(resident_id)  # before anything else of this checkout
    request_hash = _hash(body)
    existing = _placed_before(resident_id, idempotency_key, request_hash)
    if existing is not None:
        return Placed(existing, tuple(lines_of(existing.id)), fresh=False)
    address = verified_address(resident_id)
    bundles = _bundles(lines, address.segment)
    mode = delivery["mode"]
    _check_mode(mode, bundles)
    check_service_area([b for b, _line in bundles], address.community_id)
    now = db.utcnow()
    order = _new_order(resident_id, address, bundles, delivery, body, now)
    order.idempotency_key, order.request_hash = idempotency_key, request_hash
    if db.insert_row(order, unless_taken=("resident_id", "idempotency_key")) is None:
        # The same key placed an order a moment ago (a double tap): that order is the answer.
        return _placed_by_another(resident_id, idempotency_key, request_hash)
    made, components = _snapshot(order, bundles)
    limits = {k: v for b, _line in bundles for k, v in b.supplier_limits.items()}
    _check_supplier_limits(order.id, {c["supplier_id"] for c in components}, limits)
    _take_capacity(order, components, delivery)
    record(order, "place", "resident", resident_id, previous="")
    placed = Placed(order, tuple(made), fresh=True)
    if use_credit and credits.spend_on(order) and amount_due_minor(order) == 0:
        mark_paid(order, {"credit_minor": order.credit_minor})
        return placed
    jobs.enqueue_after_commit(EXPIRE_JOB, order.id, delay=(order.expires_at - now).total_seconds())
    return placed


def _placed_by_another(resident_id: int, key: str, request_hash: str) -> Placed:
    """The order a racing request with this key placed (committed while this one waited)."""
    existing = _placed_before(resident_id, key, request_hash)
    if existing is None:  # the key is taken, so its order is there: a broken invariant
        raise RuntimeError(f"Idempotency-Key {key!r} is taken but its order is missing")
    return Placed(existing, tuple(lines_of(existing.id)), fresh=False)


def _new_order(
    resident_id: int,
    address: accounts.ResidentAddress,
    bundles: Sequence[tuple[Any, Mapping[str, int]]],
    delivery: Mapping[str, Any],
    body: Mapping[str, Any],
    now: datetime,
) -> Order:
    """The order row of a checkout: where it goes, what it costs, when it lapses unpaid."""
    return Order(
        resident_id=resident_id,
        community_id=address.community_id,
        building_id=address.building_id,
        address=f"{address.community} {address.building} {address.room}",
        currency=current_app.config["CURRENCY"],
        total_minor=sum(b.unit_price_minor * line["quantity"] for b, line in bundles),
        delivery_mode=delivery["mode"],
        window_id=delivery.get("window_id"),
        slot_starts_at=delivery.get("slot_starts_at"),
        referral_code=body["referral_code"],
        note=body["note"],
        confirmation_code=f"{secrets.randbelow(10**6):06d}",
        expires_at=now + timedelta(minutes=int(current_app.config["ORDER_UNPAID_MINUTES"])),
    )


_orders = db.table(Order)
#: Asked on every checkout, and nearly always answered "no": a plain read of two columns.
_PLACED_BEFORE = sa_select(_orders.c.id, _orders.c.request_hash).where(
    _orders.c.resident_id == bindparam("resident"),
    _orders.c.idempotency_key == bindparam("key"),
)


def _placed_before(resident_id: int, key: str, request_hash: str) -> Order | None:
    """The order this Idempotency-Key placed already; another body under it is refused."""
    found = db.run(_PLACED_BEFORE, {"resident": resident_id, "key": key}).first()
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise IdempotencyMismatch(_("This Idempotency-Key was used for another order."))
    return db.session().get(Order, found.id)


def verified_address(resident_id: int) -> accounts.ResidentAddress:
    """Where the resident lives, once the property has verified it (409 otherwise)."""
    address = accounts.find_resident_address(resident_id)
    if address is None:
        raise NoAddress(_("Your address is not registered yet."))
    if not address.verified:
        raise NotVerified(
            _(
                "Your home is not verified yet: enter the code from the property's notice, or "
                "ask your butler."
            ),
        )
    return address


def place_for_pledge(*, pledge: Pledge, batch: CustomBatch) -> Order:
    """A captured pledge becomes a paid order: the batch's bundle at its price, on its day.

    The same order process from here on (tasks, promises, commissions, settlement); the
    captured PaymentIntent is the order's payment, so refunds go back to the same card.
    """
    address = verified_address(pledge.resident_id)
    bundle = catalogue.CheckoutBundle(
        id=batch.bundle_id,
        title=batch.title,
        unit_price_minor=batch.price_minor,
        currency=batch.currency,
        components=tuple(catalogue.ComponentSnapshot(**c) for c in batch.components),
        policy_nodes=(*batch.policy_nodes, commitments.decision_node(batch)),
    )
    line = {"bundle_id": batch.bundle_id, "quantity": pledge.quantity}
    body = {"pledge_id": pledge.id, "referral_code": "", "note": ""}
    now = db.utcnow()
    order = _new_order(
        pledge.resident_id, address, [(bundle, line)], {"mode": "doorstep"}, body, now
    )
    order.idempotency_key, order.request_hash, order.expires_at = (
        f"pledge-{pledge.id}-{secrets.token_hex(8)}",  # no resident's own key can clash
        _hash(body),
        now,
    )
    s = db.session()
    s.add(order)
    s.flush()
    pledge.order_id = order.id
    _snapshot(order, [(bundle, line)])
    data = {"pledge_id": pledge.id, "batch_id": batch.id}
    record(order, "place", "system", None, previous="", data=data)
    s.add(
        Payment(
            order_id=order.id,
            attempt=1,
            intent_id=pledge.intent_id,
            client_secret="",
            amount_minor=pledge.amount_minor,
            currency=pledge.currency,
            status="succeeded",
        )
    )
    s.flush()
    mark_paid(order, {**data, "intent": pledge.intent_id})
    return order


def mark_paid(order: Order, data: Mapping[str, Any]) -> None:
    """The money is in: the order is paid, its promises are fixed, the layers above told."""
    order.paid_at = db.utcnow()
    apply_transition(order, "pay", "system", None, data)
    commitments.snapshot(order)
    signals.order_paid.send(order.id)


def _bundles(
    lines: Sequence[Mapping[str, int]], viewer: str
) -> list[tuple[catalogue.CheckoutBundle, Mapping[str, int]]]:
    found = []
    for line in lines:
        bundle = catalogue.bundle_for_checkout(line["bundle_id"], viewer=viewer)
        if bundle is None:
            raise BundleUnavailable(
                _("A bundle in your basket is no longer on sale."),
                fields={"bundle_id": [line["bundle_id"]]},
            )
        found.append((bundle, line))
    return found


def check_service_area(bundles: Sequence[catalogue.CheckoutBundle], community_id: int) -> None:
    """409 `outside_service_area` when a bundle's service is not offered in the community."""
    outside = [b.id for b in bundles if not b.serves(community_id)]
    if outside:
        raise OutsideServiceArea(
            _("This service is not offered in your community yet."),
            fields={"bundle_id": outside},
        )


def _check_mode(mode: str, bundles: Sequence[tuple[catalogue.CheckoutBundle, Any]]) -> None:
    services = {b.is_service for b, _line in bundles}
    if services == {True, False}:
        raise MixedOrder(_("Order goods and services separately."))
    if (mode == "service") != (services == {True}):
        raise Invalid(
            _("Services are booked in a slot; goods go to a window or pickup."),
            fields={"delivery": [_("This way of delivery does not fit the bundles.")]},
        )


#: A checkout's component rows, written in one plain multi-row INSERT (no ORM objects).
_COMPONENTS = db.table(OrderComponent).insert()


def _snapshot(
    order: Order, bundles: Sequence[tuple[catalogue.CheckoutBundle, Any]]
) -> tuple[list[OrderLine], list[dict[str, Any]]]:
    """The order's lines and their components as the bundles are now (components as rows)."""
    made = [
        OrderLine(
            order_id=order.id,
            bundle_id=bundle.id,
            title=bundle.title,
            quantity=line["quantity"],
            unit_price_minor=bundle.unit_price_minor,
            line_total_minor=bundle.unit_price_minor * line["quantity"],
            policy_nodes=list(bundle.policy_nodes),
        )
        for bundle, line in bundles
    ]
    for row in made:
        db.insert_row(row)
    components = [
        {
            "order_id": order.id,
            "line_id": row.id,
            "item_id": c.item_id,
            "supplier_id": c.supplier_id,
            "name": c.name,
            "kind": c.kind,
            "quantity": c.quantity * line["quantity"],
            "settlement_price_minor": c.settlement_price_minor,
            "staff_role": c.staff_role,
            "duration_minutes": c.duration_minutes,
        }
        for row, (bundle, line) in zip(made, bundles, strict=True)
        for c in bundle.components
    ]
    if components:
        db.run(_COMPONENTS, components)
    return made, components


def _check_supplier_limits(
    order_id: int, supplier_ids: set[int], limits: Mapping[int, int]
) -> None:
    """409 `supplier_busy` when a supplier on probation carries its limit of open orders."""
    s = db.session()
    for supplier_id in sorted(supplier_ids & set(limits)):
        limit = limits[supplier_id]
        open_orders = s.exec(
            select(func.count(func.distinct(Order.id)))
            .join(OrderComponent, OrderComponent.order_id == Order.id)
            .where(
                OrderComponent.supplier_id == supplier_id,
                Order.status.in_(process.OPEN),
                Order.id != order_id,
            )
        ).one()
        if open_orders >= limit:
            raise SupplierBusy(_("This supplier is fully booked for now; please try later."))


def _take_capacity(
    order: Order, components: Sequence[Mapping[str, Any]], delivery: Mapping[str, Any]
) -> None:
    # Rows are locked in item order, so two checkouts never wait on each other in a cycle.
    for c in sorted(components, key=lambda c: c["item_id"]):
        if c["kind"] == "goods" and not suppliers.api.take_stock(
            item_id=c["item_id"], quantity=c["quantity"], reference=f"order {order.id}"
        ):
            raise OutOfStock(_("Not enough stock of %(name)s.", name=c["name"]))
    window_id = delivery.get("window_id")
    if order.delivery_mode == "doorstep" and not (
        window_id and windows.take(window_id, order.community_id)
    ):
        raise WindowFull(
            _("This delivery window is full or closed; please pick another."),
        )
    if order.delivery_mode == "service":
        starts = delivery.get("slot_starts_at")
        if starts is None or db.aware(starts) <= windows.bookable_after():
            raise Invalid(
                _("Pick a service time."),
                fields={"slot_starts_at": [_("Missing data for required field.")]},
            )
        for c in components:
            if c["kind"] == "service" and not suppliers.api.take_slot(
                item_id=c["item_id"], starts_at=starts, quantity=c["quantity"]
            ):
                raise SlotFull(_("This service time is fully booked; please pick another."))


def _release(order: Order) -> None:
    """Give back the stock, window and slot places the order held."""
    components = (
        db.session().exec(select(OrderComponent).where(OrderComponent.order_id == order.id)).all()
    )
    for c in components:
        if c.kind == "goods":
            suppliers.api.return_stock(
                item_id=c.item_id, quantity=c.quantity, reference=f"order {order.id} released"
            )
        elif order.slot_starts_at is not None:
            suppliers.api.return_slot(
                item_id=c.item_id, starts_at=order.slot_starts_at, quantity=c.quantity
            )
    if order.window_id is not None:
        windows.give_back(order.window_id)


def record(
    order: Order,
    action: str,
    actor_role: str,
    actor_id: int | None,
    *,
    previous: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> OrderEvent:
    """Append an event to the order's history (a note that moves nothing, or a first step)."""
    ctx = Context(actor_role, actor_id, data=dict(data or {}))
    return process.ORDER.record(order, action, ctx, previous=previous)


def apply_transition(
    order: Order,
    action: str,
    actor_role: str,
    actor_id: int | None,
    data: Mapping[str, Any] | None = None,
) -> OrderEvent:
    """Move the order by its process (409 if no such step, 403 for the wrong actor)."""
    _step, event = process.ORDER.apply(order, action, actor_role, actor_id, data=data)
    return event


def get_order_for(
    order_id: int, user_id: int, roles: frozenset[str], *, lock: bool = False
) -> Order:
    """The order if it is the user's own, or the user is the operator; else NotFound."""
    order = db.session().get(Order, order_id, with_for_update=lock)
    if order is None or (order.resident_id != user_id and "operator" not in roles):
        raise NotFound(_("No such order."))
    return order


def cancel_order(*, order_id: int, actor_id: int, roles: frozenset[str], reason: str = "") -> Order:
    """Cancel before dispatch, giving stock and capacity back (a paid order is refunded)."""
    order = get_order_for(order_id, actor_id, roles, lock=True)
    actor = "resident" if order.resident_id == actor_id else "operator"
    if order.status not in process.CANCELLABLE:
        raise NotCancellable(_("The order is on its way and can no longer be cancelled."))
    made_to_order = db.session().exec(select(Pledge.id).where(Pledge.order_id == order.id))
    if actor == "resident" and made_to_order.first() is not None:
        raise NotCancellable(
            _("This was made to order for you and cannot be cancelled; please ask the operator.")
        )
    was_paid = order.status != "pending_payment"
    apply_transition(order, "cancel", actor, actor_id, {"reason": reason, "paid": was_paid})
    _release(order)
    credits.give_back(order, "order cancelled")
    signals.order_cancelled.send(order.id, was_paid=was_paid)
    return order


def expire_unpaid(order_id: int) -> bool:
    """Cancel an order still unpaid at its deadline and give its stock back (idempotent)."""
    order = db.session().get(Order, order_id, with_for_update=True)
    if order is None or order.status != "pending_payment":
        return False
    if db.aware(order.expires_at) > db.utcnow():
        return False
    apply_transition(order, "expire", "system", None)
    _release(order)
    credits.give_back(order, "order expired unpaid")
    signals.order_cancelled.send(order.id, was_paid=False)
    return True


def sweep_unpaid() -> int:
    """Send the expiry job for every unpaid order past its deadline (its delayed job was lost)."""
    ids = db.session().exec(
        select(Order.id)
        .where(Order.status == "pending_payment", Order.expires_at < db.utcnow())
        .order_by(Order.id)
        .limit(1000)
    )
    return jobs.enqueue_each(EXPIRE_JOB, ids)


def list_orders(*, resident_id: int, page: int = 1, per_page: int = 20) -> tuple[list[Order], int]:
    """A resident's orders, newest first, and the total."""
    stmt = select(Order).where(Order.resident_id == resident_id).order_by(Order.id.desc())
    return db.page(stmt, page, per_page)


def list_all_orders(
    *, status: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[Order], int]:
    """All orders (the operator's view), newest first, optionally of one status."""
    stmt = select(Order).order_by(Order.id.desc())
    if status:
        stmt = stmt.where(Order.status == status)
    return db.page(stmt, page, per_page)


def events(order_id: int) -> list[OrderEvent]:
    """The order's history, oldest first."""
    return list(
        db.session().exec(
            select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
        )
    )


def components_of(order_id: int) -> list[OrderComponent]:
    """The order's components (supplier items), in order."""
    return list(
        db.session().exec(
            select(OrderComponent)
            .where(OrderComponent.order_id == order_id)
            .order_by(OrderComponent.id)
        )
    )


def lines_of(order_id: int) -> list[OrderLine]:
    """The order's lines."""
    return list(
        db.session().exec(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
        )
    )


def lock_order(order_id: int) -> None:
    """Take the order's row lock in this transaction (see orders.api.lock_order for the rule)."""
    db.session().get(Order, order_id, with_for_update=True)
