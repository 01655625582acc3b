"""Frontline staff: hired into grids, on and off duty, let go."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlmodel import select

from fulfilment.errors import (
    EmployeeNoTaken,
)
from fulfilment.models import (
    Grid,
    GridStaff,
    StaffMember,
    StaffRole,
    Task,
)
from fulfilment.services import tasks
from shop.core import accounts, audit, db
from shop.core.errors import Invalid, NotFound
from shop.core.models import User


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
        raise EmployeeNoTaken(
            _("This employee number is taken."),
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
    add_staff_member(
        user_id=user.id,
        employee_no=employee_no,
        staff_role=staff_role,
        grid_ids=sorted(set(grid_ids)),
    )
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
        tasks.release(task, {"from": user_id, "left": True})
        handed += 1
    accounts.deactivate_user(user_id=user_id, actor_id=actor_id, reason=reason.strip())
    return handed


def add_staff_member(
    *,
    user_id: int,
    employee_no: str,
    staff_role: str,
    grid_ids: Sequence[int],
    is_on_duty: bool = False,
) -> None:
    """Make a user a frontline staff member covering `grid_ids`."""
    db.session().add(
        StaffMember(
            user_id=user_id,
            employee_no=employee_no,
            staff_role=StaffRole(staff_role).value,
            is_on_duty=is_on_duty,
        )
    )
    db.session().flush()
    db.session().add_all(GridStaff(grid_id=g, user_id=user_id) for g in grid_ids)
    db.session().flush()
