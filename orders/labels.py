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
