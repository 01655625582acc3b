"""Human words for catalogue states and segments, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {"draft": _l("Draft"), "published": _l("On sale"), "withdrawn": _l("Withdrawn")}
SEGMENT = {"mass": _l("Everyone"), "premium": _l("Premium"), "care": _l("Care")}


def bundle_status_label(status: str) -> str:
    """The translated name of a bundle status."""
    return str(STATUS.get(status, status))


def segment_label(segment: str) -> str:
    """The translated name of a segment."""
    return str(SEGMENT.get(segment, segment))
