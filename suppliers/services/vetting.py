"""Applications, evaluations, the onboarding checklist and the operator's decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import select

from shop.core import accounts, audit, db
from shop.core.errors import Invalid, NotFound
from shop.core.process import Context
from suppliers import process, rules
from suppliers.errors import (
    ChecklistOpen,
    DuplicateLicence,
    NotEvaluated,
    NotInReview,
    PhaseTooEarly,
    ScoreTooLow,
)
from suppliers.models import (
    ChecklistEntry,
    Evaluation,
    Requirement,
    Scorecard,
    Supplier,
    SupplierDocument,
    SupplierEvent,
    SupplierKind,
    SupplierMember,
    SupplierStatus,
)
from suppliers.queries import SupplierRef, supplier_ref
from suppliers.services import access, documents
from suppliers.services.phase import current_phase

#: The requirements a new deployment starts with (the first migration inserts the same rows).
DEFAULT_REQUIREMENTS = (
    ("licence_verified", "营业执照已核验", "Business licence verified", True, []),
    (
        "food_certificate",
        "食品经营许可证",
        "Food-safety certificate",
        True,
        ["饮用水", "粮油", "生鲜", "乳品", "食品"],
    ),
    ("references_contacted", "已联系合作物业核实", "References contacted", False, []),
    ("site_visit", "实地考察", "Site visit", False, []),
)


@dataclass(frozen=True)
class Application:
    """What an applicant tells us about their company."""

    company_name: str
    kind: str
    licence_no: str
    contact_name: str
    phone: str
    email: str
    password: str
    categories: Sequence[str]
    commitment_statement: str
    property_experience: str
    references: str = ""


def submit_application(
    *, application: Application, uploads: Sequence[tuple[str, documents.Upload]] = ()
) -> Supplier:
    """Record an application with its documents and give the applicant a supplier login.

    Raises DomainError (duplicate_licence) for a licence number that has applied before,
    Invalid for a taken email or a bad document.
    """
    s = db.session()
    licence_no = application.licence_no.strip().upper()
    if s.exec(select(Supplier.id).where(Supplier.licence_no == licence_no)).first():
        raise DuplicateLicence(
            _("A supplier with this licence number has already applied."),
            fields={"licence_no": [_("Already applied.")]},
        )
    checked = [(kind, documents.check(upload), upload) for kind, upload in uploads]
    user = accounts.create_user(
        email=application.email,
        password=application.password,
        display_name=application.contact_name,
        roles=["supplier_member"],
    )
    supplier = Supplier(
        name=application.company_name.strip(),
        kind=SupplierKind(application.kind).value,
        licence_no=licence_no,
        contact_name=application.contact_name.strip(),
        phone=application.phone.strip(),
        email=user.email,
        categories=sorted({c.strip() for c in application.categories if c.strip()}),
        commitment_statement=application.commitment_statement.strip(),
        property_experience=application.property_experience.strip(),
        references=application.references.strip(),
    )
    s.add(supplier)
    s.flush()
    s.add(SupplierMember(supplier_id=supplier.id, user_id=user.id))
    process.SUPPLIER.record(supplier, "submit", Context("supplier", user.id), previous="")
    for kind, info, upload in checked:
        _add_document(supplier.id, kind, info, upload, user.id)
    s.flush()
    return supplier


def add_document(
    *, supplier_id: int, actor_id: int, kind: str, upload: documents.Upload
) -> SupplierDocument:
    """Attach one more document (a member of that supplier, or the operator)."""
    supplier, _who = access.get_supplier_for(actor_id, supplier_id)
    return _add_document(supplier.id, kind, documents.check(upload), upload, actor_id)


def _add_document(
    supplier_id: int, kind: str, info: documents.Checked, upload: documents.Upload, actor_id: int
) -> SupplierDocument:
    from suppliers.models import DocumentKind

    doc = SupplierDocument(
        supplier_id=supplier_id,
        kind=DocumentKind(kind).value,
        filename=info.filename,
        stored_name=documents.store(upload),
        content_type=info.content_type,
        size_bytes=info.size_bytes,
        sha256=info.sha256,
        uploaded_by=actor_id,
    )
    db.session().add(doc)
    db.session().flush()
    return doc


def get_document(*, supplier_id: int, document_id: int, actor_id: int) -> SupplierDocument:
    """A document of the supplier, for its members and the operator only (else NotFound)."""
    access.get_supplier_for(actor_id, supplier_id)
    doc = db.session().get(SupplierDocument, document_id)
    if doc is None or doc.supplier_id != supplier_id:
        raise NotFound(_("No such document."))
    return doc


def ensure_default_requirements() -> None:
    """Insert the default onboarding requirements that are missing (idempotent)."""
    s = db.session()
    have = set(s.exec(select(Requirement.code)))
    for code, zh, en, blocking, categories in DEFAULT_REQUIREMENTS:
        if code not in have:
            s.add(
                Requirement(
                    code=code,
                    name_zh=zh,
                    name_en=en,
                    is_blocking=blocking,
                    only_for_categories=categories,
                )
            )
    s.flush()


def list_requirements() -> list[Requirement]:
    """Every onboarding requirement, active ones first."""
    return list(
        db.session().exec(
            select(Requirement).order_by(Requirement.is_active.desc(), Requirement.id)
        )
    )


def save_requirement(
    *,
    actor_id: int,
    code: str,
    name_zh: str,
    name_en: str,
    is_blocking: bool,
    only_for_categories: Sequence[str] = (),
    is_active: bool = True,
) -> Requirement:
    """Create or change an onboarding requirement (operator)."""
    access.require_operator(actor_id)
    s = db.session()
    row = s.exec(select(Requirement).where(Requirement.code == code)).first() or Requirement(
        code=code, name_zh=name_zh, name_en=name_en
    )
    row.name_zh, row.name_en, row.is_blocking, row.is_active = (
        name_zh,
        name_en,
        is_blocking,
        is_active,
    )
    row.only_for_categories = [c for c in only_for_categories if c]
    s.add(row)
    audit.record(
        actor_id=actor_id,
        action="supplier.requirement_saved",
        subject_type="requirement",
        subject_id=code,
        data={"is_blocking": is_blocking, "is_active": is_active},
    )
    s.flush()
    return row


@dataclass(frozen=True)
class ChecklistLine:
    """One requirement as it applies to one supplier."""

    requirement_id: int
    code: str
    name_zh: str
    name_en: str
    is_blocking: bool
    is_done: bool
    note: str


def checklist(supplier: Supplier) -> list[ChecklistLine]:
    """The active requirements that apply to the supplier's categories, with their state."""
    s = db.session()
    done = {
        e.requirement_id: e
        for e in s.exec(select(ChecklistEntry).where(ChecklistEntry.supplier_id == supplier.id))
    }
    lines = []
    for req in s.exec(select(Requirement).where(Requirement.is_active).order_by(Requirement.id)):
        if req.only_for_categories and not set(req.only_for_categories) & set(supplier.categories):
            continue
        entry = done.get(req.id)
        lines.append(
            ChecklistLine(
                req.id,
                req.code,
                req.name_zh,
                req.name_en,
                req.is_blocking,
                bool(entry and entry.is_done),
                entry.note if entry else "",
            )
        )
    return lines


def set_checklist_entry(
    *, supplier_id: int, requirement_id: int, is_done: bool, note: str, actor_id: int
) -> ChecklistEntry:
    """Tick or untick a requirement for a supplier (operator)."""
    access.require_operator(actor_id)
    s = db.session()
    if s.get(Supplier, supplier_id) is None or s.get(Requirement, requirement_id) is None:
        raise NotFound(_("No such supplier or requirement."))
    entry = s.get(ChecklistEntry, (supplier_id, requirement_id)) or ChecklistEntry(
        supplier_id=supplier_id, requirement_id=requirement_id
    )
    entry.is_done, entry.note = is_done, note.strip()[:300]
    entry.done_by, entry.done_at = (actor_id, db.utcnow()) if is_done else (None, None)
    s.add(entry)
    s.flush()
    return entry


def record_evaluation(
    *, supplier_id: int, actor_id: int, scores: Mapping[str, int], notes: str = ""
) -> Evaluation:
    """Record the operator's scores (1–5 each); a submitted application goes under review.

    After approval the operator may score a supplier again (a periodic review): the newest
    evaluation is the one the supplier's page and ranking read. A rejected one is closed.
    """
    access.require_operator(actor_id)
    supplier = _get(supplier_id)
    if supplier.status == SupplierStatus.REJECTED:
        raise NotInReview(_("A rejected application cannot be evaluated."))
    for criterion in rules.CRITERIA:
        if not 1 <= int(scores[criterion]) <= 5:
            raise Invalid(_("Scores are 1 to 5."), fields={criterion: [_("Scores are 1 to 5.")]})
    weights = current_app.config["SUPPLIER_SCORE_WEIGHTS"]
    evaluation = Evaluation(
        supplier_id=supplier_id,
        evaluator_id=actor_id,
        weighted_score=rules.weighted_score(scores, weights),
        notes=notes.strip(),
        **{c: int(scores[c]) for c in rules.CRITERIA},
    )
    db.session().add(evaluation)
    if supplier.status == SupplierStatus.SUBMITTED:
        apply_transition(supplier, "start_review", "operator", actor_id, "")
    db.session().flush()
    return evaluation


def latest_evaluation(supplier_id: int) -> Evaluation | None:
    """The most recent evaluation of a supplier."""
    return (
        db.session()
        .exec(
            select(Evaluation)
            .where(Evaluation.supplier_id == supplier_id)
            .order_by(Evaluation.id.desc())
        )
        .first()
    )


def decide(*, supplier_id: int, action: str, reason: str, actor_id: int) -> Supplier:
    """Apply an operator's decision (approve, reject, request_info, suspend, reinstate)."""
    if action not in process.DECISIONS:
        raise Invalid(_("Unknown decision."), fields={"action": [_("Unknown decision.")]})
    access.require_operator(actor_id)
    supplier = _get(supplier_id, lock=True)
    if action == "approve":
        _check_approvable(supplier)
    apply_transition(supplier, action, "operator", actor_id, reason)
    return supplier


def resubmit(*, supplier_id: int, actor_id: int, note: str = "") -> Supplier:
    """The applicant answers a request for information and sends the application back."""
    supplier, who = access.get_supplier_for(actor_id, supplier_id)
    apply_transition(supplier, "resubmit", who.role_for(supplier_id) or "", actor_id, note)
    return supplier


def system_transition(*, supplier_id: int, action: str, reason: str = "") -> Supplier:
    """A transition taken by the system timer (graduation, automatic suspension)."""
    supplier = _get(supplier_id, lock=True)
    apply_transition(supplier, action, "system", None, reason)
    return supplier


def _check_approvable(supplier: Supplier) -> None:
    if supplier.kind == SupplierKind.PRODUCER and current_phase() < 2:
        raise PhaseTooEarly(
            _("Producers can be approved from phase 2 on; the platform is in phase 1."),
        )
    open_blocking = [line for line in checklist(supplier) if line.is_blocking and not line.is_done]
    if open_blocking:
        names = "、".join(line.name_zh for line in open_blocking)
        raise ChecklistOpen(_("Blocking requirements are still open: %(names)s", names=names))
    evaluation = latest_evaluation(supplier.id)
    minimum = int(current_app.config["SUPPLIER_MIN_SCORE"])
    if evaluation is None:
        raise NotEvaluated(_("Evaluate the supplier before approving it."))
    if evaluation.weighted_score < minimum:
        raise ScoreTooLow(
            _(
                "The weighted score %(score).2f is below the minimum %(minimum).2f.",
                score=evaluation.weighted_score / 100,
                minimum=minimum / 100,
            ),
        )


def apply_transition(
    supplier: Supplier, action: str, actor_role: str, actor_id: int | None, reason: str
) -> SupplierEvent:
    """Move the supplier one step by its process (`suppliers.process.SUPPLIER`), recording it.

    Refused (409) if the table has no such step, Forbidden if `actor_role` may not take it,
    Invalid if the step needs a reason and none is given.
    """
    _step, event = process.SUPPLIER.apply(supplier, action, actor_role, actor_id, reason=reason)
    return event


def events(supplier_id: int) -> list[SupplierEvent]:
    """The supplier's history, oldest first."""
    return list(
        db.session().exec(
            select(SupplierEvent)
            .where(SupplierEvent.supplier_id == supplier_id)
            .order_by(SupplierEvent.id)
        )
    )


def _get(supplier_id: int, *, lock: bool = False) -> Supplier:
    supplier = db.session().get(Supplier, supplier_id, with_for_update=lock)
    if supplier is None:
        raise NotFound(_("No such supplier."))
    return supplier


def review_queue(*, status: str | None = None) -> list[Supplier]:
    """Suppliers for the operator, waiting ones first (or those of one status)."""
    stmt = select(Supplier)
    if status:
        stmt = stmt.where(Supplier.status == status)
    order = {
        SupplierStatus.SUBMITTED.value: 0,
        SupplierStatus.UNDER_REVIEW.value: 1,
        SupplierStatus.MORE_INFO_REQUESTED.value: 2,
    }
    rows = list(db.session().exec(stmt.order_by(Supplier.created_at)))
    return sorted(rows, key=lambda r: (order.get(r.status, 3), r.flagged_at is None, r.id))


def supplier_detail(supplier_id: int, actor_id: int) -> dict[str, Any]:
    """Everything the supplier page shows: the row, documents, evaluations, history, scorecard."""
    supplier, _who = access.get_supplier_for(actor_id, supplier_id)
    s = db.session()
    return {
        "supplier": supplier,
        "documents": list(
            s.exec(
                select(SupplierDocument)
                .where(SupplierDocument.supplier_id == supplier_id)
                .order_by(SupplierDocument.id)
            )
        ),
        "evaluations": list(
            s.exec(
                select(Evaluation)
                .where(Evaluation.supplier_id == supplier_id)
                .order_by(Evaluation.id.desc())
            )
        ),
        "events": events(supplier_id),
        "checklist": checklist(supplier),
        "scorecard": s.get(Scorecard, supplier_id),
    }


def register_supplier(
    *,
    name: str,
    kind: str,
    licence_no: str,
    member_user_id: int,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    categories: tuple[str, ...] = (),
    status: str = SupplierStatus.SUBMITTED.value,
) -> SupplierRef:
    """Record a supplier company with its first member (the demo and data imports use this)."""
    row = Supplier(
        name=name,
        kind=SupplierKind(kind).value,
        licence_no=licence_no,
        status=SupplierStatus(status).value,
        contact_name=contact_name,
        phone=phone,
        email=email,
        categories=list(categories),
    )
    if row.status in process.SELLING:
        row.approved_at = db.utcnow()
    if row.status == SupplierStatus.ACTIVE:
        row.graduated_at = row.approved_at
    db.session().add(row)
    db.session().flush()
    db.session().add(SupplierMember(supplier_id=row.id, user_id=member_user_id))
    db.session().flush()
    return supplier_ref(row)


def mark_below_floor(supplier: Supplier, why: str | None) -> bool:
    """Flag a supplier under the floor, or clear a flag it no longer deserves; audited.

    `why` names the figure under the floor (None: none is). True when newly flagged.
    """
    if why and supplier.flagged_at is None:
        supplier.flagged_at, supplier.flag_reason = db.utcnow(), why
        audit.record(
            actor_id=None,
            action="supplier.flagged",
            subject_type="supplier",
            subject_id=supplier.id,
            data={"reason": why},
        )
        return True
    if not why and supplier.flagged_at is not None:
        supplier.flagged_at, supplier.flag_reason = None, ""
        audit.record(
            actor_id=None,
            action="supplier.unflagged",
            subject_type="supplier",
            subject_id=supplier.id,
        )
    return False
