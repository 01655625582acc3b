"""Human words for staff roles, tasks and their steps, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAFF_ROLE = {
    "butler": _l("Butler"),
    "guard": _l("Guard"),
    "cleaner": _l("Cleaner"),
    "technician": _l("Technician"),
}


def staff_role_label(role: str) -> str:
    """The translated name of a staff role."""
    return str(STAFF_ROLE.get(role, role))


TASK_KIND = {
    "deliver": _l("Deliver to the door"),
    "pickup": _l("Hand over at the service centre"),
    "service": _l("Home service"),
}
TASK_STATUS = {
    "open": _l("Waiting"),
    "assigned": _l("Assigned"),
    "accepted": _l("Accepted"),
    "picked_up": _l("Picked up"),
    "arrived": _l("Arrived"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}
#: The words on the big button of each step.
ACTION = {
    "accept": _l("Accept"),
    "claim": _l("Claim"),
    "pick_up": _l("Picked up"),
    "arrive": _l("Arrived"),
    "deliver": _l("Delivered"),
    "finish": _l("Service done"),
    "fail": _l("Could not do it"),
}


def task_kind_label(kind: str) -> str:
    """The translated name of a kind of task."""
    return str(TASK_KIND.get(kind, kind))


def task_status_label(status: str) -> str:
    """The translated name of a task status."""
    return str(TASK_STATUS.get(status, status))


def action_label(action: str) -> str:
    """The translated words of a step's button."""
    return str(ACTION.get(action, action))


LEVEL = {
    "new": _l("Newcomer"),
    "skilled": _l("Skilled"),
    "expert": _l("Expert"),
    "star": _l("Star"),
}
BADGE = {"on_time": _l("Every promise kept"), "hundred": _l("A hundred pieces")}
POSTING = {
    "credit": _l("Commission"),
    "release": _l("Now available"),
    "reverse": _l("Clawed back (refund)"),
    "withdraw": _l("Withdrawal requested"),
    "return": _l("Withdrawal returned"),
    "payout": _l("Paid out"),
}


def level_label(level: str) -> str:
    """The translated name of a level."""
    return str(LEVEL.get(level, level))


def badge_label(badge: str) -> str:
    """The translated name of a badge."""
    return str(BADGE.get(badge, badge))


def posting_label(kind: str) -> str:
    """The translated name of a movement in the wallet."""
    return str(POSTING.get(kind, kind))


WITHDRAWAL = {
    "requested": _l("Waiting for approval"),
    "approved": _l("Approved, in the next payroll"),
    "rejected": _l("Rejected"),
    "paid": _l("Paid"),
}
CREDIT = {
    "pending": _l("After-sale window running"),
    "available": _l("Available"),
    "reversed": _l("Clawed back"),
}
ROLE = {"deliverer": _l("Delivery"), "performer": _l("Service"), "referrer": _l("Referral")}


def withdrawal_status_label(status: str) -> str:
    """The translated status of a withdrawal."""
    return str(WITHDRAWAL.get(status, status))


def credit_status_label(status: str) -> str:
    """The translated status of a commission."""
    return str(CREDIT.get(status, status))


def role_label(role: str) -> str:
    """The translated name of a commission role."""
    return str(ROLE.get(role, role))
