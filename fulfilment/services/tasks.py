"""Tasks: opened when an order is paid, dispatched, then moved by staff through the flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import func, select, update

import orders.api
from fulfilment import labels, process, queries
from fulfilment.errors import (
    AlreadyTaken,
    NotLocked,
    StepNotAllowed,
    TaskLocked,
    WrongRole,
)
from fulfilment.models import (
    ACTIVE,
    Grid,
    GridStaff,
    StaffMember,
    StaffRole,
    Task,
)
from shop.core import accounts, audit, db, jobs, notifications
from shop.core.errors import Invalid, NotFound
from shop.core.process import Transition

# Tasks: opened when an order is paid, dispatched, then moved by staff through the flow.

ACCEPT_MINUTES_SETTING = "FULFILMENT_ACCEPT_MINUTES"
MAX_CODE_ATTEMPTS = 3


def _move(
    task: Task,
    action: str,
    actor_role: str,
    actor_id: int | None,
    data: dict[str, Any] | None = None,
) -> Transition:
    transition, _event = process.TASK.apply(task, action, actor_role, actor_id, data=data)
    return transition


def open_task(order_id: int) -> Task | None:
    """Open the task a paid order needs and dispatch it (once per order)."""
    s = db.session()
    if s.exec(select(Task.id).where(Task.order_id == order_id)).first() is not None:
        return None
    brief = orders.api.order_brief(order_id)
    if brief.is_service:
        kind = "service"
    else:
        kind = "pickup" if brief.delivery_mode == "pickup" else "deliver"
    roles = [r for r in brief.staff_roles if r] or [StaffRole.BUTLER.value]
    grid = queries.grid_of_building(brief.building_id)
    task = Task(
        order_id=order_id,
        grid_id=grid.id if grid else None,
        building_id=brief.building_id,
        kind=kind,
        staff_role=roles[0],
        due_by=brief.next_due,
    )
    s.add(task)
    s.flush()
    process.TASK.note(task, "open", "system", None, previous="")
    dispatch(task)
    return task


def _load(user_id: int) -> Any:
    return (
        select(func.count())
        .select_from(Task)
        .where(Task.assignee_id == user_id, Task.status.in_(ACTIVE))
        .scalar_subquery()
    )


def pick_assignee(task: Task) -> int | None:
    """The on-duty staff member of the task's grid with its role and the lightest load."""
    if task.grid_id is None:
        return None
    row = (
        db.session()
        .exec(
            select(StaffMember.user_id, _load(StaffMember.user_id).label("load"))
            .join(GridStaff, GridStaff.user_id == StaffMember.user_id)
            .where(
                GridStaff.grid_id == task.grid_id,
                StaffMember.is_on_duty,
                StaffMember.staff_role == task.staff_role,
            )
            .order_by("load", StaffMember.user_id)
        )
        .first()
    )
    return row[0] if row else None


def dispatch(task: Task) -> None:
    """Assign the task to the best on-duty person, or open it to the whole grid."""
    staff_id = pick_assignee(task)
    if staff_id is None:
        _open_to_grid(task)
        return
    _move(task, "assign", "system", None, {"to": staff_id})
    task.assignee_id, task.assigned_at = staff_id, db.utcnow()
    _tell(staff_id, task, "task_assigned")


def _open_to_grid(task: Task) -> None:
    task.claimable = True
    people = _grid_people(task)
    for user_id in people:
        _tell(user_id, task, "task_claimable")


def _grid_people(task: Task) -> list[int]:
    """The grid's staff with the task's role, and its manager."""
    if task.grid_id is None:
        return accounts.user_ids_with_role("operator")
    s = db.session()
    staff = s.exec(
        select(StaffMember.user_id)
        .join(GridStaff, GridStaff.user_id == StaffMember.user_id)
        .where(GridStaff.grid_id == task.grid_id, StaffMember.staff_role == task.staff_role)
    ).all()
    manager = s.get(Grid, task.grid_id).manager_id
    return list(staff) + ([manager] if manager else [])


def _tell(user_id: int, task: Task, kind: str) -> None:
    subjects = {
        "task_assigned": lambda: _("New task: order %(id)s", id=task.order_id),
        "task_claimable": lambda: _(
            "A task is waiting to be claimed: order %(id)s", id=task.order_id
        ),
        "task_locked": lambda: _("Task locked after wrong codes: order %(id)s", id=task.order_id),
        "task_failed": lambda: _("A task could not be done: order %(id)s", id=task.order_id),
        "task_cancelled": lambda: _("Order %(id)s was cancelled: no need to go", id=task.order_id),
    }
    notifications.notify(
        user_id,
        kind,
        lambda: (subjects[kind](), labels.task_kind_label(task.kind)),
        link=f"/staff/tasks/{task.id}",
    )


def release_unaccepted() -> int:
    """Tasks nobody accepted in time become claimable by the whole grid; returns how many."""
    minutes = int(current_app.config[ACCEPT_MINUTES_SETTING])
    cutoff = db.utcnow() - timedelta(minutes=minutes)
    tasks = (
        db.session()
        .exec(
            select(Task)
            .where(Task.status == "assigned", Task.assigned_at < cutoff)
            .with_for_update()
            .limit(500)
        )
        .all()
    )
    for task in tasks:
        _move(task, "release", "system", None, {"from": task.assignee_id})
        task.assignee_id, task.assigned_at = None, None
        _open_to_grid(task)
    db.session().flush()
    return len(tasks)


def claim(*, task_id: int, staff_id: int) -> Task:
    """Take a claimable task of my grid; of two at once exactly one wins (409 for the other)."""
    s = db.session()
    task = s.get(Task, task_id)
    member = s.get(StaffMember, staff_id)
    if (
        task is None
        or member is None
        or member.staff_role != task.staff_role
        or not queries.works_in_grid(staff_id, task.grid_id)
    ):
        raise NotFound(_("No such task."))  # as invisible as it is on the list
    orders.api.lock_order(task.order_id)  # the order's row before its task's
    won = s.execute(
        update(Task)
        .where(Task.id == task_id, Task.status == "open", Task.claimable)
        .values(status="accepted", assignee_id=staff_id, assigned_at=db.utcnow())
    ).rowcount
    if won != 1:
        raise AlreadyTaken(_("Someone else has taken this task."))
    s.refresh(task)
    process.TASK.note(task, "claim", "staff", staff_id, previous="open")
    orders.api.record_milestone(task.order_id, "accepted", db.utcnow(), staff_id)
    s.flush()
    return task


#: API event names (API.md) and the task actions they stand for.
EVENT_ACTIONS = {
    "accepted": "accept",
    "picked_up": "pick_up",
    "arrived": "arrive",
    "delivered": "deliver",
    "done": "finish",
    "failed": "fail",
}


def act(
    *,
    task_id: int,
    staff_id: int,
    action: str,
    confirmation_code: str | None = None,
    checklist: Sequence[str] = (),
    not_applicable: Mapping[str, str] | None = None,
    early_agreed: bool = False,
    reason: str = "",
    cause: str = "other",
) -> Task:
    """A staff member moves their task one step; the order's promises are judged from it.

    Delivering and finishing need the resident's 6-digit code; a wrong one counts, and the
    third locks the task until the manager unlocks it. A step before the resident's window
    needs their agreement (`early_agreed` with their code, or given in the app: 409
    `outside_window` otherwise); the step that decides the standard needs every checklist
    item ticked or marked not applicable with a reason (422 `checklist_incomplete`).
    """
    task = _my_task_locked(task_id, staff_id)
    step = process.TASK.find(task.status, action)
    if step is None:
        raise StepNotAllowed(_("This task cannot be given that step now."))
    evidence = _evidence(action, confirmation_code, checklist, not_applicable, early_agreed, reason)
    try:
        with db.session().begin_nested():
            orders.api.record_milestone(
                task.order_id, process.milestone(step), db.utcnow(), staff_id, evidence
            )
    except orders.api.WrongConfirmationCode as exc:
        _wrong_code(task, staff_id)
        exc.keep = True  # the wrong code counts (the third locks the task)
        raise
    answers = {"checklist": list(checklist), "not_applicable": dict(not_applicable or {})}
    _move(task, action, "staff", staff_id, answers if checklist or not_applicable else None)
    if task.status == "done":
        task.done_at = db.utcnow()
        # Verified: the commission is posted by a job after this commits (swept if lost).
        jobs.enqueue_after_commit("fulfilment.jobs.credit_task", task.id)
    if action == "fail":
        task.fail_reason, task.fail_cause = reason.strip()[:200], cause
        manager = db.session().get(Grid, task.grid_id).manager_id if task.grid_id else None
        if manager:
            _tell(manager, task, "task_failed")
    db.session().flush()
    return task


def _my_task_locked(task_id: int, staff_id: int) -> Task:
    """My task, locked after its order (the lock order), and not locked by wrong codes."""
    s = db.session()
    task = s.get(Task, task_id)
    if task is None or task.assignee_id != staff_id:
        raise NotFound(_("No such task."))
    orders.api.lock_order(task.order_id)  # the order's row before its task's
    task = s.get(Task, task_id, with_for_update=True, populate_existing=True)
    if task.assignee_id != staff_id:
        raise NotFound(_("No such task."))
    if task.locked:
        raise TaskLocked(
            _("This task is locked after wrong codes; your manager can unlock it."),
        )
    return task


def _evidence(
    action: str,
    confirmation_code: str | None,
    checklist: Sequence[str],
    not_applicable: Mapping[str, str] | None,
    early_agreed: bool,
    reason: str,
) -> dict[str, Any]:
    """What a step hands to the order's promises; 422 for a missing code or reason."""
    if action == "fail" and len(reason.strip()) < 2:
        raise Invalid(_("Say why."), fields={"reason": [_("Say why.")]})
    if action in ("deliver", "finish") and not confirmation_code:
        raise Invalid(
            _("Enter the resident's 6-digit code."),
            fields={"confirmation_code": [_("Required.")]},
        )
    evidence: dict[str, Any] = {
        "checklist": list(checklist),
        "not_applicable": dict(not_applicable or {}),
        "early_agreed": early_agreed,
    }
    if confirmation_code:
        evidence["confirmation_code"] = confirmation_code
    if action == "fail":
        evidence["reason"] = reason.strip()
    return evidence


def ask_early(*, task_id: int, staff_id: int) -> None:
    """Ask the resident of my task, in the app, whether I may come before their window."""
    task = db.session().get(Task, task_id)
    if task is None or task.assignee_id != staff_id or task.status not in ACTIVE:
        raise NotFound(_("No such task."))
    orders.api.ask_early(order_id=task.order_id, actor_id=staff_id)


def _wrong_code(task: Task, staff_id: int) -> None:
    task.code_attempts += 1
    process.TASK.note(
        task,
        "wrong_code",
        "staff",
        staff_id,
        previous=task.status,
        data={"attempt": task.code_attempts},
    )
    if task.code_attempts >= MAX_CODE_ATTEMPTS:
        task.locked = True
        manager = db.session().get(Grid, task.grid_id).manager_id if task.grid_id else None
        for user_id in [manager] if manager else accounts.user_ids_with_role("operator"):
            _tell(user_id, task, "task_locked")
    db.session().flush()


def _managed(task_id: int, manager_id: int) -> Task:
    task = db.session().get(Task, task_id, with_for_update=True)
    grid = db.session().get(Grid, task.grid_id) if task and task.grid_id else None
    if task is None or grid is None or grid.manager_id != manager_id:
        raise NotFound(_("No such task."))
    return task


def reassign(*, task_id: int, manager_id: int, staff_id: int) -> Task:
    """The manager gives the task to another staff member of the grid with its role."""
    task = _managed(task_id, manager_id)
    member = db.session().get(StaffMember, staff_id)
    if member is None or not queries.works_in_grid(staff_id, task.grid_id):
        raise Invalid(
            _("Pick someone of this grid."), fields={"staff_id": [_("Not in this grid.")]}
        )
    if member.staff_role != task.staff_role:
        raise WrongRole(_("This task needs another role."))
    _move(task, "reassign", "manager", manager_id, {"from": task.assignee_id, "to": staff_id})
    task.assignee_id, task.assigned_at, task.claimable = staff_id, db.utcnow(), False
    _tell(staff_id, task, "task_assigned")
    db.session().flush()
    return task


def unlock(*, task_id: int, manager_id: int) -> Task:
    """The manager unlocks a task locked by wrong codes (after checking with the resident)."""
    task = _managed(task_id, manager_id)
    if not task.locked:
        raise NotLocked(_("This task is not locked."))
    task.locked, task.code_attempts = False, 0
    process.TASK.note(task, "unlock", "manager", manager_id, previous=task.status)
    audit.record(actor_id=manager_id, action="task.unlock", subject_type="task", subject_id=task.id)
    db.session().flush()
    return task


def cancel_task(task: Task) -> None:
    """Stop a task whose order was cancelled or refunded; its staff member is told."""
    had = task.assignee_id
    _move(task, "cancel", "system", None)
    if had:
        _tell(had, task, "task_cancelled")
    db.session().flush()


def release(task: Task, detail: dict[str, Any]) -> None:
    """Take an assigned task from its assignee and dispatch it again; `detail` says why."""
    _move(task, "release", "system", None, detail)
    task.assignee_id, task.assigned_at = None, None
    dispatch(task)


def reroute(task: Task, grid: Grid) -> None:
    """A task follows its building into `grid`; one its assignee cannot do there is handed on."""
    task.grid_id = grid.id
    if task.assignee_id is not None and not queries.works_in_grid(task.assignee_id, grid.id):
        if task.status == "assigned":
            release(task, {"reroute_to": grid.id})
        elif grid.manager_id:  # under way: the manager decides (it stays with its staff)
            _tell(grid.manager_id, task, "task_claimable")
    elif task.status == "open":
        dispatch(task)
