"""Reads for the staff and manager pages and the tasks API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlmodel import func, select

import orders.api
from fulfilment import process, rules
from fulfilment.models import (
    ACTIVE,
    Grid,
    GridBuilding,
    GridStaff,
    ServiceRequest,
    StaffMember,
    Task,
    Touchpoint,
)
from shop.core import accounts, db
from shop.core.errors import NotFound
from shop.core.models import Building, ResidentProfile, User
from shop.core.values import view_of


@dataclass(frozen=True)
class StaffRow:
    """A staff member as a manager sees them."""

    user_id: int
    name: str
    employee_no: str
    staff_role: str
    is_on_duty: bool


@dataclass(frozen=True)
class GridView:
    """A grid with its building names and its staff."""

    id: int
    name: str
    buildings: list[str]
    staff: list[StaffRow]


def _grid_view(grid: Grid) -> GridView:
    s = db.session()
    buildings = s.exec(
        select(Building.name)
        .join(GridBuilding, GridBuilding.building_id == Building.id)
        .where(GridBuilding.grid_id == grid.id)
        .order_by(Building.name)
    )
    staff = s.exec(
        select(StaffMember, User.display_name)
        .join(GridStaff, GridStaff.user_id == StaffMember.user_id)
        .join(User, User.id == StaffMember.user_id)
        .where(GridStaff.grid_id == grid.id)
        .order_by(StaffMember.employee_no)
    )
    return GridView(
        id=grid.id,
        name=grid.name,
        buildings=list(buildings),
        staff=[
            StaffRow(m.user_id, name, m.employee_no, m.staff_role, m.is_on_duty)
            for m, name in staff
        ],
    )


def grids_of_staff(user_id: int) -> list[GridView]:
    """The grids a staff member covers."""
    grids = db.session().exec(
        select(Grid)
        .join(GridStaff, GridStaff.grid_id == Grid.id)
        .where(GridStaff.user_id == user_id)
        .order_by(Grid.id)
    )
    return [_grid_view(g) for g in grids]


def grids_of_manager(user_id: int) -> list[GridView]:
    """The grids a manager steers."""
    grids = db.session().exec(select(Grid).where(Grid.manager_id == user_id).order_by(Grid.id))
    return [_grid_view(g) for g in grids]


def find_staff_member(user_id: int) -> StaffMember | None:
    """The staff record of a user, or None."""
    return db.session().get(StaffMember, user_id)


def people_to_warn(order_id: int, building_id: int) -> list[int]:
    """Whom to warn before an order's deadline: the staff member on its task and the manager."""
    s = db.session()
    assignee = s.exec(
        select(Task.assignee_id).where(Task.order_id == order_id, Task.status.in_(ACTIVE))
    ).first()
    manager = s.exec(
        select(Grid.manager_id)
        .join(GridBuilding, GridBuilding.grid_id == Grid.id)
        .where(GridBuilding.building_id == building_id)
    ).first()
    return [u for u in (assignee, manager) if u is not None]


@dataclass(frozen=True)
class ButlerContact:
    """Who a resident calls: their building's butler (on duty first), or the grid's manager."""

    name: str
    phone: str
    on_duty: bool
    is_manager: bool


def butler_for_resident(resident_id: int) -> ButlerContact | None:
    """The butler of the resident's building grid to call: on duty first; else the manager."""
    address = accounts.find_resident_address(resident_id)
    if address is None:
        return None
    s = db.session()
    grid = s.exec(
        select(Grid)
        .join(GridBuilding, GridBuilding.grid_id == Grid.id)
        .where(GridBuilding.building_id == address.building_id)
    ).first()
    if grid is None:
        return None
    butlers = s.exec(
        select(User, StaffMember.is_on_duty)
        .join(StaffMember, StaffMember.user_id == User.id)
        .join(GridStaff, GridStaff.user_id == User.id)
        .where(
            GridStaff.grid_id == grid.id,
            StaffMember.staff_role == "butler",
            User.is_active.is_(True),
        )
        .order_by(StaffMember.is_on_duty.desc(), User.id)
    ).all()
    for user, on_duty in butlers:
        if user.phone:
            return ButlerContact(user.display_name, user.phone, bool(on_duty), is_manager=False)
    manager = s.get(User, grid.manager_id) if grid.manager_id else None
    if manager is not None and manager.phone:
        return ButlerContact(manager.display_name, manager.phone, False, is_manager=True)
    return None


def mask_phone(phone: str) -> str:
    """138****1234: enough to recognise, not enough to keep."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


@dataclass(frozen=True)
class TaskView:
    """A task as the staff member (or manager) sees it: only what the work needs."""

    id: int
    order_id: int
    grid_id: int | None
    kind: str
    status: str
    staff_role: str
    due_by: datetime | None
    address: str
    #: The resident's phone, in full only while the viewer is doing the task.
    phone: str
    note: str
    lines: tuple[tuple[str, int], ...]
    checklist: tuple[str, ...]
    window_start: datetime | None
    window_end: datetime | None
    slot_starts_at: datetime | None
    assignee_id: int | None
    assignee_name: str
    claimable: bool
    locked: bool
    code_attempts: int
    next_action: str | None
    #: The promise the countdown counts down to (`accept`, `deliver_window`, …).
    due_kind: str = ""
    #: Pressing the next step now comes before the resident's window, which starts then:
    #: it needs their agreement (their code, or their acceptance in the app).
    early_until: datetime | None = None
    #: A care household (关怀): its task goes first in every list.
    is_care: bool = False

    @property
    def needs_code(self) -> bool:
        """The next step needs the resident's confirmation code."""
        return self.next_action in ("deliver", "finish") or self.early_until is not None

    @property
    def asks_checklist(self) -> bool:
        """The next step decides the standard: each item must be answered."""
        return bool(self.checklist) and self.next_action in ("deliver", "finish")

    @property
    def can_fail(self) -> bool:
        """The task is under way and may be reported as not doable."""
        return self.status in ("accepted", "picked_up", "arrived")


def _view(task: Task, viewer_id: int) -> TaskView:
    brief = orders.api.order_brief(task.order_id)
    address = accounts.find_resident_address(brief.resident_id)
    phone = address.phone if address else ""
    doing = task.assignee_id == viewer_id and task.status in ACTIVE and task.status != "assigned"
    assignee = db.session().get(User, task.assignee_id) if task.assignee_id else None
    if task.status == "open" and task.claimable:
        action = "claim"
    elif task.assignee_id == viewer_id:
        action = process.next_action(task.kind, task.status)
    else:
        action = None
    step = process.TASK.find(task.status, action) if action else None
    early = (
        step is not None
        and process.milestone(step) == brief.window_milestone
        and not brief.early_accepted
        and brief.window_from is not None
        and db.utcnow() < brief.window_from
    )
    return view_of(
        TaskView,
        task,
        brief,
        due_by=brief.next_due,
        phone=phone if doing else mask_phone(phone),
        assignee_name=assignee.display_name if assignee else "",
        claimable=task.claimable and task.status == "open",
        next_action=action,
        due_kind=brief.next_due_kind,
        early_until=brief.window_from if early else None,
        is_care=bool(address and address.segment == "care"),
    )


def _my_grid_ids(user_id: int) -> list[int]:
    return list(db.session().exec(select(GridStaff.grid_id).where(GridStaff.user_id == user_id)))


def tasks_for_staff(user_id: int) -> list[TaskView]:
    """My tasks under way and the claimable tasks of my grids, nearest promise first."""
    s = db.session()
    member = s.get(StaffMember, user_id)
    if member is None:
        return []
    mine = select(Task).where(Task.assignee_id == user_id, Task.status.in_(ACTIVE))
    claimable = select(Task).where(
        Task.status == "open",
        Task.claimable,
        Task.staff_role == member.staff_role,
        Task.grid_id.in_(_my_grid_ids(user_id)),
    )
    views = [_view(t, user_id) for t in list(s.exec(mine)) + list(s.exec(claimable))]
    return sorted(views, key=_nearest_first)


def _nearest_first(view: TaskView) -> tuple[bool, bool, datetime | None, int]:
    """Care households first, then the nearest promise."""
    return (not view.is_care, view.due_by is None, view.due_by, view.id)


def task_for_staff(task_id: int, user_id: int) -> TaskView:
    """A task I am doing or may claim; anyone else's is NotFound."""
    task = db.session().get(Task, task_id)
    member = db.session().get(StaffMember, user_id)
    if task is None or member is None:
        raise NotFound(_("No such task."))
    visible = task.assignee_id == user_id or (
        task.status == "open"
        and task.claimable
        and task.staff_role == member.staff_role
        and task.grid_id in _my_grid_ids(user_id)
    )
    if not visible:
        raise NotFound(_("No such task."))
    return _view(task, user_id)


def tasks_for_manager(manager_id: int) -> list[TaskView]:
    """The open and running tasks of the grids I manage, the nearest promise first."""
    grid_ids = list(db.session().exec(select(Grid.id).where(Grid.manager_id == manager_id)))
    rows = list(
        db.session().exec(
            select(Task).where(
                Task.grid_id.in_(grid_ids), Task.status.in_(("open", "failed", *ACTIVE))
            )
        )
    )
    return sorted((_view(t, manager_id) for t in rows), key=_nearest_first)


def task_for_manager(task_id: int, manager_id: int) -> TaskView:
    """A task of a grid I manage; anyone else's is NotFound."""
    task = db.session().get(Task, task_id)
    grid = db.session().get(Grid, task.grid_id) if task and task.grid_id else None
    if task is None or grid is None or grid.manager_id != manager_id:
        raise NotFound(_("No such task."))
    return _view(task, manager_id)


def staff_of_grid_with_role(grid_id: int, role: str) -> list[StaffRow]:
    """Who a manager may give a task of this role to."""
    return [s for s in _grid_view(db.session().get(Grid, grid_id)).staff if s.staff_role == role]


@dataclass(frozen=True)
class LeaderRow:
    """One staff member on a grid's board for a month."""

    staff_id: int
    name: str
    pieces: int
    promises_met: int
    promises_judged: int
    earned_minor: int
    level: str
    badges: tuple[str, ...]


#: (fewest pieces in the month, level), highest first.
LEVELS = ((150, "star"), (50, "expert"), (10, "skilled"), (0, "new"))


def level_of(pieces: int) -> str:
    """The month's level for a number of pieces done."""
    return next(name for floor, name in LEVELS if pieces >= floor)


def badges_of(pieces: int, met: int, judged: int) -> tuple[str, ...]:
    """Badges earned in the month: every promise kept (five or more), a hundred pieces."""
    badges = []
    if judged >= 5 and met == judged:
        badges.append("on_time")
    if pieces >= 100:
        badges.append("hundred")
    return tuple(badges)


def leaderboard(grid_id: int, month: date) -> list[LeaderRow]:
    """A grid's staff for a month: pieces done, promises kept, earnings; most pieces first.

    Promises count as the staff measure counts them: on the tasks done in the month and those
    failed, a failure outside the person's control (`rules.OUTSIDE_CONTROL`) judging no miss.
    """
    from fulfilment.models import Credit
    from fulfilment.services.statements import month_bounds

    start, end = month_bounds(month)
    s = db.session()
    held = s.exec(
        select(Task.assignee_id, Task.order_id, Task.status, Task.fail_cause).where(
            Task.grid_id == grid_id,
            ((Task.status == "done") & (Task.done_at >= start) & (Task.done_at < end))
            | ((Task.status == "failed") & (Task.created_at >= start) & (Task.created_at < end)),
        )
    ).all()
    pieces: dict[int, int] = defaultdict(int)
    for who, _order_id, status, _cause in held:
        pieces[who] += status == "done"
    fair = _fair_promises([(who, order_id, cause) for who, order_id, _st, cause in held])
    staff = {row.user_id: row.name for row in _grid_view(s.get(Grid, grid_id)).staff}
    earned = dict(
        s.exec(
            select(Credit.staff_id, func.sum(Credit.amount_minor))
            .where(
                Credit.staff_id.in_(list(staff)),
                Credit.status != "reversed",
                Credit.created_at >= start,
                Credit.created_at < end,
            )
            .group_by(Credit.staff_id)
        ).all()
    )
    rows = []
    for staff_id, name in staff.items():
        met, judged = fair.get(staff_id, (0, 0))
        done = pieces[staff_id]
        earned_minor = int(earned.get(staff_id) or 0)
        badges = badges_of(done, met, judged)
        rows.append(
            LeaderRow(staff_id, name, done, met, judged, earned_minor, level_of(done), badges)
        )
    rows.sort(key=lambda r: (-r.pieces, -r.promises_met, r.staff_id))
    return rows


def _fair_promises(held: list[tuple[int, int, str]]) -> dict[int, tuple[int, int]]:
    """Per person, the promises (met, judged) of the tasks they held, counted fairly."""
    counts = orders.api.promise_counts([order_id for _who, order_id, _cause in held])
    fair: dict[int, tuple[int, int]] = {}
    for who, order_id, cause in held:
        met, judged = rules.fair_promises(*counts.get(order_id, (0, 0)), cause)
        was = fair.get(who, (0, 0))
        fair[who] = (was[0] + met, was[1] + judged)
    return fair


def require_grid_member(grid_id: int, user_id: int, roles: frozenset[str]) -> None:
    """The grid's manager, its staff, or the operator; anyone else gets NotFound."""
    grid = db.session().get(Grid, grid_id)
    if grid is None:
        raise NotFound(_("No such grid."))
    if "operator" in roles or grid.manager_id == user_id:
        return
    if db.session().get(GridStaff, (grid_id, user_id)) is None:
        raise NotFound(_("No such grid."))


def find_staff_by_number(employee_no: str) -> StaffMember | None:
    """The staff member with this employee number (their referral code), or None."""
    return (
        db.session()
        .exec(select(StaffMember).where(StaffMember.employee_no == employee_no[:20]))
        .first()
    )


@dataclass(frozen=True)
class RequestView:
    """A service request as staff, its resident and the operator see it."""

    id: int
    kind: str
    text: str
    place: str
    building: str | None
    contact_name: str
    phone_masked: str
    status: str
    wanted_at: datetime | None
    accept_by: datetime
    arrive_by: datetime
    accept_met: bool | None
    arrive_met: bool | None
    assignee_id: int | None
    next_action: str | None
    due_kind: str | None
    due_by: datetime | None
    created_at: datetime
    note: str


def _request_view(req: ServiceRequest, viewer_id: int | None) -> RequestView:
    s = db.session()
    point = s.get(Touchpoint, req.touchpoint_id)
    building = s.get(Building, req.building_id) if req.building_id else None
    # Offered to a colleague: theirs until the time to accept runs out, then anyone's.
    mine = viewer_id is not None and (
        req.assignee_id in (None, viewer_id)
        or (req.status == "open" and db.utcnow() > db.aware(req.accept_by))
    )
    due_kind, due_by = None, None
    if req.status == "open":
        due_kind, due_by = "accept", db.aware(req.accept_by)
    elif req.status == "accepted":
        due_kind, due_by = "arrive", db.aware(req.arrive_by)
    return view_of(
        RequestView,
        req,
        place=point.label if point else "",
        building=building.name if building else None,
        phone_masked=mask_phone(req.contact_phone),
        wanted_at=db.aware(req.wanted_at) if req.wanted_at else None,
        accept_by=db.aware(req.accept_by),
        arrive_by=db.aware(req.arrive_by),
        next_action=process.next_request_action(req.status) if mine else None,
        due_kind=due_kind,
        due_by=due_by,
        created_at=db.aware(req.created_at),
    )


def requests_for_staff(user_id: int) -> list[RequestView]:
    """Active requests of the staff member's grids offered to them or to nobody, and theirs."""
    grids = _my_grid_ids(user_id)
    if not grids:
        return []
    rows = db.session().exec(
        select(ServiceRequest)
        .where(
            ServiceRequest.grid_id.in_(grids),
            ServiceRequest.status.in_(("open", "accepted", "arrived")),
        )
        .order_by(ServiceRequest.accept_by)
    )
    views = [_request_view(r, user_id) for r in rows]
    return [v for v in views if v.assignee_id in (None, user_id) or v.status == "open"]


def request_for_staff(request_id: int, user_id: int) -> RequestView:
    """One request of the staff member's grids; NotFound for any other."""
    req = db.session().get(ServiceRequest, request_id)
    if req is None or req.grid_id not in _my_grid_ids(user_id):
        raise NotFound(_("No such request."))
    return _request_view(req, user_id)


def request_for_resident_or_public(request_id: int) -> RequestView:
    """A request just opened, as its sender sees it."""
    req = db.session().get(ServiceRequest, request_id)
    if req is None:
        raise NotFound(_("No such request."))
    return _request_view(req, None)


def requests_for_resident(resident_id: int) -> list[RequestView]:
    """The resident's own requests, newest first."""
    rows = db.session().exec(
        select(ServiceRequest)
        .where(ServiceRequest.resident_id == resident_id)
        .order_by(ServiceRequest.created_at.desc())
        .limit(50)
    )
    return [_request_view(r, None) for r in rows]


@dataclass(frozen=True)
class TouchpointView:
    """A QR touchpoint: where it hangs, where its requests go, and its link."""

    id: int
    community_id: int
    kind: str
    label: str
    code: str
    building: str | None
    grid: str | None
    is_active: bool


def grids_of_communities(community_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Each community's grids as (id, name)."""
    out: dict[int, list[tuple[int, str]]] = {c: [] for c in community_ids}
    for grid in db.session().exec(select(Grid).order_by(Grid.name)):
        if grid.community_id in out:
            out[grid.community_id].append((grid.id, grid.name))
    return out


def touchpoints(community_id: int | None = None) -> list[TouchpointView]:
    """The touchpoints (of one community), by label."""
    s = db.session()
    stmt = select(Touchpoint).order_by(Touchpoint.community_id, Touchpoint.label)
    if community_id is not None:
        stmt = stmt.where(Touchpoint.community_id == community_id)
    out = []
    for point in s.exec(stmt):
        building = s.get(Building, point.building_id) if point.building_id else None
        grid_id = point.grid_id or (
            s.exec(
                select(GridBuilding.grid_id).where(GridBuilding.building_id == point.building_id)
            ).first()
        )
        grid = s.get(Grid, grid_id) if grid_id else None
        out.append(
            view_of(
                TouchpointView,
                point,
                building=building.name if building else None,
                grid=grid.name if grid else None,
            )
        )
    return out


def me_section(user_id: int) -> dict[str, Any] | None:
    """What `GET /me` tells a staff member: number, role, duty and grids (None for others)."""
    member = find_staff_member(user_id)
    if member is None:
        return None
    return {
        "employee_no": member.employee_no,
        "staff_role": member.staff_role,
        "is_on_duty": member.is_on_duty,
        "grids": [{"id": g.id, "name": g.name} for g in grids_of_staff(user_id)],
    }


def staff_view(user_id: int) -> dict[str, Any]:
    """A staff member as StaffOutSchema dumps it. Raises NotFound."""
    member = db.session().get(StaffMember, user_id)
    user = db.session().get(User, user_id)
    if member is None or user is None:
        raise NotFound(_("No such staff member."))
    return {
        "user_id": user_id,
        "display_name": user.display_name,
        "employee_no": member.employee_no,
        "staff_role": member.staff_role,
        "is_on_duty": member.is_on_duty,
        "is_active": user.is_active,
        "grid_ids": _my_grid_ids(user_id),
    }


def staff_of(viewer_id: int, *, is_operator: bool) -> list[dict[str, Any]]:
    """Every staff member (the operator), or those of the manager's grids."""
    s = db.session()
    if is_operator:
        ids = s.exec(select(StaffMember.user_id).order_by(StaffMember.user_id)).all()
    else:
        ids = s.exec(
            select(GridStaff.user_id)
            .join(Grid, Grid.id == GridStaff.grid_id)
            .where(Grid.manager_id == viewer_id)
            .distinct()
            .order_by(GridStaff.user_id)
        ).all()
    return [staff_view(i) for i in ids]


@dataclass(frozen=True)
class WaitingResident:
    """A new resident of the staff member's grids waiting for their home to be confirmed."""

    user_id: int
    name: str
    building: str
    room: str
    phone_masked: str


def residents_to_confirm(user_id: int) -> list[WaitingResident]:
    """New residents of a butler's grids whose homes are not verified yet (others: none)."""
    member = find_staff_member(user_id)
    if member is None or member.staff_role != "butler":
        return []
    s = db.session()
    buildings = list(
        s.exec(
            select(GridBuilding.building_id).where(GridBuilding.grid_id.in_(_my_grid_ids(user_id)))
        )
    )
    if not buildings:
        return []
    names = {b.id: b.name for b in s.exec(select(Building).where(Building.id.in_(buildings)))}
    return [
        WaitingResident(
            user.id, user.display_name, names[p.building_id], p.room, mask_phone(p.phone)
        )
        for user, p in accounts.waiting_residents(buildings)
    ]


def manager_view(user: User, grid_ids: list[int]) -> dict[str, Any]:
    """A project manager as ManagerOutSchema dumps it."""
    return {
        "user_id": user.id,
        "display_name": user.display_name,
        "email": user.email,
        "phone": user.phone,
        "grid_ids": grid_ids,
    }


def household_buildings(user_id: int, *, is_operator: bool) -> list[int] | None:
    """The buildings whose households a user keeps (None: all, for the operator).

    A butler keeps their grids' buildings; anyone else none.
    """
    if is_operator:
        return None
    member = find_staff_member(user_id)
    if member is None or member.staff_role != "butler":
        return []
    grids = _my_grid_ids(user_id)
    if not grids:
        return []
    return list(
        db.session().exec(select(GridBuilding.building_id).where(GridBuilding.grid_id.in_(grids)))
    )


def people_of_managed_grids(manager_id: int) -> tuple[set[int], set[int], set[int]]:
    """(people, grids, buildings) of the grids a manager runs.

    The people are the manager, their grids' staff and the residents of their buildings.
    """
    s = db.session()
    grids = set(s.exec(select(Grid.id).where(Grid.manager_id == manager_id)))
    buildings = set(s.exec(select(GridBuilding.building_id).where(GridBuilding.grid_id.in_(grids))))
    people = {manager_id}
    people |= set(s.exec(select(GridStaff.user_id).where(GridStaff.grid_id.in_(grids))))
    people |= set(
        s.exec(select(ResidentProfile.user_id).where(ResidentProfile.building_id.in_(buildings)))
    )
    return people, grids, buildings


@dataclass(frozen=True)
class GridRef:
    """A grid with its buildings and staff."""

    id: int
    community_id: int
    name: str
    manager_id: int | None
    building_ids: tuple[int, ...]
    staff_ids: tuple[int, ...]


def grid_ref(grid: Grid) -> GridRef:
    """The frozen view of a grid row."""
    s = db.session()
    buildings = s.exec(select(GridBuilding.building_id).where(GridBuilding.grid_id == grid.id))
    staff = s.exec(select(GridStaff.user_id).where(GridStaff.grid_id == grid.id))
    return GridRef(
        id=grid.id,
        community_id=grid.community_id,
        name=grid.name,
        manager_id=grid.manager_id,
        building_ids=tuple(sorted(buildings)),
        staff_ids=tuple(sorted(staff)),
    )


def list_grids(community_id: int | None = None) -> list[GridRef]:
    """All grids, or those of one community (three queries however many grids)."""
    s = db.session()
    stmt = select(Grid).order_by(Grid.id)
    if community_id is not None:
        stmt = stmt.where(Grid.community_id == community_id)
    grids = list(s.exec(stmt))
    ids = [g.id for g in grids]
    buildings: dict[int, list[int]] = defaultdict(list)
    staff: dict[int, list[int]] = defaultdict(list)
    for grid_id, building_id in s.exec(
        select(GridBuilding.grid_id, GridBuilding.building_id).where(GridBuilding.grid_id.in_(ids))
    ):
        buildings[grid_id].append(building_id)
    for grid_id, user_id in s.exec(
        select(GridStaff.grid_id, GridStaff.user_id).where(GridStaff.grid_id.in_(ids))
    ):
        staff[grid_id].append(user_id)
    return [
        GridRef(
            id=g.id,
            community_id=g.community_id,
            name=g.name,
            manager_id=g.manager_id,
            building_ids=tuple(sorted(buildings[g.id])),
            staff_ids=tuple(sorted(staff[g.id])),
        )
        for g in grids
    ]


def get_grid(grid_id: int) -> GridRef:
    """The grid with this id. Raises NotFound."""
    grid = db.session().get(Grid, grid_id)
    if grid is None:
        raise NotFound(_("No such grid."))
    return grid_ref(grid)


def grid_of_building(building_id: int) -> Grid | None:
    """The grid a building is in, if any."""
    return (
        db.session()
        .exec(
            select(Grid)
            .join(GridBuilding, GridBuilding.grid_id == Grid.id)
            .where(GridBuilding.building_id == building_id)
        )
        .first()
    )


def works_in_grid(user_id: int, grid_id: int | None) -> bool:
    """Whether a staff member covers this grid."""
    return grid_id is not None and db.session().get(GridStaff, (grid_id, user_id)) is not None
