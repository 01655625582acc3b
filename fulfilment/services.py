"""Write operations of fulfilment. Services flush; the caller commits."""

from __future__ import annotations

from flask_babel import gettext as _

from fulfilment.models import StaffMember
from shop.core import audit, db
from shop.core.errors import NotFound


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
