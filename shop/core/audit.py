"""The audit log: consequential actions recorded in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from shop.core import db
from shop.core.models import AuditEntry


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


def list_for(subject_type: str, subject_id: object) -> list[AuditEntry]:
    """Entries about one subject, oldest first."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == str(subject_id))
        .order_by(AuditEntry.id)
    )
    return list(db.session().exec(stmt))
