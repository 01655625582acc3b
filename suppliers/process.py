"""The supplier process as data: which action moves which status to which, and who may act."""

from __future__ import annotations

from dataclasses import dataclass

from suppliers.models import SupplierStatus as S

#: Marks a transition that returns the supplier to the status it had before suspension.
PREVIOUS = "previous"


@dataclass(frozen=True)
class Transition:
    """One allowed step: from a status, by an action, to a status, for these actors."""

    source: str
    action: str
    target: str
    actors: frozenset[str]
    needs_reason: bool = True


def _t(source: S, action: str, target: str, *actors: str, needs_reason: bool = True) -> Transition:
    return Transition(source.value, action, target, frozenset(actors), needs_reason)


TRANSITIONS: tuple[Transition, ...] = (
    _t(S.SUBMITTED, "start_review", S.UNDER_REVIEW, "operator", needs_reason=False),
    _t(S.SUBMITTED, "approve", S.APPROVED_PROBATION, "operator"),
    _t(S.SUBMITTED, "reject", S.REJECTED, "operator"),
    _t(S.SUBMITTED, "request_info", S.MORE_INFO_REQUESTED, "operator"),
    _t(S.UNDER_REVIEW, "approve", S.APPROVED_PROBATION, "operator"),
    _t(S.UNDER_REVIEW, "reject", S.REJECTED, "operator"),
    _t(S.UNDER_REVIEW, "request_info", S.MORE_INFO_REQUESTED, "operator"),
    _t(S.MORE_INFO_REQUESTED, "resubmit", S.UNDER_REVIEW, "supplier", needs_reason=False),
    _t(S.MORE_INFO_REQUESTED, "reject", S.REJECTED, "operator"),
    _t(S.APPROVED_PROBATION, "graduate", S.ACTIVE, "system", needs_reason=False),
    _t(S.APPROVED_PROBATION, "suspend", S.SUSPENDED, "operator", "system"),
    _t(S.ACTIVE, "suspend", S.SUSPENDED, "operator", "system"),
    _t(S.SUSPENDED, "reinstate", PREVIOUS, "operator"),
)

#: The decisions an operator takes through the API (`POST /suppliers/{id}/decisions`).
DECISIONS = ("approve", "reject", "request_info", "suspend", "reinstate")
#: Statuses in which a supplier may sell (its bundles may be published).
SELLING = frozenset({S.APPROVED_PROBATION.value, S.ACTIVE.value})
#: Statuses in which the supplier may still prepare or change its catalogue.
EDITING = frozenset(
    {
        S.SUBMITTED.value,
        S.UNDER_REVIEW.value,
        S.MORE_INFO_REQUESTED.value,
        S.APPROVED_PROBATION.value,
        S.ACTIVE.value,
    }
)


def find_transition(status: str, action: str) -> Transition | None:
    """The transition for `action` from `status`, or None if the table has none."""
    return next((t for t in TRANSITIONS if t.source == status and t.action == action), None)


def actions_for(status: str, actor: str) -> list[str]:
    """The actions `actor` may take on a supplier in `status`, in table order."""
    return [t.action for t in TRANSITIONS if t.source == status and actor in t.actors]
