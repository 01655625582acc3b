"""The order process as data, on the kernel's engine.

Which action moves which status to which, and who may act.
"""

from __future__ import annotations

from flask_babel import gettext as _

from orders.models import BatchEvent, DemandEvent, OrderEvent, PledgeEvent
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


#: A custom batch: decided at its deadline by the system; cancelled before by the operator.
BATCH_TRANSITIONS: tuple[Transition, ...] = (
    _t("", "create", "open", "operator"),
    _t("open", "reach", "reached", "system"),
    _t("open", "fail", "failed", "system"),
    _t("reached", "capture", "captured", "system"),
    _t("captured", "order", "ordered", "system"),
    _t("failed", "release", "released", "system"),
    step("open", "cancel", "cancelled", "operator", guards=("reason_given",)),
)


def _cancel_reason(_batch: object, ctx: Context) -> None:
    if len(ctx.reason.strip()) < 2:
        raise Invalid(
            _("Say why the batch is cancelled."),
            fields={"reason": [_("Say why the batch is cancelled.")]},
        )


BATCH = register(
    Process(
        name="batch",
        transitions=BATCH_TRANSITIONS,
        event=BatchEvent,
        subject_column="batch_id",
        refused_code="transition_not_allowed",
        refused=lambda status, action: _(
            "A batch in status %(status)s cannot be given %(action)s.",
            status=status,
            action=action,
        ),
        forbidden=lambda: _("You may not do this to a batch."),
        guards={"reason_given": _cancel_reason},
    )
)

#: A pledge: the card is held or saved; at the deadline it is captured (or charged) and
#: becomes an order, or it is released; a declined charge may be fixed until `fix_by`.
PLEDGE_TRANSITIONS: tuple[Transition, ...] = (
    _t("", "pledge", "pending_card", "resident"),
    _t("pending_card", "hold", "held", "system"),
    _t("pending_card", "save", "saved", "system"),
    _t("held", "capture", "captured", "system"),
    _t("saved", "charge", "captured", "system"),
    _t("saved", "decline", "charge_failed", "system"),
    _t("charge_failed", "charge", "captured", "resident"),
    _t("charge_failed", "decline", "charge_failed", "resident"),
    _t("charge_failed", "drop", "released", "system"),
    _t("captured", "order", "ordered", "system"),
    _t("pending_card", "release", "released", "system"),
    _t("held", "release", "released", "system"),
    _t("saved", "release", "released", "system"),
    _t("pending_card", "withdraw", "withdrawn", "resident"),
    _t("held", "withdraw", "withdrawn", "resident"),
    _t("saved", "withdraw", "withdrawn", "resident"),
)
#: Pledges whose card is in hand and that count towards the batch (unless waiting).
SECURED = frozenset({"held", "saved"})
#: Pledges still to be decided: they take a place under the cap.
LIVE = frozenset({"pending_card", "held", "saved"})

PLEDGE = register(
    Process(
        name="pledge",
        transitions=PLEDGE_TRANSITIONS,
        event=PledgeEvent,
        subject_column="pledge_id",
        refused_code="transition_not_allowed",
        refused=lambda status, action: _(
            "A pledge in status %(status)s cannot be given %(action)s.",
            status=status,
            action=action,
        ),
        forbidden=lambda: _("You may not do this to a pledge."),
    )
)
