"""Write operations of fulfilment. Services flush; the unit of work commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import func, select, update

import orders.api
from fulfilment import labels, process
from fulfilment.models import (
    ACTIVE,
    Grid,
    GridBuilding,
    GridStaff,
    ServiceRequest,
    StaffMember,
    StaffRole,
    Task,
)
from shop.core import accounts, audit, db, jobs, notifications
from shop.core.errors import DomainError, Forbidden, Invalid, NotFound
from shop.core.models import Building, User
from shop.core.process import Context, Transition


def set_duty(*, user_id: int, on_duty: bool) -> StaffMember:
    """Put a staff member on or off duty (only on-duty staff are given new tasks)."""
    member = db.session().get(StaffMember, user_id)
    if member is None:
        raise NotFound(_("You are not registered as staff."))
    if member.is_on_duty != on_duty:
        member.is_on_duty = on_duty
        audit.record(
            actor_id=user_id,
            action="staff.duty_on" if on_duty else "staff.duty_off",
            subject_type="staff",
            subject_id=user_id,
        )
    db.session().flush()
    return member


# Tasks: opened when an order is paid, dispatched, then moved by staff through the flow.

ACCEPT_MINUTES_SETTING = "FULFILMENT_ACCEPT_MINUTES"
MAX_CODE_ATTEMPTS = 3


def _grid_of_building(building_id: int) -> Grid | None:
    return (
        db.session()
        .exec(
            select(Grid)
            .join(GridBuilding, GridBuilding.grid_id == Grid.id)
            .where(GridBuilding.building_id == building_id)
        )
        .first()
    )


def _record(
    task: Task,
    action: str,
    actor_role: str,
    actor_id: int | None,
    previous: str,
    data: dict[str, Any] | None = None,
) -> None:
    """A task event that moves nothing (opened, a wrong code, unlocked), by the engine."""
    process.TASK.record(
        task, action, Context(actor_role, actor_id, data=data or {}), previous=previous
    )


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
    grid = _grid_of_building(brief.building_id)
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
    _record(task, "open", "system", None, "")
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


def _in_grid(user_id: int, grid_id: int | None) -> bool:
    return grid_id is not None and db.session().get(GridStaff, (grid_id, user_id)) is not None


def claim(*, task_id: int, staff_id: int) -> Task:
    """Take a claimable task of my grid; of two at once exactly one wins (409 for the other)."""
    s = db.session()
    task = s.get(Task, task_id)
    member = s.get(StaffMember, staff_id)
    if (
        task is None
        or member is None
        or member.staff_role != task.staff_role
        or not _in_grid(staff_id, task.grid_id)
    ):
        raise NotFound(_("No such task."))  # as invisible as it is on the list
    orders.api.lock_order(task.order_id)  # the order's row before its task's
    won = s.execute(
        update(Task)
        .where(Task.id == task_id, Task.status == "open", Task.claimable)
        .values(status="accepted", assignee_id=staff_id, assigned_at=db.utcnow())
    ).rowcount
    if won != 1:
        raise DomainError(_("Someone else has taken this task."), code="already_taken")
    s.refresh(task)
    _record(task, "claim", "staff", staff_id, "open")
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
        raise DomainError(_("This task cannot be given that step now."), code="step_not_allowed")
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
        task.fail_reason = reason.strip()[:200]
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
        raise DomainError(
            _("This task is locked after wrong codes; your manager can unlock it."),
            code="task_locked",
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
    _record(task, "wrong_code", "staff", staff_id, task.status, {"attempt": task.code_attempts})
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
    if member is None or not _in_grid(staff_id, task.grid_id):
        raise Invalid(
            _("Pick someone of this grid."), fields={"staff_id": [_("Not in this grid.")]}
        )
    if member.staff_role != task.staff_role:
        raise DomainError(_("This task needs another role."), code="wrong_role")
    _move(task, "reassign", "manager", manager_id, {"from": task.assignee_id, "to": staff_id})
    task.assignee_id, task.assigned_at, task.claimable = staff_id, db.utcnow(), False
    _tell(staff_id, task, "task_assigned")
    db.session().flush()
    return task


def unlock(*, task_id: int, manager_id: int) -> Task:
    """The manager unlocks a task locked by wrong codes (after checking with the resident)."""
    task = _managed(task_id, manager_id)
    if not task.locked:
        raise DomainError(_("This task is not locked."), code="not_locked")
    task.locked, task.code_attempts = False, 0
    _record(task, "unlock", "manager", manager_id, task.status)
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


def _require_household_keeper(actor_id: int, resident_id: int) -> None:
    """The operator, or a butler of the grid that covers the household's building.

    Anyone else (another grid's butler, a cleaner) gets NotFound: the household is not theirs.
    """
    actor = db.session().get(User, actor_id)
    if actor is None:
        raise NotFound(_("No such resident."))
    if actor.has_role("operator"):
        return
    address = accounts.find_resident_address(resident_id)
    grid = _grid_of_building(address.building_id) if address else None
    member = db.session().get(StaffMember, actor_id)
    if (
        grid is None
        or member is None
        or member.staff_role != StaffRole.BUTLER.value
        or not _in_grid(actor_id, grid.id)
    ):
        raise NotFound(_("No such resident."))


def move_segment(*, actor_id: int, resident_id: int, segment: str, reason: str) -> None:
    """The operator, or a butler of the household's grid, moves it into another segment.

    Anyone else (another grid's butler, a cleaner) gets NotFound: the household is not theirs.
    The change and its reason are audited by the kernel.
    """
    _require_household_keeper(actor_id, resident_id)
    accounts.move_segment(user_id=resident_id, segment=segment, actor_id=actor_id, reason=reason)


def _check_buildings(community_id: int, building_ids: Sequence[int]) -> None:
    s = db.session()
    found = s.exec(
        select(Building.id).where(
            Building.id.in_(building_ids), Building.community_id == community_id
        )
    ).all()
    if len(set(found)) != len(set(building_ids)):
        message = _("Not a building of this community.")
        raise Invalid(message, fields={"building_ids": [message]})


def open_grid(
    *,
    actor_id: int,
    community_id: int,
    name: str,
    building_ids: Sequence[int],
    manager_id: int | None = None,
) -> Grid:
    """Draw a grid over buildings of a compound (audited).

    A building belongs to one grid at a time: one already in a grid is 409 `building_in_grid`
    (move it instead). The manager must hold the manager role.
    """
    s = db.session()
    accounts.get_community(community_id)
    _check_buildings(community_id, building_ids)
    _check_manager(manager_id)
    taken = s.exec(
        select(GridBuilding.building_id).where(GridBuilding.building_id.in_(building_ids))
    ).all()
    if taken:
        raise DomainError(
            _("A building is in another grid already; move it instead."),
            code="building_in_grid",
            fields={"building_ids": list(taken)},
        )
    grid = Grid(community_id=community_id, name=name, manager_id=manager_id)
    s.add(grid)
    s.flush()
    for building_id in sorted(set(building_ids)):
        s.add(GridBuilding(grid_id=grid.id, building_id=building_id))
    audit.record(
        actor_id=actor_id,
        action="grid.opened",
        subject_type="grid",
        subject_id=grid.id,
        data={"name": name, "building_ids": sorted(set(building_ids))},
    )
    s.flush()
    return grid


def _operator_only(actor_id: int) -> None:
    actor = db.session().get(User, actor_id)
    if actor is None or not actor.has_role("operator"):
        raise Forbidden(_("Only the operator may do this."))


def _check_manager(manager_id: int | None) -> None:
    if manager_id is None:
        return
    manager = db.session().get(User, manager_id)
    if manager is None or not manager.is_active or not manager.has_role("manager"):
        message = _("Not a project manager.")
        raise Invalid(message, fields={"manager_id": [message]})


def appoint_manager(
    *,
    actor_id: int,
    display_name: str,
    phone: str,
    email: str,
    password: str,
    grid_ids: Sequence[int],
) -> int:
    """Add a project manager with a login (email or phone), in charge of `grid_ids`.

    The operator only. Each grid named gets them as its manager (one manager per grid: the one
    it had before is replaced). Audited; returns their user id.
    """
    _operator_only(actor_id)
    s = db.session()
    grids = s.exec(select(Grid).where(Grid.id.in_(grid_ids)).with_for_update()).all()
    if len(grids) != len(set(grid_ids)):
        raise Invalid(_("No such grid."), fields={"grid_ids": [_("No such grid.")]})
    user = accounts.create_user(
        email=email, password=password, display_name=display_name, roles=["manager"], phone=phone
    )
    for grid in grids:
        grid.manager_id = user.id
    audit.record(
        actor_id=actor_id,
        action="manager.appointed",
        subject_type="user",
        subject_id=user.id,
        data={"grid_ids": sorted(set(grid_ids))},
    )
    s.flush()
    return user.id


def set_grid_manager(*, actor_id: int, grid_id: int, manager_id: int | None) -> Grid:
    """Put a project manager in charge of a grid, or none (the operator; audited)."""
    _operator_only(actor_id)
    grid = db.session().get(Grid, grid_id, with_for_update=True)
    if grid is None:
        raise NotFound(_("No such grid."))
    _check_manager(manager_id)
    if grid.manager_id != manager_id:
        audit.record(
            actor_id=actor_id,
            action="grid.manager_changed",
            subject_type="grid",
            subject_id=grid_id,
            data={"from": grid.manager_id, "to": manager_id},
        )
        grid.manager_id = manager_id
        db.session().flush()
    return grid


def list_managers() -> list[tuple[User, list[int]]]:
    """Every active project manager with the grids they are in charge of, by name."""
    s = db.session()
    people = [s.get(User, u) for u in accounts.user_ids_with_role("manager")]
    managed: dict[int, list[int]] = {}
    for grid_id, manager_id in s.exec(
        select(Grid.id, Grid.manager_id).where(Grid.manager_id.is_not(None)).order_by(Grid.id)
    ):
        managed.setdefault(manager_id, []).append(grid_id)
    return sorted(
        ((u, managed.get(u.id, [])) for u in people if u is not None and u.is_active),
        key=lambda pair: (pair[0].display_name, pair[0].id),
    )


def _unfinished_work(building_ids: Sequence[int]) -> tuple[list[Task], list[ServiceRequest]]:
    """The tasks and requests of these buildings that are not over yet."""
    if not building_ids:
        return [], []
    s = db.session()
    tasks = s.exec(
        select(Task).where(Task.building_id.in_(building_ids), Task.status.in_(("open", *ACTIVE)))
    ).all()
    requests = s.exec(
        select(ServiceRequest).where(
            ServiceRequest.building_id.in_(building_ids),
            ServiceRequest.status.in_(("open", "accepted", "arrived")),
        )
    ).all()
    return list(tasks), list(requests)


def _reroute(task: Task, grid: Grid) -> None:
    """A task follows its building into `grid`; one its assignee cannot do there is handed on."""
    task.grid_id = grid.id
    if task.assignee_id is not None and not _in_grid(task.assignee_id, grid.id):
        if task.status == "assigned":
            _move(task, "release", "system", None, {"reroute_to": grid.id})
            task.assignee_id, task.assigned_at = None, None
            dispatch(task)
        elif grid.manager_id:  # under way: the manager decides (it stays with its staff)
            _tell(grid.manager_id, task, "task_claimable")
    elif task.status == "open":
        dispatch(task)


def move_buildings(
    *, actor_id: int, grid_id: int, building_ids: Sequence[int], confirm: bool = False
) -> dict[str, int]:
    """Move buildings into a grid; their unfinished tasks follow only once confirmed.

    Without `confirm`, a move that would re-route work is refused with 409 `confirm_move`
    and the number of tasks and requests it would move, and nothing changes. With it, each
    unfinished task and request goes to the new grid; a task whose assignee does not work
    there is dispatched afresh. Returns how many tasks and requests moved. Audited.
    """
    s = db.session()
    grid = s.get(Grid, grid_id, with_for_update=True)
    if grid is None:
        raise NotFound(_("No such grid."))
    _check_buildings(grid.community_id, building_ids)
    rows = s.exec(select(GridBuilding).where(GridBuilding.building_id.in_(building_ids)))
    moving = [row for row in rows if row.grid_id != grid_id]
    moved_ids = [row.building_id for row in moving]
    already = set(s.exec(select(GridBuilding.building_id).where(GridBuilding.grid_id == grid_id)))
    new = set(building_ids) - set(moved_ids) - already
    tasks, requests = _unfinished_work(moved_ids)
    counts = {"tasks": len(tasks), "requests": len(requests)}
    if (tasks or requests) and not confirm:
        raise DomainError(
            _(
                "Moving these buildings re-routes %(tasks)d tasks and %(requests)d requests; "
                "confirm to go on.",
                **counts,
            ),
            code="confirm_move",
            fields={"tasks": [len(tasks)], "requests": [len(requests)]},
        )
    for row in moving:
        s.delete(row)
    s.flush()
    for building_id in sorted(moved_ids + list(new)):
        s.add(GridBuilding(grid_id=grid_id, building_id=building_id))
    s.flush()
    for task in tasks:
        _reroute(task, grid)
    for req in requests:
        req.grid_id = grid_id
    audit.record(
        actor_id=actor_id,
        action="grid.buildings_moved",
        subject_type="grid",
        subject_id=grid_id,
        data={"building_ids": sorted(set(building_ids)), **counts},
    )
    s.flush()
    return counts


def _may_staff(actor_id: int, grid_ids: Sequence[int]) -> None:
    """The operator manages any grid's staff, a manager only their own grids' (else 404)."""
    actor = db.session().get(User, actor_id)
    if actor is not None and actor.has_role("operator"):
        return
    own = set(
        db.session().exec(select(Grid.id).where(Grid.manager_id == actor_id, Grid.id.in_(grid_ids)))
    )
    if actor is None or not actor.has_role("manager") or own != set(grid_ids):
        raise NotFound(_("No such grid."))


def hire(
    *,
    actor_id: int,
    display_name: str,
    phone: str,
    employee_no: str,
    staff_role: str,
    grid_ids: Sequence[int],
    password: str,
    email: str = "",
) -> int:
    """Add a staff member with a login (phone, or email) covering `grid_ids`; their user id.

    The employee number is unique (409 `employee_no_taken`); so are the phone and email.
    """
    _may_staff(actor_id, grid_ids)
    s = db.session()
    if s.exec(select(StaffMember.user_id).where(StaffMember.employee_no == employee_no)).first():
        raise DomainError(
            _("This employee number is taken."),
            code="employee_no_taken",
            fields={"employee_no": [employee_no]},
        )
    grids = s.exec(select(Grid.id).where(Grid.id.in_(grid_ids))).all()
    if len(set(grids)) != len(set(grid_ids)):
        raise Invalid(_("No such grid."), fields={"grid_ids": [_("No such grid.")]})
    user = accounts.create_user(
        email=email or f"{employee_no.lower()}@staff.invalid",
        password=password,
        display_name=display_name,
        roles=["staff"],
        phone=phone,
    )
    s.add(StaffMember(user_id=user.id, employee_no=employee_no, staff_role=staff_role))
    s.flush()
    for grid_id in sorted(set(grid_ids)):
        s.add(GridStaff(grid_id=grid_id, user_id=user.id))
    audit.record(
        actor_id=actor_id,
        action="staff.hired",
        subject_type="user",
        subject_id=user.id,
        data={"employee_no": employee_no, "staff_role": staff_role, "grid_ids": sorted(grid_ids)},
    )
    s.flush()
    return user.id


def _member(user_id: int) -> StaffMember:
    member = db.session().get(StaffMember, user_id, with_for_update=True)
    if member is None:
        raise NotFound(_("No such staff member."))
    return member


def _grids_of(user_id: int) -> list[int]:
    return list(db.session().exec(select(GridStaff.grid_id).where(GridStaff.user_id == user_id)))


def assign_grids(*, actor_id: int, user_id: int, grid_ids: Sequence[int]) -> None:
    """Set the grids a staff member covers (the manager of all of them, or the operator)."""
    member = _member(user_id)
    before = _grids_of(user_id)
    _may_staff(actor_id, sorted(set(before) | set(grid_ids)))
    s = db.session()
    for row in s.exec(select(GridStaff).where(GridStaff.user_id == user_id)):
        s.delete(row)
    s.flush()
    for grid_id in sorted(set(grid_ids)):
        s.add(GridStaff(grid_id=grid_id, user_id=member.user_id))
    audit.record(
        actor_id=actor_id,
        action="staff.grids_changed",
        subject_type="user",
        subject_id=user_id,
        data={"from": sorted(before), "to": sorted(set(grid_ids))},
    )
    s.flush()


def set_staff_duty(*, actor_id: int, user_id: int, on_duty: bool) -> None:
    """A manager (or the operator) puts a staff member of their grids on or off duty."""
    member = _member(user_id)
    _may_staff(actor_id, _grids_of(user_id))
    member.is_on_duty = on_duty
    db.session().flush()


def let_go(*, actor_id: int, user_id: int, reason: str) -> int:
    """A staff member leaves; how many of their tasks went back to the grid.

    Their login closes and they leave every grid; tasks they had not started are dispatched
    afresh. Their ledger, credits and statements stay whole.
    """
    member = _member(user_id)
    grids = _grids_of(user_id)
    _may_staff(actor_id, grids)
    if len(reason.strip()) < 2:
        raise Invalid(_("Say why."), fields={"reason": [_("Say why.")]})
    s = db.session()
    member.is_on_duty = False
    for row in s.exec(select(GridStaff).where(GridStaff.user_id == user_id)):
        s.delete(row)
    s.flush()
    handed = 0
    for task in s.exec(
        select(Task).where(Task.assignee_id == user_id, Task.status == "assigned").with_for_update()
    ):
        _move(task, "release", "system", None, {"from": user_id, "left": True})
        task.assignee_id, task.assigned_at = None, None
        dispatch(task)
        handed += 1
    accounts.deactivate_user(user_id=user_id, actor_id=actor_id, reason=reason.strip())
    return handed


def approve_resident(*, actor_id: int, resident_id: int) -> None:
    """The operator, or a butler of the household's grid, confirms a new resident's home."""
    _require_household_keeper(actor_id, resident_id)
    accounts.approve_resident(user_id=resident_id, actor_id=actor_id)
