"""What staff record decides the promises: milestones, the deadline timer, compensation, waivers.

Fulfilment reports each step with `record_milestone`; the nodes it concerns are judged from
the recorded time and evidence (the first record of a node counts; later ones are kept as
evidence only). A periodic sweep warns the assigned staff and their manager before a deadline
and marks a node missed once its deadline has passed with nothing recorded. A missed node pays
its compensation exactly once: the unique node id of `Compensation` makes a second payment
impossible, whichever job or request gets there first.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlmodel import func, select

from orders import labels, process, rules, signals
from orders.errors import (
    AlreadyJudged,
    ChecklistIncomplete,
    OrderNotRunning,
    OutsideWindow,
    WrongConfirmationCode,
)
from orders.models import CommitmentNode, Compensation, CustomBatch, Order, Pledge
from orders.services import checkout, credits, payments
from shop.core import accounts, audit, db, jobs, notifications
from shop.core.errors import Invalid, NotFound
from shop.core.money import Money

MILESTONES = ("accepted", "picked_up", "arrived", "delivered", "done", "failed")
#: The milestone that decides each kind of node (the first of them recorded counts).
DECIDED_BY: Mapping[str, tuple[str, ...]] = {
    "accept": ("accepted",),
    "deliver_window": ("delivered",),
    "arrive_window": ("arrived",),
    "complete": ("done", "delivered"),
    "standard": ("done", "delivered"),
}
#: The order's process steps a milestone implies, taken in turn where the table allows them.
ORDER_STEPS: Mapping[str, tuple[str, ...]] = {
    "accepted": ("accept",),
    "picked_up": ("accept", "start"),
    "arrived": ("accept", "start"),
    "delivered": ("accept", "start", "deliver"),
    "done": ("accept", "start", "deliver"),
    "failed": (),
}
#: Orders whose promises still run (a cancelled or refunded order promises nothing more).
RUNNING = frozenset({"paid", "accepted", "in_progress", "delivered"})
MISS_JOB = "orders.jobs.miss_node"
WARN_JOB = "orders.jobs.warn_node"
_ASSIGNEES = "orders.assignee_sources"
#: Called with (order id, building id); returns the user ids to warn about the order.
AssigneeSource = Callable[[int, int], list[int]]


def _promise(node: CommitmentNode) -> rules.Promise:
    return rules.Promise(
        node.kind,
        node.due_from and db.aware(node.due_from),
        node.due_by and db.aware(node.due_by),
        node.compensation,
        tuple(node.checklist),
        node.requires_confirmation,
    )


def _nodes(order_id: int, *, lock: bool = False) -> list[CommitmentNode]:
    stmt = select(CommitmentNode).where(CommitmentNode.order_id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    return list(db.session().exec(stmt.order_by(CommitmentNode.id)))


def record_milestone(
    order_id: int,
    kind: str,
    at: datetime,
    actor_id: int | None,
    evidence: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Record what happened to a paid order and judge the promises it decides.

    `evidence` may hold `checklist` (the items done), `confirmation_code` (the resident's
    6-digit code: a wrong one raises `WrongConfirmationCode` and records
    nothing; the code itself is never stored), `photo`, `note`, `reason`. Returns the verdict
    of each node, by node kind. Raises Invalid (unknown kind), NotFound, DomainError
    (`order_not_running`).
    """
    if kind not in MILESTONES:
        raise Invalid(_("Unknown milestone."), fields={"kind": [_("Unknown milestone.")]})
    order = db.session().get(Order, order_id, with_for_update=True)
    if order is None:
        raise NotFound(_("No such order."))
    if order.status not in RUNNING:
        raise OrderNotRunning(_("This order is no longer being served."))
    kept = _check_evidence(order, dict(evidence or {}))
    at = db.aware(at)
    deciding = [
        n
        for n in _nodes(order.id, lock=True)
        if kind in DECIDED_BY.get(n.kind, ()) and n.actual_at is None
    ]
    _check_fair(order, deciding, at, kept)  # refuses before anything changes
    for action in ORDER_STEPS[kind]:
        if process.ORDER.find(order.status, action) is not None:
            checkout.apply_transition(order, action, "staff", actor_id, {"milestone": kind})
    if kind in ("delivered", "done") and order.delivered_at is None:
        order.delivered_at = at
    checkout.record(
        order, f"milestone_{kind}", "staff", actor_id, data={"at": at.isoformat(), **kept}
    )
    verdicts = {}
    now = db.utcnow()
    for node in deciding:
        node.actual_at, node.evidence = at, {"milestone": kind, "actor_id": actor_id, **kept}
        if node.status == "pending":
            _judge(node, order, at, kept, now)
        verdicts[node.kind] = node.status
    db.session().flush()
    return verdicts


def _judge(
    node: CommitmentNode, order: Order, at: datetime, kept: Mapping[str, Any], now: datetime
) -> None:
    """Judge one pending promise by what was recorded: met, or missed (and compensated)."""
    verdict = rules.judge(
        _promise(node),
        actual_at=at,
        checked=kept.get("checklist", ()),
        not_applicable=kept.get("not_applicable", {}),
        confirmed=bool(kept.get("confirmed")),
        early_agreed=bool(kept.get("early_agreed")),
        now=now,
    )
    if verdict == "met":
        node.status, node.judged_at = "met", now
    elif verdict == "missed":
        _miss(node, order)


def judge_decision(order_id: int, **_kwargs: Any) -> None:
    """order_paid: judge a batch order's promise "decided by the deadline" at once.

    Met when the deadline job decided in time; missed (and compensated) when it ran late.
    """
    s = db.session()
    node = s.exec(
        select(CommitmentNode).where(
            CommitmentNode.order_id == order_id,
            CommitmentNode.kind == "decide",
            CommitmentNode.actual_at.is_(None),
        )
    ).first()
    pledge = s.exec(select(Pledge).where(Pledge.order_id == order_id)).first()
    if node is None or pledge is None:
        return
    at = db.aware(s.get(CustomBatch, pledge.batch_id).decided_at)
    node.actual_at, node.evidence = at, {"batch_id": pledge.batch_id, "decided_at": at.isoformat()}
    _judge(node, s.get(Order, order_id), at, {}, db.utcnow())
    s.flush()


def _check_evidence(order: Order, evidence: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    code = evidence.pop("confirmation_code", None)
    if code is not None:
        if not hmac.compare_digest(str(code), order.confirmation_code):
            raise WrongConfirmationCode(_("The confirmation code is not right."))
        kept["confirmed"] = True
    checklist = evidence.pop("checklist", None)
    if checklist:
        kept["checklist"] = [str(item)[:80] for item in checklist][:30]
    not_applicable = {
        str(item)[:80]: str(why).strip()[:120]
        for item, why in dict(evidence.pop("not_applicable", None) or {}).items()
        if str(why).strip()
    }
    if not_applicable:
        kept["not_applicable"] = dict(list(not_applicable.items())[:30])
    if evidence.pop("early_agreed", False):
        kept["early_agreed"] = True
    for key in ("photo", "note", "reason"):
        if evidence.get(key):
            kept[key] = str(evidence[key])[:300]
    return kept


WINDOW_KINDS = frozenset({"deliver_window", "arrive_window"})


def _check_fair(
    order: Order, nodes: Sequence[CommitmentNode], at: datetime, kept: dict[str, Any]
) -> None:
    """Refuse a step that would break a promise unfairly; note the resident's consent.

    Before the resident's window the step needs their agreement: accepted in the app, or
    given at the door with their confirmation code. A standard needs every checklist item
    ticked or marked not applicable with a reason.
    """
    for node in nodes:
        if node.status != "pending":
            continue
        promise = _promise(node)
        if node.kind in WINDOW_KINDS and rules.is_early(promise, at):
            if order.early_accepted_at is not None:
                kept["early_agreed"] = "app"
            elif kept.get("early_agreed") and kept.get("confirmed"):
                kept["early_agreed"] = "code"
            else:
                tz = ZoneInfo(accounts.community_timezone(order.community_id))
                raise OutsideWindow(
                    _(
                        "This is before the resident's window (from %(start)s). Ask the"
                        " resident to agree: their code with 'resident agrees', or their"
                        " acceptance in the app.",
                        start=promise.due_from.astimezone(tz).strftime("%H:%M"),
                    ),
                )
        if node.kind == "standard":
            missing = rules.unanswered(
                promise.checklist, kept.get("checklist", ()), kept.get("not_applicable", {})
            )
            if missing:
                message = _(
                    "Tick each item of the standard or mark it not applicable with a reason:"
                    " %(items)s",
                    items="、".join(missing),
                )
                raise ChecklistIncomplete(message, fields={"checklist": [message]})
    if kept.get("early_agreed") is True:
        kept.pop("early_agreed")  # only consent that was needed and proven is kept


def accept_early(*, order_id: int, resident_id: int) -> Order:
    """The resident agrees that staff may deliver or arrive before the chosen window."""
    order = db.session().get(Order, order_id, with_for_update=True)
    if order is None or order.resident_id != resident_id:
        raise NotFound(_("No such order."))
    if order.status not in RUNNING or order.delivered_at is not None:
        raise OrderNotRunning(_("This order is no longer being served."))
    if order.early_accepted_at is None:
        order.early_accepted_at = db.utcnow()
        checkout.record(order, "early_accepted", "resident", resident_id)
        for user_id in people_on(order):
            notifications.notify(
                user_id,
                "early_accepted",
                lambda: (
                    _("Order %(id)s: the resident agrees to an early visit", id=order.id),
                    order.address,
                ),
                dedupe_key=f"early-accepted-{order.id}-{user_id}",
            )
    db.session().flush()
    return order


def ask_early(*, order_id: int, actor_id: int) -> None:
    """Staff ask the resident, in the app, whether they may come before the window (once)."""
    order = db.session().get(Order, order_id)
    if order is None:
        raise NotFound(_("No such order."))
    if order.status not in RUNNING or order.early_accepted_at is not None:
        return
    checkout.record(order, "early_requested", "staff", actor_id)
    notifications.notify(
        order.resident_id,
        "early_requested",
        lambda: (
            _("Order %(id)s: may we come earlier?", id=order.id),
            _("Our staff can come before your chosen window. Agree on the order page."),
        ),
        link=f"/shop/orders/{order.id}",
        dedupe_key=f"early-requested-{order.id}",
    )


def _miss(node: CommitmentNode, order: Order) -> None:
    """Mark the node missed, pay its compensation once, tell the resident and the layers above."""
    node.status, node.judged_at = "missed", db.utcnow()
    paid = _compensate(node, order)
    checkout.record(
        order,
        "promise_missed",
        "system",
        None,
        data={"node": node.kind, "compensation_minor": paid},
    )
    signals.commitment_missed.send(order.id, node_id=node.id, compensation_minor=paid)
    money = Money(paid, order.currency).format()
    notifications.notify(
        order.resident_id,
        "promise_missed",
        lambda: (
            _("We missed a promise on order %(id)s", id=order.id),
            _("%(node)s was not kept.", node=labels.node_label(node.kind))
            + (" " + _("We have compensated you %(money)s.", money=money) if paid else ""),
        ),
        link=f"/shop/orders/{order.id}",
    )


def _compensate(node: CommitmentNode, order: Order) -> int:
    """Pay what the node's policy promises (refund or credit); 0 if it was already paid."""
    amount = rules.compensation_minor(node.compensation, order.total_minor)
    s = db.session()
    method = "credit" if node.compensation.get("type") == "coupon" else "refund"
    payment = payments.paid_payment(order.id)
    if method == "refund":
        left = payment.amount_minor - payments.refunded_minor(order.id) if payment else 0
        if left <= 0:  # paid with credit: the compensation goes back to the credit
            method = "credit"
        else:
            amount = min(amount, left)
    if amount <= 0:
        return 0
    row = Compensation(node_id=node.id, order_id=order.id, method=method, amount_minor=amount)
    if not db.add_once(row):  # another transaction compensated this node first
        return 0
    if method == "credit":
        credits.compensate(order, node.id, node.kind, amount)
    else:
        refund = payments.request_refund(
            order=order,
            payment=payment,
            amount_minor=amount,
            reason=f"promise missed: {node.kind}",
            actor_id=None,
        )
        row.refund_id = refund.id
    s.flush()
    return amount


def miss_if_overdue(node_id: int) -> bool:
    """Mark a pending node missed if its deadline has passed with nothing recorded (idempotent)."""
    s = db.session()
    found = s.get(CommitmentNode, node_id)
    if found is None:
        return False
    order = s.get(Order, found.order_id, with_for_update=True)  # the order first, then its node
    node = s.get(CommitmentNode, node_id, with_for_update=True, populate_existing=True)
    if node.status != "pending" or node.actual_at is not None or order.status not in RUNNING:
        return False
    if rules.judge(_promise(node), actual_at=None, now=db.utcnow()) != "missed":
        return False
    _miss(node, order)
    return True


def register_assignee_source(app: Flask, source: AssigneeSource) -> None:
    """Let the layer that assigns work say whom to warn about an order's deadlines."""
    app.extensions.setdefault(_ASSIGNEES, []).append(source)


def people_on(order: Order) -> list[int]:
    """The staff member working on the order and their manager, as fulfilment says."""
    people: list[int] = []
    for source in current_app.extensions.get(_ASSIGNEES, []):
        people += [u for u in source(order.id, order.building_id) if u not in people]
    return people


def warn(node_id: int) -> list[int]:
    """Warn the assigned staff and their manager that a deadline is near (once per node).

    With nobody assigned, the operators are warned. Returns the user ids warned.
    """
    s = db.session()
    node = s.get(CommitmentNode, node_id, with_for_update=True)
    if node is None or node.status != "pending" or node.warned_at is not None:
        return []
    order = s.get(Order, node.order_id)
    if order.status not in RUNNING:
        return []
    people = people_on(order) or accounts.user_ids_with_role("operator")
    node.warned_at = db.utcnow()
    due = db.aware(node.due_by).astimezone(
        ZoneInfo(accounts.community_timezone(order.community_id))
    )
    for user_id in people:
        notifications.notify(
            user_id,
            "deadline_near",
            lambda: (
                _("Order %(id)s: a promise is due soon", id=order.id),
                _(
                    "%(node)s %(due)s, %(address)s",
                    node=labels.node_label(node.kind),
                    due=due.strftime("%H:%M"),
                    address=order.address,
                ),
            ),
            dedupe_key=f"warn-node-{node.id}-user-{user_id}",
        )
    return people


def due_for_sweep() -> tuple[list[int], list[int]]:
    """Pending nodes of running orders: (overdue, due within the warning time and not warned)."""
    now = db.utcnow()
    soon = now + timedelta(minutes=int(current_app.config["ORDER_WARN_MINUTES"]))
    base = (
        select(CommitmentNode.id, CommitmentNode.due_by, CommitmentNode.warned_at)
        .join(Order, Order.id == CommitmentNode.order_id)
        .where(
            CommitmentNode.status == "pending",
            CommitmentNode.actual_at.is_(None),
            CommitmentNode.due_by.is_not(None),
            CommitmentNode.due_by <= soon,
            Order.status.in_(RUNNING),
        )
        .order_by(CommitmentNode.due_by)
        .limit(1000)
    )
    overdue, warn_ids = [], []
    for node_id, due_by, warned_at in db.session().exec(base):
        if db.aware(due_by) < now:
            overdue.append(node_id)
        elif warned_at is None:
            warn_ids.append(node_id)
    return overdue, warn_ids


def sweep() -> int:
    """Send a job for each node to mark missed or to warn about; returns how many."""
    overdue, warn_ids = due_for_sweep()
    return jobs.enqueue_each(MISS_JOB, overdue) + jobs.enqueue_each(WARN_JOB, warn_ids)


def waive(*, order_id: int, node_id: int, actor_id: int, reason: str) -> CommitmentNode:
    """The operator lets a pending promise go (e.g. the resident asked for a later time)."""
    s = db.session()
    node = s.get(CommitmentNode, node_id, with_for_update=True)
    if node is None or node.order_id != order_id:
        raise NotFound(_("No such promise."))
    if len(reason.strip()) < 2:
        raise Invalid(_("Say why."), fields={"reason": [_("Say why.")]})
    if node.status != "pending":
        raise AlreadyJudged(
            _("This promise has already been judged: %(verdict)s.", verdict=node.status),
        )
    node.status, node.judged_at = "waived", db.utcnow()
    node.waived_reason, node.waived_by = reason.strip()[:200], actor_id
    order = s.get(Order, order_id)
    checkout.record(order, "promise_waived", "operator", actor_id, data={"node": node.kind})
    audit.record(
        actor_id=actor_id,
        action="promise.waive",
        subject_type="order",
        subject_id=order_id,
        data={"node_id": node.id, "reason": node.waived_reason},
    )
    s.flush()
    return node


def compensations(order_id: int) -> dict[int, Compensation]:
    """What each missed node of the order paid, by node id."""
    rows = db.session().exec(select(Compensation).where(Compensation.order_id == order_id))
    return {row.node_id: row for row in rows}


def promise_counts(order_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(met, judged) promises of each order, by order id."""
    if not order_ids:
        return {}
    rows = db.session().exec(
        select(CommitmentNode.order_id, CommitmentNode.status, func.count())
        .where(
            CommitmentNode.order_id.in_(list(order_ids)),
            CommitmentNode.status.in_(("met", "missed")),
        )
        .group_by(CommitmentNode.order_id, CommitmentNode.status)
    )
    counts: dict[int, tuple[int, int]] = {}
    for order_id, status, n in rows:
        met, judged = counts.get(order_id, (0, 0))
        counts[order_id] = (met + (n if status == "met" else 0), judged + n)
    return counts
