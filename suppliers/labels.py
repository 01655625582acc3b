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


DECISION = {
    "approve": _l("Approve (into probation)"),
    "reject": _l("Reject"),
    "request_info": _l("Ask for more information"),
    "suspend": _l("Suspend"),
    "reinstate": _l("Reinstate"),
}


def decision_options(actions: list[str]) -> list[tuple[str, str]]:
    """(value, label) pairs for the decision select."""
    return [(a, str(DECISION.get(a, a))) for a in actions]


ACTION = {
    "submit": _l("Application submitted"),
    "start_review": _l("Review started"),
    "resubmit": _l("Sent back for review"),
    "graduate": _l("Graduated from probation"),
    **DECISION,
}
ACTOR = {"operator": _l("Operator"), "supplier": _l("Supplier"), "system": _l("System")}
DOCUMENT = {
    "licence": _l("Business licence"),
    "food_safety": _l("Food-safety certificate"),
    "other": _l("Other certificates"),
}


def event_label(action: str, actor_role: str) -> str:
    """What happened and who did it, e.g. "Approve (into probation) · Operator"."""
    return f"{ACTION.get(action, action)} · {ACTOR.get(actor_role, actor_role)}"


def document_label(kind: str) -> str:
    """The translated name of a document kind."""
    return str(DOCUMENT.get(kind, kind))
