"""Human words for staff roles, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAFF_ROLE = {
    "butler": _l("Butler"),
    "guard": _l("Guard"),
    "cleaner": _l("Cleaner"),
    "technician": _l("Technician"),
}


def staff_role_label(role: str) -> str:
    """The translated name of a staff role."""
    return str(STAFF_ROLE.get(role, role))
