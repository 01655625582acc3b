"""The audit log: consequential actions recorded in the caller's transaction."""

from __future__ import annotations

from typing import Any

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
