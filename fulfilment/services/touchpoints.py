"""Touchpoints and the service requests they open: 报事 (report) and 预约 (booking).

Every building and public spot (lobby, lamp-post, parcel room) carries a QR code. Scanning it
opens a request routed to the grid of that building (or the spot's grid) and offered to its
butler on duty with the lightest load; with nobody on duty the whole grid and its manager are
told. A request carries two promises, accepted by `accept_by` and staff on the spot by
`arrive_by`, judged from the times staff record; a job marks the ones that ran out.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import func, select

from fulfilment import process
from fulfilment.errors import RequestTaken, WrongStep
from fulfilment.models import (
    Grid,
    GridBuilding,
    GridStaff,
    ServiceRequest,
    StaffMember,
    Touchpoint,
)
from shop.core import accounts, audit, db, notifications
from shop.core.errors import Forbidden, Invalid, NotFound
from shop.core.models import Building, Community, User

ACTIVE = ("open", "accepted", "arrived")


def _code() -> str:
    return secrets.token_urlsafe(9)[:12]


def create_touchpoint(
    *,
    actor_id: int,
    community_id: int,
    kind: str,
    label: str,
    building_id: int | None = None,
    grid_id: int | None = None,
) -> Touchpoint:
    """Add a QR touchpoint; a building's is routed by the building, a spot's by `grid_id`."""
    s = db.session()
    if s.get(Community, community_id) is None:
        raise Invalid(_("No such community."), fields={"community_id": [_("No such community.")]})
    if building_id is not None:
        building = s.get(Building, building_id)
        if building is None or building.community_id != community_id:
            message = _("Not a building of this community.")
            raise Invalid(message, fields={"building_id": [message]})
    if grid_id is not None:
        grid = s.get(Grid, grid_id)
        if grid is None or grid.community_id != community_id:
            message = _("Not a grid of this community.")
            raise Invalid(message, fields={"grid_id": [message]})
    if building_id is None and grid_id is None:
        message = _("Give the building, or the grid that serves this spot.")
        raise Invalid(message, fields={"grid_id": [message]})
    point = Touchpoint(
        community_id=community_id,
        building_id=building_id,
        grid_id=grid_id,
        kind=kind,
        label=label.strip(),
        code=_code(),
    )
    s.add(point)
    s.flush()
    audit.record(
        actor_id=actor_id,
        action="touchpoint.created",
        subject_type="touchpoint",
        subject_id=point.id,
        data={"label": point.label, "kind": kind},
    )
    return point


def active_touchpoint(code: str) -> Touchpoint:
    """The active touchpoint of a scanned code; NotFound otherwise."""
    point = db.session().exec(select(Touchpoint).where(Touchpoint.code == code)).first()
    if point is None or not point.is_active:
        raise NotFound(_("This code is not in use."))
    return point


def grid_of(point: Touchpoint) -> int | None:
    """The grid a touchpoint's requests go to."""
    if point.grid_id is not None:
        return point.grid_id
    return (
        db.session()
        .exec(select(GridBuilding.grid_id).where(GridBuilding.building_id == point.building_id))
        .first()
    )


def _pick_butler(grid_id: int | None) -> int | None:
    """The grid's butler on duty with the fewest active requests."""
    if grid_id is None:
        return None
    load = (
        select(func.count(ServiceRequest.id))
        .where(
            ServiceRequest.assignee_id == StaffMember.user_id,
            ServiceRequest.status.in_(ACTIVE),
        )
        .scalar_subquery()
    )
    row = (
        db.session()
        .exec(
            select(StaffMember.user_id, load.label("load"))
            .join(GridStaff, GridStaff.user_id == StaffMember.user_id)
            .where(
                GridStaff.grid_id == grid_id,
                StaffMember.is_on_duty,
                StaffMember.staff_role == "butler",
            )
            .order_by("load", StaffMember.user_id)
        )
        .first()
    )
    return row[0] if row else None


def _grid_people(grid_id: int | None) -> list[int]:
    if grid_id is None:
        return []
    s = db.session()
    butlers = s.exec(
        select(StaffMember.user_id)
        .join(GridStaff, GridStaff.user_id == StaffMember.user_id)
        .where(GridStaff.grid_id == grid_id, StaffMember.staff_role == "butler")
    ).all()
    manager = s.get(Grid, grid_id).manager_id
    return list(butlers) + ([manager] if manager else [])


def _tell(user_id: int, req: ServiceRequest, kind: str) -> None:
    from fulfilment import labels

    subjects = {
        "request_assigned": lambda: _("New service request at %(place)s", place=_place(req)),
        "request_waiting": lambda: _(
            "A service request is waiting at %(place)s", place=_place(req)
        ),
        "request_missed": lambda: _("A service request ran late at %(place)s", place=_place(req)),
        "request_accepted": lambda: _("Your request was accepted"),
        "request_done": lambda: _("Your request is done"),
    }
    links = {
        "request_assigned": f"/staff/requests/{req.id}",
        "request_waiting": f"/staff/requests/{req.id}",
        "request_missed": "/manager",
        "request_accepted": "/requests",
        "request_done": "/requests",
    }
    notifications.notify(
        user_id,
        kind,
        lambda: (subjects[kind](), labels.request_kind_label(req.kind) + " · " + req.text[:80]),
        link=links[kind],
        dedupe_key=f"{kind}:{req.id}:{user_id}",
    )


def _place(req: ServiceRequest) -> str:
    point = db.session().get(Touchpoint, req.touchpoint_id)
    return point.label if point else ""


def _contact(data: dict[str, Any], resident_id: int | None) -> tuple[str, str]:
    """Who to call back: as given, else the logged-in resident's name and phone (422 if none)."""
    contact_name, contact_phone = data.get("contact_name", ""), data.get("contact_phone", "")
    if resident_id is not None:
        user = db.session().get(User, resident_id)
        address = accounts.find_resident_address(resident_id)
        contact_name = contact_name or user.display_name
        contact_phone = contact_phone or user.phone or (address.phone if address else "")
    missing = {
        field: [_("Missing data for required field.")]
        for field, value in (("contact_name", contact_name), ("contact_phone", contact_phone))
        if not value
    }
    if missing:
        raise Invalid(_("Tell us who to call back."), fields=missing)
    return contact_name, contact_phone


def _promised_times(
    kind: str, wanted: datetime | None, now: datetime
) -> tuple[datetime | None, datetime, datetime]:
    """(wanted, accept by, arrive by) of a new request.

    A booking's run from the wanted time, which must lie between the time to accept and the
    days ahead allowed (422 otherwise).
    """
    cfg = current_app.config
    accept_by = now + timedelta(minutes=int(cfg["REQUEST_ACCEPT_MINUTES"]))
    if kind != "booking":
        return None, accept_by, now + timedelta(minutes=int(cfg["REQUEST_ARRIVE_MINUTES"]))
    wanted = db.aware(wanted) if wanted else None
    latest = now + timedelta(days=int(cfg["REQUEST_BOOKING_DAYS_AHEAD"]))
    if wanted is None or not accept_by <= wanted <= latest:
        message = _(
            "Pick a time from %(minutes)d minutes to %(days)d days from now.",
            minutes=int(cfg["REQUEST_ACCEPT_MINUTES"]),
            days=int(cfg["REQUEST_BOOKING_DAYS_AHEAD"]),
        )
        raise Invalid(message, fields={"wanted_at": [message]})
    return wanted, accept_by, wanted + timedelta(minutes=int(cfg["REQUEST_BOOKING_GRACE_MINUTES"]))


def open_request(*, code: str, data: dict[str, Any], resident_id: int | None) -> ServiceRequest:
    """Open a report or booking from a scanned code, with its promises, and offer it.

    `data`: kind, text, wanted_at (bookings), contact_name and contact_phone (required when
    nobody is logged in; a resident's own account fills them).
    """
    point = active_touchpoint(code)
    now = db.utcnow()
    contact_name, contact_phone = _contact(data, resident_id)
    wanted, accept_by, arrive_by = _promised_times(data["kind"], data.get("wanted_at"), now)
    grid_id = grid_of(point)
    req = ServiceRequest(
        touchpoint_id=point.id,
        community_id=point.community_id,
        building_id=point.building_id,
        grid_id=grid_id,
        resident_id=resident_id,
        contact_name=contact_name[:40],
        contact_phone=contact_phone[:32],
        kind=data["kind"],
        text=data["text"].strip(),
        wanted_at=wanted,
        accept_by=accept_by,
        arrive_by=arrive_by,
        created_at=now,
    )
    s = db.session()
    s.add(req)
    s.flush()
    butler = _pick_butler(grid_id)
    req.assignee_id = butler
    process.REQUEST.note(
        req, "open", "resident", resident_id, previous="", data={"offered_to": butler}
    )
    if butler is not None:
        _tell(butler, req, "request_assigned")
    else:
        for user_id in _grid_people(grid_id):
            _tell(user_id, req, "request_waiting")
    s.flush()
    return req


def _in_grid(user_id: int, grid_id: int | None) -> bool:
    return grid_id is not None and db.session().get(GridStaff, (grid_id, user_id)) is not None


def act(*, request_id: int, staff_id: int, action: str, note: str = "") -> ServiceRequest:
    """A staff member of the request's grid accepts, arrives or finishes it.

    Accepting takes a request offered to them or to nobody (409 `request_taken` if a colleague
    was first); the later steps are the assignee's only. Each step records its time, and the
    promise it decides is judged met or missed on the spot.
    """
    s = db.session()
    req = s.get(ServiceRequest, request_id, with_for_update=True)
    if req is None or not _in_grid(staff_id, req.grid_id):
        raise NotFound(_("No such request."))
    if action == "accept" and req.status != "open" and req.assignee_id != staff_id:
        raise RequestTaken(_("A colleague has this request."))
    step = process.REQUEST.find(req.status, action)
    if step is None or "staff" not in step.actors:
        raise WrongStep(_("This request cannot be given that step now."))
    now = db.utcnow()
    if action == "accept":
        if req.assignee_id not in (None, staff_id):
            offered = s.get(StaffMember, req.assignee_id)
            # Offered to a colleague: theirs while they are on duty and the time to accept
            # lasts; after that anyone of the grid may take it.
            if offered is not None and offered.is_on_duty and now <= db.aware(req.accept_by):
                raise RequestTaken(_("A colleague has this request."))
        req.assignee_id, req.accepted_at = staff_id, now
        req.accept_met = now <= db.aware(req.accept_by)
    elif req.assignee_id != staff_id:
        raise Forbidden(_("Only the staff member who accepted it can do this."))
    elif action == "arrive":
        req.arrived_at = now
        req.arrive_met = now <= db.aware(req.arrive_by)
        if req.accept_met is None:
            req.accept_met = False
    elif action == "finish":
        req.done_at, req.note = now, note.strip()[:500]
    process.REQUEST.apply(req, action, "staff", staff_id, data={"note": note} if note else None)
    if req.resident_id is not None and action in ("accept", "finish"):
        _tell(req.resident_id, req, "request_accepted" if action == "accept" else "request_done")
    s.flush()
    return req


def cancel(*, request_id: int, resident_id: int) -> ServiceRequest:
    """The resident takes back their own request before staff arrive."""
    s = db.session()
    req = s.get(ServiceRequest, request_id, with_for_update=True)
    if req is None or req.resident_id != resident_id:
        raise NotFound(_("No such request."))
    if process.REQUEST.find(req.status, "cancel") is None:
        raise WrongStep(_("Staff are already there; please tell them."))
    process.REQUEST.apply(req, "cancel", "resident", resident_id)
    s.flush()
    return req


def judge_overdue(now: datetime | None = None) -> int:
    """Mark the promises that ran out (accept, arrive) as missed and tell the manager.

    Idempotent: a promise already judged is left alone. Returns how many were marked.
    """
    now = now or db.utcnow()
    s = db.session()
    marked = 0
    late_accept = s.exec(
        select(ServiceRequest)
        .where(
            ServiceRequest.status == "open",
            ServiceRequest.accept_met.is_(None),
            ServiceRequest.accept_by < now,
        )
        .with_for_update()
        .limit(500)
    ).all()
    late_arrive = s.exec(
        select(ServiceRequest)
        .where(
            ServiceRequest.status.in_(("open", "accepted")),
            ServiceRequest.arrive_met.is_(None),
            ServiceRequest.arrive_by < now,
        )
        .with_for_update()
        .limit(500)
    ).all()
    for req in late_accept:
        req.accept_met = False
        process.REQUEST.note(req, "missed_accept", "system", None, previous=req.status)
        marked += 1
    for req in late_arrive:
        req.arrive_met = False
        if req.accept_met is None:
            req.accept_met = False
        process.REQUEST.note(req, "missed_arrive", "system", None, previous=req.status)
        marked += 1
    for req in {r.id: r for r in [*late_accept, *late_arrive]}.values():
        grid = s.get(Grid, req.grid_id) if req.grid_id else None
        if grid is not None and grid.manager_id:
            _tell(grid.manager_id, req, "request_missed")
    s.flush()
    return marked
