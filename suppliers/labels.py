"""Human words for supplier states, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "submitted": _l("Submitted"),
    "under_review": _l("Under review"),
    "more_info_requested": _l("More information requested"),
    "approved_probation": _l("Approved, on probation"),
    "active": _l("Active"),
    "rejected": _l("Rejected"),
    "suspended": _l("Suspended"),
}


def status_label(status: str) -> str:
    """The translated name of a supplier status."""
    return str(STATUS.get(status, status))
