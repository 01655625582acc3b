"""Human words for staff roles, tasks and their steps, in the user's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

STAFF_ROLE = {
    "butler": _l("Butler"),
    "guard": _l("Guard"),
    "cleaner": _l("Cleaner"),
    "technician": _l("Technician"),
}


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

REQUEST_KIND = {"report": _l("Report a problem"), "booking": _l("Book a visit")}
REQUEST_STATUS = {
    "open": _l("Waiting"),
    "accepted": _l("Accepted"),
    "arrived": _l("Arrived"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
TOUCHPOINT_KIND = {
    "building": _l("Building"),
    "lobby": _l("Lobby"),
    "lamp_post": _l("Lamp-post"),
    "parcel_room": _l("Parcel room"),
    "other": _l("Other spot"),
}


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


#: What each countdown counts down to: (time left, time overdue), `{n}` the minutes.
COUNTDOWN = {
    "accept": (_l("Left to accept: {n} min"), _l("Acceptance overdue by {n} min")),
    "deliver_window": (
        _l("To the end of the delivery window: {n} min"),
        _l("Delivery window ended {n} min ago"),
    ),
    "arrive_window": (
        _l("To the end of the arrival window: {n} min"),
        _l("Arrival window ended {n} min ago"),
    ),
    "complete": (_l("Left to finish: {n} min"), _l("Finishing overdue by {n} min")),
    "arrive": (_l("Left to arrive: {n} min"), _l("Arrival overdue by {n} min")),
}
_COUNTDOWN_DEFAULT = (_l("{n} min left"), _l("{n} min late"))


def countdown_words(kind: str) -> tuple[str, str]:
    """The words of a countdown to the promise `kind`: (time left, time overdue)."""
    left, late = COUNTDOWN.get(kind, _COUNTDOWN_DEFAULT)
    return str(left), str(late)


def _words(table: Mapping[str, Any]) -> Callable[[str], str]:
    def word(key: str) -> str:
        return str(table.get(key, key))

    return word


#: The template helpers, by name: each turns a stored value into the user's language.
FAIL_CAUSE = {
    "resident_absent": _l("The resident was not at home"),
    "supplier_stock_out": _l("The supplier had none in stock"),
    "access_denied": _l("I could not get in"),
    "other": _l("Something else"),
}
HELPERS: dict[str, Callable[[str], str]] = {
    "staff_role_label": _words(STAFF_ROLE),
    "task_kind_label": _words(TASK_KIND),
    "task_status_label": _words(TASK_STATUS),
    "action_label": _words(ACTION),
    "level_label": _words(LEVEL),
    "badge_label": _words(BADGE),
    "posting_label": _words(POSTING),
    "withdrawal_status_label": _words(WITHDRAWAL),
    "credit_status_label": _words(CREDIT),
    "role_label": _words(ROLE),
    "request_kind_label": _words(REQUEST_KIND),
    "request_status_label": _words(REQUEST_STATUS),
    "touchpoint_kind_label": _words(TOUCHPOINT_KIND),
    "fail_cause_label": _words(FAIL_CAUSE),
}
#: Used in code as well as in templates.
task_kind_label = HELPERS["task_kind_label"]
action_label = HELPERS["action_label"]
request_kind_label = HELPERS["request_kind_label"]
