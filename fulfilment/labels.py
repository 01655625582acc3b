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
