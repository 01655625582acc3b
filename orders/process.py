"""The order process as data, on the kernel's engine.

Which action moves which status to which, and who may act.
"""

from __future__ import annotations

from flask_babel import gettext as _

from orders.models import DemandEvent, OrderEvent
from shop.core.errors import Invalid
from shop.core.process import Context, Process, Transition, register, step


def _t(source: str, action: str, target: str, *actors: str) -> Transition:
    return step(source, action, target, " ".join(actors))


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


ORDER = register(
    Process(
        name="order",
        transitions=TRANSITIONS,
        event=OrderEvent,
        subject_column="order_id",
        refused_code="transition_not_allowed",
        refused=lambda status, action: _(
            "An order in status %(status)s cannot be given %(action)s.",
            status=status,
            action=action,
        ),
        forbidden=lambda: _("You may not do this to an order."),
    )
)


#: A demand (grouped requests of one compound): the operator answers, declines or batches it.
DEMAND_TRANSITIONS: tuple[Transition, ...] = (
    _t("", "open", "open", "resident"),
    _t("open", "answer", "answered", "operator"),
    step("open", "decline", "declined", "operator", guards=("reason_given",)),
    _t("open", "batch", "batched", "operator"),
)


def _reason_given(_demand: object, ctx: Context) -> None:
    if len(ctx.reason.strip()) < 2:
        raise Invalid(
            _("Say why the demand is declined."),
            fields={"reason": [_("Say why the demand is declined.")]},
        )


DEMAND = register(
    Process(
        name="demand",
        transitions=DEMAND_TRANSITIONS,
        event=DemandEvent,
        subject_column="demand_id",
        refused_code="transition_not_allowed",
        refused=lambda status, action: _(
            "A demand in status %(status)s cannot be given %(action)s.",
            status=status,
            action=action,
        ),
        forbidden=lambda: _("You may not do this to a demand."),
        guards={"reason_given": _reason_given},
    )
)
