"""The audit log: consequential actions recorded in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import or_, select

from shop.core import db
from shop.core.models import AuditEntry, User


def record(
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: object,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry (flushed, committed by the caller)."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=data or {},
    )
    db.session().add(entry)
    db.session().flush()
    return entry


@dataclass(frozen=True)
class AuditView:
    """One entry as the audit page shows it, with the actor's name."""

    id: int
    at: datetime
    actor_id: int | None
    actor: str
    action: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]


@dataclass(frozen=True)
class AuditFilter:
    """Who, what (an action or its prefix: "supplier."), which object, and when."""

    actor: str = ""  # an email, a phone or a user id
    action: str = ""
    subject_type: str = ""
    subject_id: str = ""
    since: date | None = None
    until: date | None = None
    within: AuditScope | None = None  # None: everything (the operator)


@dataclass(frozen=True)
class AuditScope:
    """The part of the log a manager sees.

    What their people did, and what was done to them, their grids and their buildings.
    """

    user_ids: frozenset[int]
    grid_ids: frozenset[int] = frozenset()
    building_ids: frozenset[int] = frozenset()


def _scoped(stmt: Any, scope: AuditScope) -> Any:
    def about(kinds: tuple[str, ...], ids: frozenset[int]) -> Any:
        return AuditEntry.subject_type.in_(kinds) & AuditEntry.subject_id.in_(
            [str(i) for i in sorted(ids)]
        )

    return stmt.where(
        or_(
            AuditEntry.actor_id.in_(sorted(scope.user_ids)),
            about(("user", "resident", "staff"), scope.user_ids),
            about(("grid",), scope.grid_ids),
            about(("building",), scope.building_ids),
        )
    )


def _statement(f: AuditFilter) -> Any:
    stmt = select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.actor_id)
    if f.within is not None:
        stmt = _scoped(stmt, f.within)
    if f.actor:
        who = f.actor.strip()
        stmt = stmt.where(
            or_(User.email == who.lower(), User.phone == who)
            if not who.isdigit() or len(who) > 9
            else AuditEntry.actor_id == int(who)
        )
    if f.action:
        stmt = stmt.where(AuditEntry.action.startswith(f.action.strip(), autoescape=True))
    if f.subject_type:
        stmt = stmt.where(AuditEntry.subject_type == f.subject_type.strip())
    if f.subject_id:
        stmt = stmt.where(AuditEntry.subject_id == f.subject_id.strip())
    if f.since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(f.since, time.min, tzinfo=UTC))
    if f.until:
        stmt = stmt.where(
            AuditEntry.at < datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=UTC)
        )
    return stmt


def _view(entry: AuditEntry, name: str | None) -> AuditView:
    return AuditView(
        id=entry.id,
        at=db.aware(entry.at),
        actor_id=entry.actor_id,
        actor=name or ("system" if entry.actor_id is None else str(entry.actor_id)),
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        data=dict(entry.data),
    )


def search(f: AuditFilter, *, page: int = 1, per_page: int = 50) -> tuple[list[AuditView], int]:
    """A page of entries matching the filter, newest first, and how many match."""
    stmt = _statement(f).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    rows, total = db.page(stmt, page, per_page)
    return [_view(e, n) for e, n in rows], total


def each(f: AuditFilter, *, batch: int = 1000) -> Iterator[AuditView]:
    """Every matching entry, oldest first, read in batches (for the CSV export)."""
    s = db.session()
    last = 0
    while True:
        rows = s.exec(
            _statement(f).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        for entry, name in rows:
            yield _view(entry, name)
        last = rows[-1][0].id
