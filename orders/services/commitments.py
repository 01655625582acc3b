"""The commitment of a paid order: its promises snapshotted from the policy, and read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlmodel import select

from orders import rules
from orders.models import (
    CommitmentNode,
    Compensation,
    CustomBatch,
    DeliveryWindow,
    Order,
    OrderComponent,
    OrderLine,
    Pledge,
)
from shop.core import accounts, db


def _window(order: Order) -> tuple[datetime, datetime] | None:
    if order.window_id is not None:
        window = db.session().get(DeliveryWindow, order.window_id)
        return db.aware(window.starts_at), db.aware(window.ends_at)
    if order.slot_starts_at is not None:
        start = db.aware(order.slot_starts_at)
        grace = timedelta(minutes=int(current_app.config["ORDER_ARRIVAL_GRACE_MINUTES"]))
        return start, start + grace
    return made_to_order_day(order)


def made_to_order_day(order: Order) -> tuple[datetime, datetime] | None:
    """A custom batch's order: its delivery day (None for any other order)."""
    pledge = db.session().exec(select(Pledge).where(Pledge.order_id == order.id)).first()
    if pledge is None:
        return None
    return batch_delivery(db.session().get(CustomBatch, pledge.batch_id), order.community_id)


def batch_delivery(batch: CustomBatch, community_id: int) -> tuple[datetime, datetime]:
    """A batch's delivery day in the compound's time: from the first window to the last."""
    windows = current_app.config["ORDER_DELIVERY_WINDOWS"]
    tz = ZoneInfo(accounts.community_timezone(community_id))
    opens = time.fromisoformat(windows[0].split("-")[0])
    closes = time.fromisoformat(windows[-1].split("-")[1])
    day = batch.delivery_date
    return datetime.combine(day, opens, tz), datetime.combine(day, closes, tz)


def decision_node(batch: CustomBatch) -> dict[str, Any]:
    """The batch's own promise on each of its orders: the threshold decided by the deadline."""
    grace = timedelta(minutes=int(current_app.config["BATCH_DECISION_GRACE_MINUTES"]))
    return {
        "kind": "decide",
        "due_by": (db.aware(batch.deadline) + grace).isoformat(),
        "compensation": {
            "type": "coupon",
            "amount_minor": int(current_app.config["BATCH_LATE_DECISION_CREDIT_MINOR"]),
        },
    }


def snapshot(order: Order) -> list[CommitmentNode]:
    """Turn each line's policy into this order's promises (once; called when it is paid)."""
    s = db.session()
    if s.exec(select(CommitmentNode.id).where(CommitmentNode.order_id == order.id)).first():
        return []
    timezone = accounts.community_timezone(order.community_id)
    window = _window(order)
    made = []
    for line in s.exec(select(OrderLine).where(OrderLine.order_id == order.id)):
        durations = s.exec(
            select(OrderComponent.duration_minutes).where(OrderComponent.line_id == line.id)
        ).all()
        promises = rules.promises_for(
            line.policy_nodes,
            paid_at=db.aware(order.paid_at or db.utcnow()),
            window=window,
            service_minutes=max((d or 0 for d in durations), default=0),
            timezone=timezone,
        )
        for p in promises:
            node = CommitmentNode(
                order_id=order.id,
                line_id=line.id,
                kind=p.kind,
                due_from=p.due_from,
                due_by=p.due_by,
                checklist=list(p.checklist),
                requires_confirmation=p.requires_confirmation,
                compensation=dict(p.compensation),
            )
            s.add(node)
            made.append(node)
    s.flush()
    return made


@dataclass(frozen=True)
class NodeView:
    """A promise side by side with what happened."""

    id: int
    kind: str
    due_from: datetime | None
    due_by: datetime | None
    actual_at: datetime | None
    status: str
    compensation_minor: int
    checklist: tuple[str, ...]
    #: What the miss actually paid, and how ("refund" or "credit"); 0 and "" otherwise.
    compensation_paid_minor: int = 0
    compensation_method: str = ""
    waived_reason: str = ""
    #: What staff answered for a standard: the items ticked, and those not applicable (why).
    ticked: tuple[str, ...] = ()
    not_applicable: tuple[tuple[str, str], ...] = ()
    #: How the resident agreed to an early step ("app" or "code"), or "".
    early_agreed: str = ""


def nodes_of(order: Order) -> list[NodeView]:
    """The order's promises; a pending one whose deadline passed reads as missed."""
    rows = (
        db.session()
        .exec(
            select(CommitmentNode)
            .where(CommitmentNode.order_id == order.id)
            .order_by(CommitmentNode.id)
        )
        .all()
    )
    now = db.utcnow()
    paid = {
        c.node_id: c
        for c in db.session().exec(select(Compensation).where(Compensation.order_id == order.id))
    }
    views = []
    for n in rows:
        status = n.status
        if status == "pending":
            promise = rules.Promise(
                n.kind,
                n.due_from and db.aware(n.due_from),
                n.due_by and db.aware(n.due_by),
                n.compensation,
                tuple(n.checklist),
                n.requires_confirmation,
            )
            status = rules.judge(promise, actual_at=None, now=now)
        comp = paid.get(n.id)
        views.append(
            NodeView(
                n.id,
                n.kind,
                n.due_from and db.aware(n.due_from),
                n.due_by and db.aware(n.due_by),
                n.actual_at and db.aware(n.actual_at),
                status,
                rules.compensation_minor(n.compensation, order.total_minor),
                tuple(n.checklist),
                comp.amount_minor if comp else 0,
                comp.method if comp else "",
                n.waived_reason,
                tuple(n.evidence.get("checklist", ())),
                tuple((n.evidence.get("not_applicable") or {}).items()),
                str(n.evidence.get("early_agreed", "")),
            )
        )
    return views
