"""Human words for order states, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "pending_payment": _l("Waiting for payment"),
    "paid": _l("Paid"),
    "accepted": _l("Accepted"),
    "in_progress": _l("On its way"),
    "delivered": _l("Delivered"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"),
    "partially_refunded": _l("Partly refunded"),
}


NODE = {
    "accept": _l("Accepted by"),
    "deliver_window": _l("Delivered within"),
    "arrive_window": _l("Arrive within"),
    "complete": _l("Finished by"),
    "standard": _l("Done to standard"),
    "decide": _l("Threshold decided by the deadline"),
    "arrive": _l("On the spot by"),  # a service request's (fulfilment.services.touchpoints)
}
VERDICT = {
    "pending": _l("Pending"),
    "met": _l("Kept"),
    "missed": _l("Missed"),
    "waived": _l("Waived"),
}


EVENT = {
    "milestone_accepted": _l("Staff accepted"),
    "milestone_picked_up": _l("Picked up"),
    "milestone_arrived": _l("Staff arrived"),
    "milestone_delivered": _l("Staff delivered"),
    "milestone_done": _l("Service done"),
    "milestone_failed": _l("Could not be done"),
    "promise_missed": _l("A promise was missed"),
    "promise_waived": _l("A promise was waived"),
    "complaint": _l("Complaint received"),
    "complaint_resolved": _l("Complaint answered"),
    "early_requested": _l("Staff asked to come early"),
    "early_accepted": _l("You agreed to an early visit"),
}


def event_label(action: str, to_status: str) -> str:
    """The translated name of a step of the timeline (a status change, or what happened)."""
    return str(EVENT[action]) if action in EVENT else order_status_label(to_status)


ACTOR = {
    "resident": _l("Resident"),
    "staff": _l("Staff"),
    "manager": _l("Project manager"),
    "operator": _l("Operator"),
    "system": _l("System"),
}


def actor_label(role: str) -> str:
    """Who took a step of the timeline, in the reader's language."""
    return str(ACTOR.get(role, role))


def node_label(kind: str) -> str:
    """The translated name of a promise."""
    return str(NODE.get(kind, kind))


def verdict_label(status: str) -> str:
    """The translated verdict of a promise."""
    return str(VERDICT.get(status, status))


def order_status_label(status: str) -> str:
    """The translated name of an order status."""
    return str(STATUS.get(status, status))


DEMAND_STATUS = {
    "open": _l("Waiting for an answer"),
    "answered": _l("On sale now"),
    "declined": _l("Not possible for now"),
    "batched": _l("A custom batch is open"),
}
FREQUENCY = {"once": _l("Once"), "weekly": _l("Every week"), "monthly": _l("Every month")}


def demand_status_label(status: str) -> str:
    """What became of a demand, in the reader's language."""
    return str(DEMAND_STATUS.get(status, status))


def frequency_label(frequency: str) -> str:
    """How often a household wants it."""
    return str(FREQUENCY.get(frequency, frequency))


PATTERN = {
    "smooth": _l("Smooth"),
    "erratic": _l("Erratic"),
    "intermittent": _l("Intermittent"),
    "lumpy": _l("Lumpy"),
    "dying": _l("Dying out"),
    "empty": _l("No demand"),
}


def pattern_label(pattern: str) -> str:
    """A series' demand pattern (Syntetos–Boylan), in the reader's language."""
    return str(PATTERN.get(pattern, pattern))


BATCH_STATUS = {
    "open": _l("Open for pledges"),
    "reached": _l("Reached: being made"),
    "failed": _l("Not reached"),
    "captured": _l("Paid: being made"),
    "ordered": _l("Made to order"),
    "released": _l("Not reached: nothing charged"),
    "cancelled": _l("Called off"),
}
PLEDGE_STATUS = {
    "pending_card": _l("Confirming your card"),
    "held": _l("Amount held on your card"),
    "saved": _l("Card saved, charged if made"),
    "charge_failed": _l("Card declined: give another"),
    "captured": _l("Paid"),
    "ordered": _l("Ordered"),
    "released": _l("Released, nothing charged"),
    "withdrawn": _l("Withdrawn"),
}
#: Why a pledge was released, in the resident's words.
PLEDGE_REASON = {
    "batch_failed": _l("The batch did not reach its minimum by the deadline."),
    "compound_not_made": _l("Your compound did not reach its own minimum."),
    "waiting_list": _l("The batch was full; your place on the waiting list did not come."),
    "card_not_confirmed": _l("The card was never confirmed."),
    "batch_cancelled": _l("The batch was called off."),
    "not_paid_in_time": _l("The declined charge was not fixed in time."),
    "hold_lapsed": _l("The hold on the card had lapsed."),
    "withdrawn": _l("You withdrew it."),
}


def batch_status_label(status: str) -> str:
    """Where a custom batch stands, in the reader's language."""
    return str(BATCH_STATUS.get(status, status))


def pledge_status_label(status: str) -> str:
    """Where a pledge stands, in the resident's language."""
    return str(PLEDGE_STATUS.get(status, status))


def pledge_reason_label(reason: str) -> str:
    """Why a pledge was released, in the resident's language ("" when it was not)."""
    return str(PLEDGE_REASON[reason]) if reason in PLEDGE_REASON else ""
