"""The suppliers JSON API: applications, vetting, the platform phase, items, statements."""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import date
from typing import Any

from flask import Response, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from shop.core.auth import role_required
from shop.core.boundary import Blueprint
from shop.core.errors import Invalid, NotFound
from shop.core.schemas import PageArgsSchema, page_of, page_schema, paged
from suppliers import schemas
from suppliers.services import access, documents, items, phase, settlement, vetting

bp = Blueprint(
    "suppliers_api",
    __name__,
    url_prefix="/api/v1",
    description="Supplier applications, vetting, phase, items and statements",
)
MEMBERS = ("operator", "supplier_member")
SupplierPage = page_schema(schemas.SupplierSchema, "SupplierPage")
ItemPage = page_schema(schemas.ItemOutSchema, "ItemOutPage")


def _upload(field: str = "file") -> documents.Upload:
    file = request.files.get(field)
    if file is None or not file.filename:
        raise Invalid(_("Choose a file."), fields={field: [_("Choose a file.")]})
    return documents.Upload(file.filename, file.read())


@bp.post("/supplier-applications")
@bp.arguments(schemas.ApplicationSchema)
@bp.response(201, schemas.SupplierSchema)
def apply(data: dict[str, Any]) -> Any:
    """Apply to sell on the platform; the applicant's email becomes their supplier login."""
    supplier = vetting.submit_application(application=vetting.Application(**data))
    return supplier


@bp.get("/suppliers")
@role_required(*MEMBERS)
@bp.arguments(schemas.SupplierListArgs, location="query")
@bp.response(200, SupplierPage)
def list_suppliers(args: dict[str, Any]) -> dict[str, Any]:
    """The operator's queue (waiting first), or a member's own supplier."""
    who = access.actor(current_user.id)
    if who.is_operator:
        rows = vetting.review_queue(status=args["status"])
    else:
        rows = (
            [access.get_supplier_for(current_user.id, who.supplier_id)[0]]
            if who.supplier_id
            else []
        )
    start = (args["page"] - 1) * args["per_page"]
    return {
        "items": rows[start : start + args["per_page"]],
        "page": args["page"],
        "per_page": args["per_page"],
        "total": len(rows),
    }


@bp.get("/suppliers/<int:supplier_id>")
@role_required(*MEMBERS)
@bp.response(200, schemas.SupplierDetailSchema)
def get_supplier(supplier_id: int) -> dict[str, Any]:
    """A supplier with documents, history and checklist (evaluations for the operator only)."""
    detail = vetting.supplier_detail(supplier_id, current_user.id)
    card = detail["scorecard"]
    body = {
        **detail.pop("supplier").model_dump(),
        **detail,
        "checklist": [asdict(line) for line in detail["checklist"]],
        "scorecard": card.model_dump(exclude={"supplier_id", "updated_at"}) if card else None,
    }
    if not current_user.has_role("operator"):
        body["evaluations"] = []
    return body


@bp.post("/suppliers/<int:supplier_id>/evaluations")
@role_required("operator")
@bp.arguments(schemas.EvaluationInSchema)
@bp.response(201, schemas.EvaluationSchema)
def evaluate(data: dict[str, Any], supplier_id: int) -> Any:
    """Record scores 1–5 on the three criteria, with notes."""
    notes = data.pop("notes")
    evaluation = vetting.record_evaluation(
        supplier_id=supplier_id, actor_id=current_user.id, scores=data, notes=notes
    )
    return evaluation


@bp.post("/suppliers/<int:supplier_id>/checklist")
@role_required("operator")
@bp.arguments(schemas.ChecklistInSchema)
@bp.response(200, schemas.ChecklistLineSchema(many=True))
def tick(data: dict[str, Any], supplier_id: int) -> list[dict[str, Any]]:
    """Tick or untick an onboarding requirement; returns the whole checklist."""
    vetting.set_checklist_entry(supplier_id=supplier_id, actor_id=current_user.id, **data)
    detail = vetting.supplier_detail(supplier_id, current_user.id)
    return [asdict(line) for line in detail["checklist"]]


@bp.post("/suppliers/<int:supplier_id>/decisions")
@role_required("operator")
@bp.arguments(schemas.DecisionSchema)
@bp.response(200, schemas.SupplierSchema)
def decide(data: dict[str, Any], supplier_id: int) -> Any:
    """approve, reject, request_info, suspend or reinstate, with a reason."""
    supplier = vetting.decide(supplier_id=supplier_id, actor_id=current_user.id, **data)
    return supplier


@bp.post("/suppliers/<int:supplier_id>/resubmit")
@role_required("supplier_member")
@bp.arguments(schemas.ResubmitSchema)
@bp.response(200, schemas.SupplierSchema)
def resubmit(data: dict[str, Any], supplier_id: int) -> Any:
    """Send the application back for review after answering a request for information."""
    supplier = vetting.resubmit(supplier_id=supplier_id, actor_id=current_user.id, **data)
    return supplier


@bp.get("/suppliers/<int:supplier_id>/events")
@role_required(*MEMBERS)
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.EventSchema, "SupplierEventPage"))
def supplier_events(args: dict[str, Any], supplier_id: int) -> dict[str, Any]:
    """The supplier's history, oldest first."""
    access.get_supplier_for(current_user.id, supplier_id)
    return paged(vetting.events(supplier_id), args)


@bp.post("/suppliers/<int:supplier_id>/documents")
@role_required(*MEMBERS)
@bp.arguments(schemas.DocumentFormSchema, location="form")
@bp.response(201, schemas.DocumentSchema)
def upload_document(data: dict[str, Any], supplier_id: int) -> Any:
    """Upload a licence or certificate (multipart: `file`, `kind`). PDF, JPEG or PNG."""
    doc = vetting.add_document(
        supplier_id=supplier_id, actor_id=current_user.id, kind=data["kind"], upload=_upload()
    )
    return doc


@bp.get("/suppliers/<int:supplier_id>/documents/<int:document_id>")
@role_required(*MEMBERS)
def download_document(supplier_id: int, document_id: int) -> Response:
    """The document's bytes, for the operator and that supplier's members only."""
    doc = vetting.get_document(
        supplier_id=supplier_id, document_id=document_id, actor_id=current_user.id
    )
    return send_document(doc)


def send_document(doc: Any) -> Response:
    """Send a stored document as an attachment that browsers will not sniff or run."""
    path = documents.path_of(doc.stored_name)
    if not path.exists():
        raise NotFound(_("The file is missing."))
    # Documents are size-limited, so read them whole: no file handle outlives the request.
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=doc.content_type,
        as_attachment=True,
        download_name=doc.filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/platform/phase")
@bp.response(200, schemas.PhaseSchema)
def get_phase() -> dict[str, Any]:
    """The phase in force and the readiness figures for the next one."""
    return _phase_payload()


def _phase_payload() -> dict[str, Any]:
    current = phase.current_phase()
    upcoming = current + 1 if current < 3 else None
    figures = phase.readiness(upcoming) if upcoming else []
    return {
        "phase": current,
        "next_phase": upcoming,
        "readiness": [asdict(f) for f in figures],
        "ready": all(f.met for f in figures),
    }


@bp.post("/platform/phase")
@role_required("operator")
@bp.arguments(schemas.PhaseAdvanceSchema)
@bp.response(200, schemas.PhaseSchema)
def advance_phase(data: dict[str, Any]) -> dict[str, Any]:
    """Advance to the next phase (with `override_reason` when figures are unmet). Audited."""
    phase.advance_phase(actor_id=current_user.id, **data)
    return _phase_payload()


@bp.get("/suppliers/<int:supplier_id>/items")
@role_required(*MEMBERS)
@bp.arguments(schemas.SupplierListArgs, location="query")
@bp.response(200, ItemPage)
def list_items(args: dict[str, Any], supplier_id: int) -> dict[str, Any]:
    """A page of the supplier's items."""
    rows, total = items.list_items(
        supplier_id=supplier_id,
        actor_id=current_user.id,
        page=args["page"],
        per_page=args["per_page"],
    )
    return {"items": rows, "page": args["page"], "per_page": args["per_page"], "total": total}


@bp.post("/suppliers/<int:supplier_id>/items")
@role_required(*MEMBERS)
@bp.arguments(schemas.ItemSchema)
@bp.response(201, schemas.ItemOutSchema)
def create_item(data: dict[str, Any], supplier_id: int) -> Any:
    """Add goods (with `stock`) or a service (`duration_minutes`, slots, `slot_capacity`)."""
    item = items.create_item(supplier_id=supplier_id, actor_id=current_user.id, data=data)
    return item


@bp.get("/items/<int:item_id>")
@role_required(*MEMBERS)
@bp.response(200, schemas.ItemOutSchema)
def get_item(item_id: int) -> Any:
    """One item."""
    return items.get_item(item_id=item_id, actor_id=current_user.id)


@bp.patch("/items/<int:item_id>")
@role_required(*MEMBERS)
@bp.arguments(schemas.ItemPatchSchema(partial=True))
@bp.response(200, schemas.ItemOutSchema)
def patch_item(data: dict[str, Any], item_id: int) -> Any:
    """Change an item; live at once, and recorded."""
    item = items.update_item(item_id=item_id, actor_id=current_user.id, changes=data)
    return item


@bp.post("/items/<int:item_id>/images")
@role_required("supplier_member")
@bp.response(201, schemas.ItemOutSchema)
def add_image(item_id: int) -> Any:
    """Upload an image (multipart field `file`): JPEG, PNG or WebP, 422 for anything else.

    The bytes are checked by decoding them and stored as a thumbnail and a page size.
    """
    file = request.files.get("file")
    if file is None or not file.filename:
        message = _("Choose an image.")
        raise Invalid(message, fields={"file": [message]})
    item = items.add_image(item_id=item_id, actor_id=current_user.id, data=file.read())
    return item


@bp.delete("/items/<int:item_id>/images/<string(length=32):digest>")
@role_required("supplier_member")
@bp.response(200, schemas.ItemOutSchema)
def remove_image(item_id: int, digest: str) -> Any:
    """Take an image off the item."""
    item = items.remove_image(item_id=item_id, actor_id=current_user.id, digest=digest)
    return item


@bp.post("/items/<int:item_id>/stock-adjustments")
@role_required("supplier_member")
@bp.arguments(schemas.StockAdjustmentSchema)
@bp.response(201, schemas.StockMovementSchema)
def adjust_stock(data: dict[str, Any], item_id: int) -> Any:
    """`{"delta", "reason"}`; stock never goes below zero (409)."""
    movement = items.adjust_stock(item_id=item_id, actor_id=current_user.id, **data)
    return movement


@bp.get("/items/<int:item_id>/stock-movements")
@role_required(*MEMBERS)
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.StockMovementSchema, "StockMovementPage"))
def stock_movements(args: dict[str, Any], item_id: int) -> dict[str, Any]:
    """The item's stock history, newest first."""
    found = items.stock_movements(
        item_id=item_id, actor_id=current_user.id, page=args["page"], per_page=args["per_page"]
    )
    return page_of(found, args)


@bp.get("/items/<int:item_id>/changes")
@role_required(*MEMBERS)
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.ItemChangeSchema, "ItemChangePage"))
def changes(args: dict[str, Any], item_id: int) -> dict[str, Any]:
    """The item's recorded edits, newest first."""
    return paged(items.item_changes(item_id=item_id, actor_id=current_user.id), args)


@bp.post("/suppliers/<int:supplier_id>/items/import")
@role_required(*MEMBERS)
@bp.arguments(schemas.ImportArgsSchema, location="query")
@bp.response(200, schemas.ImportReportSchema)
def import_items(args: dict[str, Any], supplier_id: int) -> Any:
    """Import items from CSV (multipart `file`, or a text/csv body), all or nothing.

    `?dry_run=true` previews; a file with errors saves nothing and answers 422 with the rows.
    """
    raw = _upload().data if request.files else request.get_data()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(_("The CSV must be UTF-8."), fields={"file": [_("Not UTF-8.")]}) from exc
    report = items.import_items(
        supplier_id=supplier_id, actor_id=current_user.id, text=text, dry_run=args["dry_run"]
    )
    body = schemas.ImportReportSchema().dump(report)
    if report.error_rows:
        raise Invalid(
            _("%(n)d rows have errors; nothing was imported.", n=report.error_rows),
            fields={"rows": [r for r in body["rows"] if r["errors"]]},
        )
    return report


@bp.get("/suppliers/<int:supplier_id>/statements")
@role_required(*MEMBERS)
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.StatementSchema, "StatementPage"))
def statements(args: dict[str, Any], supplier_id: int) -> dict[str, Any]:
    """Per month, what the platform owes the supplier."""
    rows = settlement.list_statements(supplier_id=supplier_id, actor_id=current_user.id)
    return paged(
        [
            {**asdict(r), "total": {"amount_minor": r.total_minor, "currency": r.currency}}
            for r in rows
        ],
        args,
    )


@bp.post("/suppliers/<int:supplier_id>/statements/<string(length=10):period>/payment")
@role_required("operator")
@bp.arguments(schemas.StatementPaymentInSchema)
@bp.response(201, schemas.StatementSchema)
def pay_statement(data: dict[str, Any], supplier_id: int, period: str) -> dict[str, Any]:
    """Record that the platform paid a closed statement (409 if open, owing nothing or paid)."""
    settlement.mark_paid(
        supplier_id=supplier_id,
        period_start=_period(period),
        actor_id=current_user.id,
        bank_reference=data["bank_reference"],
    )
    rows = settlement.list_statements(supplier_id=supplier_id, actor_id=current_user.id, months=120)
    paid = next(r for r in rows if r.period_start == _period(period))
    return {**asdict(paid), "total": {"amount_minor": paid.total_minor, "currency": paid.currency}}


def _period(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise NotFound(_("No such statement.")) from exc


@bp.get("/suppliers/<int:supplier_id>/statements/<string(length=10):period>/lines")
@role_required(*MEMBERS)
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.StatementLineSchema, "StatementLinePage"))
def statement_lines(args: dict[str, Any], supplier_id: int, period: str) -> dict[str, Any]:
    """The lines of the statement starting on `period` (YYYY-MM-01)."""
    lines = settlement.statement_lines(
        supplier_id=supplier_id, period_start=_period(period), actor_id=current_user.id
    )
    return paged(
        [
            {
                "reference": ln.reference,
                "description": ln.description,
                "at": ln.at,
                "amount": {"amount_minor": ln.amount_minor, "currency": ln.currency},
            }
            for ln in lines
        ],
        args,
    )
