"""The supplier process as data, on the kernel's engine (`shop.core.process`).

Which action moves which status to which, who may act, the guard each step must pass and what
follows it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import select

from shop.core import db
from shop.core.errors import Invalid
from shop.core.process import Context, Process, Transition, register, step
from suppliers import signals
from suppliers.models import Supplier, SupplierEvent
from suppliers.models import SupplierStatus as S

#: Marks a transition that returns the supplier to the status it had before suspension.
PREVIOUS = "previous"
_WHY = ("reason_given",)


def _t(
    source: S, action: str, target: str, actors: str, *, why: bool = True, then: str = ""
) -> Transition:
    guards = _WHY if why else ()
    return step(source.value, action, target, actors, guards=guards, effects=tuple(then.split()))


TRANSITIONS: tuple[Transition, ...] = (
    _t(S.SUBMITTED, "start_review", S.UNDER_REVIEW, "operator", why=False),
    _t(S.SUBMITTED, "approve", S.APPROVED_PROBATION, "operator", then="stamp_approval selling"),
    _t(S.SUBMITTED, "reject", S.REJECTED, "operator"),
    _t(S.SUBMITTED, "request_info", S.MORE_INFO_REQUESTED, "operator", then="keep_request"),
    _t(S.UNDER_REVIEW, "approve", S.APPROVED_PROBATION, "operator", then="stamp_approval selling"),
    _t(S.UNDER_REVIEW, "reject", S.REJECTED, "operator"),
    _t(S.UNDER_REVIEW, "request_info", S.MORE_INFO_REQUESTED, "operator", then="keep_request"),
    _t(S.MORE_INFO_REQUESTED, "resubmit", S.UNDER_REVIEW, "supplier", why=False),
    _t(S.MORE_INFO_REQUESTED, "reject", S.REJECTED, "operator"),
    _t(S.APPROVED_PROBATION, "graduate", S.ACTIVE, "system", why=False, then="stamp_graduation"),
    _t(S.APPROVED_PROBATION, "suspend", S.SUSPENDED, "operator system", then="stop_selling"),
    _t(S.ACTIVE, "suspend", S.SUSPENDED, "operator system", then="stop_selling"),
    _t(S.SUSPENDED, "reinstate", PREVIOUS, "operator", then="selling"),
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


def _reason_given(_supplier: Supplier, ctx: Context) -> None:
    if not ctx.reason.strip():
        raise Invalid(_("Please give a reason."), fields={"reason": [_("Please give a reason.")]})


def _status_before_suspension(supplier: Supplier, _transition: Transition) -> str:
    last = (
        db.session()
        .exec(
            select(SupplierEvent)
            .where(
                SupplierEvent.supplier_id == supplier.id,
                SupplierEvent.to_status == S.SUSPENDED.value,
            )
            .order_by(SupplierEvent.id.desc())
        )
        .first()
    )
    return last.from_status if last else S.ACTIVE.value


def _stamp_approval(supplier: Supplier, _ctx: Context) -> None:
    supplier.approved_at = supplier.approved_at or db.utcnow()


def _stamp_graduation(supplier: Supplier, _ctx: Context) -> None:
    supplier.graduated_at = supplier.graduated_at or db.utcnow()


def _keep_request(supplier: Supplier, ctx: Context) -> None:
    supplier.info_request = ctx.reason.strip()


def _selling(supplier: Supplier, _ctx: Context) -> None:
    signals.supplier_approved.send(supplier.id)


def _stop_selling(supplier: Supplier, _ctx: Context) -> None:
    signals.supplier_suspended.send(supplier.id)


SUPPLIER = register(
    Process(
        name="supplier",
        transitions=TRANSITIONS,
        event=SupplierEvent,
        subject_column="supplier_id",
        refused_code="transition_not_allowed",
        refused=lambda status, action: _(
            "A supplier in status %(status)s cannot be given %(action)s.",
            status=status,
            action=action,
        ),
        forbidden=lambda: _("You may not do this to a supplier."),
        guards={"reason_given": _reason_given},
        effects={
            "stamp_approval": _stamp_approval,
            "stamp_graduation": _stamp_graduation,
            "keep_request": _keep_request,
            "selling": _selling,
            "stop_selling": _stop_selling,
        },
        targets={PREVIOUS: _status_before_suspension},
    )
)
