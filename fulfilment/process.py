"""The task process as data: which action moves a task from which status to which, and who."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One allowed step of a task, and the order milestone it reports (if any)."""

    source: str
    action: str
    target: str
    actors: frozenset[str]
    milestone: str | None = None


def _s(source: str, action: str, target: str, actors: str, milestone: str | None = None) -> Step:
    return Step(source, action, target, frozenset(actors.split()), milestone)


STEPS: tuple[Step, ...] = (
    _s("open", "assign", "assigned", "system manager"),
    _s("open", "claim", "accepted", "staff", "accepted"),
    _s("assigned", "accept", "accepted", "staff", "accepted"),
    _s("assigned", "release", "open", "system"),
    _s("assigned", "reassign", "assigned", "manager"),
    _s("accepted", "reassign", "assigned", "manager"),
    _s("picked_up", "reassign", "assigned", "manager"),
    _s("accepted", "pick_up", "picked_up", "staff", "picked_up"),
    _s("accepted", "arrive", "arrived", "staff", "arrived"),
    _s("picked_up", "arrive", "arrived", "staff", "arrived"),
    _s("arrived", "deliver", "done", "staff", "delivered"),
    _s("accepted", "deliver", "done", "staff", "delivered"),  # a pickup at the service centre
    _s("arrived", "finish", "done", "staff", "done"),
    _s("accepted", "fail", "failed", "staff", "failed"),
    _s("picked_up", "fail", "failed", "staff", "failed"),
    _s("arrived", "fail", "failed", "staff", "failed"),
    _s("failed", "reassign", "assigned", "manager"),
    # The order was cancelled or refunded: the work stops wherever it was.
    *(
        _s(source, "cancel", "cancelled", "system")
        for source in ("open", "assigned", "accepted", "picked_up", "arrived", "failed")
    ),
)
#: What a staff member presses, in order, for each kind of task (the page shows the next one).
FLOW = {
    "deliver": ("accept", "pick_up", "arrive", "deliver"),
    "pickup": ("accept", "deliver"),
    "service": ("accept", "arrive", "finish"),
}


def find_step(status: str, action: str) -> Step | None:
    """The step for `action` from `status`, or None."""
    return next((s for s in STEPS if s.source == status and s.action == action), None)


def next_action(kind: str, status: str) -> str | None:
    """The next button of a task in the staff flow, or None when there is none."""
    for action in FLOW[kind]:
        if find_step(status, action) is not None:
            return action
    return None


#: A service request from a touchpoint (报事/预约): the same engine's shape as tasks.
REQUEST_STEPS: tuple[Step, ...] = (
    _s("open", "accept", "accepted", "staff"),
    _s("accepted", "arrive", "arrived", "staff"),
    _s("arrived", "finish", "done", "staff"),
    _s("accepted", "reassign", "accepted", "manager"),
    _s("open", "reassign", "open", "manager"),
    *(_s(source, "cancel", "cancelled", "resident manager") for source in ("open", "accepted")),
)
#: What staff press next for a request.
REQUEST_FLOW = ("accept", "arrive", "finish")


def find_request_step(status: str, action: str) -> Step | None:
    """The request step for `action` from `status`, or None."""
    return next((s for s in REQUEST_STEPS if s.source == status and s.action == action), None)


def next_request_action(status: str) -> str | None:
    """The button a staff member presses next on a request, or None when it is over."""
    return next((a for a in REQUEST_FLOW if find_request_step(status, a)), None)
