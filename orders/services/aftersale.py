"""After delivery: complaints within the after-sale window, completion, and supplier settlement.

A delivered order completes when its resident confirms it, or by a timer once the after-sale
window (ORDER_AFTER_SALE_DAYS from delivery) has passed with no complaint open. Completion
puts each component's settlement on its supplier's statement; a full refund of a completed
order takes it back with negative lines.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import select

import suppliers.api
from orders import signals
from orders.errors import AlreadyResolved, ComplaintOpen, NotDelivered, OutsideAfterSaleWindow
from orders.models import Complaint, Order, OrderComponent
from orders.services import checkout
from shop.core import accounts, audit, db, jobs, notifications
from shop.core.errors import Invalid, NotFound

COMPLETE_JOB = "orders.jobs.complete_order"


def _window_ends(order: Order) -> datetime | None:
    if order.delivered_at is None:
        return None
    days = int(current_app.config["ORDER_AFTER_SALE_DAYS"])
    return db.aware(order.delivered_at) + timedelta(days=days)


def in_after_sale_window(order: Order) -> bool:
    """Delivered, and the after-sale window has not closed."""
    ends = _window_ends(order)
    return ends is not None and order.status in {"delivered", "completed"} and db.utcnow() <= ends


def has_open_complaint(order_id: int) -> bool:
    """Whether a complaint about the order waits for the operator."""
    return (
        db.session()
        .exec(
            select(Complaint.id).where(Complaint.order_id == order_id, Complaint.status == "open")
        )
        .first()
        is not None
    )


def complete(order: Order, actor_role: str, actor_id: int | None) -> None:
    """Complete a delivered order: settle its suppliers and tell the layers above."""
    checkout.apply_transition(order, "complete", actor_role, actor_id)
    order.completed_at = db.utcnow()
    settle(order, sign=1)
    signals.order_completed.send(order.id)


def confirm_received(*, order_id: int, resident_id: int) -> Order:
    """The resident says all is well: the order completes now (no complaint may be open)."""
    order = checkout.get_order_for(order_id, resident_id, frozenset(), lock=True)
    if order.status != "delivered":
        raise NotDelivered(_("Only a delivered order can be confirmed."))
    if has_open_complaint(order.id):
        raise ComplaintOpen(_("A complaint about this order is still open."))
    complete(order, "resident", resident_id)
    return order


def complete_if_due(order_id: int) -> bool:
    """The timer: complete a delivered order whose after-sale window has passed (idempotent)."""
    order = db.session().get(Order, order_id, with_for_update=True)
    if order is None or order.status != "delivered" or has_open_complaint(order_id):
        return False
    ends = _window_ends(order)
    if ends is None or ends > db.utcnow():
        return False
    complete(order, "system", None)
    return True


def sweep() -> int:
    """Send a completion job for each delivered order past its after-sale window."""
    days = int(current_app.config["ORDER_AFTER_SALE_DAYS"])
    cutoff = db.utcnow() - timedelta(days=days)
    ids = db.session().exec(
        select(Order.id)
        .where(Order.status == "delivered", Order.delivered_at < cutoff)
        .order_by(Order.id)
        .limit(1000)
    )
    return jobs.enqueue_each(COMPLETE_JOB, ids)


def settle(order: Order, *, sign: int) -> None:
    """Each component's settlement on its supplier's statement (sign -1: a refund takes it back)."""
    suffix = "" if sign > 0 else "-refund"
    components = db.session().exec(
        select(OrderComponent)
        .where(OrderComponent.order_id == order.id)
        .order_by(OrderComponent.id)
    )
    for c in components:
        suppliers.api.record_settlement(
            supplier_id=c.supplier_id,
            reference=f"order-{order.id}-component-{c.id}{suffix}",
            amount_minor=sign * c.settlement_price_minor * c.quantity,
            description=f"{'退款 ' if sign < 0 else ''}订单 {order.id} {c.name} ×{c.quantity}",
            at=db.utcnow(),
        )


def unsettle_refunded(order_id: int, **_kwargs: object) -> None:
    """A completed order was fully refunded: take its settlement back (signal receiver)."""
    order = db.session().get(Order, order_id)
    if order is not None and order.completed_at is not None:
        settle(order, sign=-1)


def file_complaint(*, order_id: int, resident_id: int, text: str) -> Complaint:
    """The resident complains within the after-sale window; completion waits for the operator."""
    order = checkout.get_order_for(order_id, resident_id, frozenset(), lock=True)
    text = text.strip()
    if not 5 <= len(text) <= 2000:
        raise Invalid(
            _("Tell us what went wrong (5 to 2000 characters)."),
            fields={"text": [_("Between 5 and 2000 characters.")]},
        )
    if not in_after_sale_window(order):
        raise OutsideAfterSaleWindow(
            _("Complaints are taken from delivery until the after-sale window closes."),
        )
    if has_open_complaint(order.id):
        raise ComplaintOpen(_("A complaint about this order is already open."))
    complaint = Complaint(order_id=order.id, resident_id=resident_id, text=text)
    db.session().add(complaint)
    db.session().flush()
    checkout.record(order, "complaint", "resident", resident_id, data={"complaint": complaint.id})
    for operator_id in accounts.user_ids_with_role("operator"):
        notifications.notify(
            operator_id,
            "complaint",
            lambda: (_("A complaint about order %(id)s", id=order.id), text[:200]),
            link=f"/console/orders/{order.id}",
        )
    return complaint


def resolve_complaint(*, complaint_id: int, actor_id: int, resolution: str) -> Complaint:
    """The operator closes a complaint with what was done; the resident is told."""
    complaint = db.session().get(Complaint, complaint_id, with_for_update=True)
    if complaint is None:
        raise NotFound(_("No such complaint."))
    if len(resolution.strip()) < 2:
        raise Invalid(_("Say what was done."), fields={"resolution": [_("Say what was done.")]})
    if complaint.status != "open":
        raise AlreadyResolved(_("This complaint is already resolved."))
    complaint.status, complaint.resolution = "resolved", resolution.strip()[:500]
    complaint.resolved_by, complaint.resolved_at = actor_id, db.utcnow()
    order = db.session().get(Order, complaint.order_id)
    checkout.record(
        order, "complaint_resolved", "operator", actor_id, data={"complaint": complaint.id}
    )
    audit.record(
        actor_id=actor_id,
        action="complaint.resolve",
        subject_type="order",
        subject_id=order.id,
        data={"complaint_id": complaint.id},
    )
    notifications.notify(
        complaint.resident_id,
        "complaint_resolved",
        lambda: (
            _("Your complaint about order %(id)s was answered", id=order.id),
            complaint.resolution,
        ),
        link=f"/shop/orders/{order.id}",
    )
    db.session().flush()
    return complaint


def complaints_of(order_id: int) -> list[Complaint]:
    """The order's complaints, oldest first."""
    return list(
        db.session().exec(
            select(Complaint).where(Complaint.order_id == order_id).order_by(Complaint.id)
        )
    )


def open_complaints(*, limit: int = 100) -> list[Complaint]:
    """Complaints waiting for the operator, oldest first."""
    return list(
        db.session().exec(
            select(Complaint).where(Complaint.status == "open").order_by(Complaint.id).limit(limit)
        )
    )
