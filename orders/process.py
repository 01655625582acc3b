"""The order process as data: which action moves which status to which, and who may act."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    """One allowed step of an order."""

    source: str
    action: str
    target: str
    actors: frozenset[str]


def _t(source: str, action: str, target: str, *actors: str) -> Transition:
    return Transition(source, action, target, frozenset(actors))


TRANSITIONS: tuple[Transition, ...] = (
    _t("", "place", "pending_payment", "resident"),
    _t("pending_payment", "pay", "paid", "system"),
    _t("pending_payment", "expire", "cancelled", "system"),
    _t("pending_payment", "cancel", "cancelled", "resident", "operator"),
    _t("paid", "accept", "accepted", "staff", "operator", "system"),
    _t("paid", "cancel", "cancelled", "resident", "operator"),
    _t("accepted", "cancel", "cancelled", "resident", "operator"),
    _t("accepted", "start", "in_progress", "staff", "operator"),
    _t("in_progress", "deliver", "delivered", "staff", "operator"),
    _t("delivered", "complete", "completed", "resident", "system", "operator"),
    _t("paid", "refund", "refunded", "operator", "system"),
    _t("accepted", "refund", "refunded", "operator", "system"),
    _t("in_progress", "refund", "refunded", "operator", "system"),
    _t("delivered", "refund", "refunded", "operator", "system"),
    _t("completed", "refund", "refunded", "operator", "system"),
    # Part of the money back while the order is still being served changes no status (the
    # order page shows paid, refunded and net); after completion it marks the order.
    _t("completed", "refund_part", "partially_refunded", "operator", "system"),
    _t("partially_refunded", "refund", "refunded", "operator", "system"),
)
#: Until dispatch (in_progress), a resident may cancel; a paid order is then refunded.
CANCELLABLE = frozenset({"pending_payment", "paid", "accepted"})
#: Orders that hold stock and capacity, and count towards a supplier's open orders.
OPEN = frozenset({"pending_payment", "paid", "accepted", "in_progress"})


def find_transition(status: str, action: str) -> Transition | None:
    """The transition for `action` from `status`, or None."""
    return next((t for t in TRANSITIONS if t.source == status and t.action == action), None)
