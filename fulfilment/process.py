"""The task and service-request processes as data, on the kernel's engine.

Which action moves a task or a request from which status to which, who may take it, and the
order milestone a task step reports (its effect `report:<milestone>`, carried out by
`fulfilment.services.tasks.act`).
"""

from __future__ import annotations

from flask_babel import gettext as _

from fulfilment.models import RequestEvent, TaskEvent
from shop.core.process import Process, Transition, register, step

REPORT = "report:"


def _s(source: str, action: str, target: str, actors: str, milestone: str = "") -> Transition:
    return step(source, action, target, actors, effects=(REPORT + milestone,) if milestone else ())


def milestone(transition: Transition) -> str | None:
    """The order milestone a task step reports, if any."""
    return next((e.removeprefix(REPORT) for e in transition.effects if e.startswith(REPORT)), None)


STEPS: tuple[Transition, ...] = (
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


TASK = register(
    Process(
        name="task",
        transitions=STEPS,
        event=TaskEvent,
        subject_column="task_id",
        refused_code="step_not_allowed",
        refused=lambda _status, _action: _("This task cannot be given that step now."),
        forbidden=lambda: _("You may not do this to a task."),
    )
)


def next_action(kind: str, status: str) -> str | None:
    """The next button of a task in the staff flow, or None when there is none."""
    return next((a for a in FLOW[kind] if TASK.find(status, a) is not None), None)


#: A service request from a touchpoint (报事/预约), on the same engine.
REQUEST_STEPS: tuple[Transition, ...] = (
    _s("open", "accept", "accepted", "staff"),
    _s("accepted", "arrive", "arrived", "staff"),
    _s("arrived", "finish", "done", "staff"),
    _s("accepted", "reassign", "accepted", "manager"),
    _s("open", "reassign", "open", "manager"),
    *(_s(source, "cancel", "cancelled", "resident manager") for source in ("open", "accepted")),
)
#: What staff press next for a request.
REQUEST_FLOW = ("accept", "arrive", "finish")


REQUEST = register(
    Process(
        name="service request",
        transitions=REQUEST_STEPS,
        event=RequestEvent,
        subject_column="request_id",
        refused_code="wrong_step",
        refused=lambda _status, _action: _("This request cannot be given that step now."),
        forbidden=lambda: _("You may not do this to a request."),
    )
)


def next_request_action(status: str) -> str | None:
    """The button a staff member presses next on a request, or None when it is over."""
    return next((a for a in REQUEST_FLOW if REQUEST.find(status, a)), None)
