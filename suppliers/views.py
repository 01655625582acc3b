"""Supplier pages: the public application, the supplier portal and the operator's vetting."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user

from shop.core import db
from shop.core.accounts import find_user_by_email
from shop.core.auth import role_required
from shop.core.boundary import page_value
from shop.core.errors import DomainError, Invalid, NotFound
from shop.core.web import check_csrf, form_action, load_form, posted, typed_values
from suppliers import process, schemas
from suppliers.http import send_document
from suppliers.services import access, documents, items, settlement, vetting

public = Blueprint("suppliers_public", __name__, template_folder="templates")
bp = Blueprint("suppliers", __name__, template_folder="templates", url_prefix="/supplier")
ops = Blueprint(
    "suppliers_ops", __name__, template_folder="templates", url_prefix="/console/suppliers"
)


def _uploads(*fields: str) -> list[tuple[str, documents.Upload]]:
    found = []
    for kind in fields:
        for file in request.files.getlist(kind):
            if file and file.filename:
                found.append((kind, documents.Upload(file.filename, file.read())))
    return found


@public.route("/suppliers/apply", methods=["GET", "POST"])
def apply() -> ResponseReturnValue:
    """The public application form (with documents); the applicant is logged in after."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = typed_values()
        data, errors = load_form(schemas.ApplicationSchema(), lists=("categories",))
        status = 422 if errors else 200
        if not errors:
            try:
                supplier = vetting.submit_application(
                    application=vetting.Application(**data),
                    uploads=_uploads("licence", "food_safety", "other"),
                )
            except DomainError as exc:
                db.refused(exc)
                errors, status = exc.fields or {"_schema": [exc.message]}, exc.status
            else:
                login_user(find_user_by_email(supplier.email))
                flash(_("Thank you. Your application has been received."), "info")
                return redirect(url_for("suppliers.portal_home"))
    return render_template("suppliers/apply.html", values=values, errors=errors), status


def _my_supplier_id() -> int:
    supplier_id = access.actor(current_user.id).supplier_id
    if supplier_id is None:
        abort(404)
    return supplier_id


@bp.get("/")
@role_required("supplier_member")
def portal_home() -> ResponseReturnValue:
    """A supplier member's home: status, requests, history and documents."""
    supplier_id = access.actor(current_user.id).supplier_id
    if supplier_id is None:
        return render_template("suppliers/home.html", detail=None)
    detail = vetting.supplier_detail(supplier_id, current_user.id)
    return render_template(
        "suppliers/home.html",
        detail=detail,
        can_resubmit="resubmit"
        in process.SUPPLIER.actions_for(detail["supplier"].status, "supplier"),
    )


@bp.post("/resubmit")
@role_required("supplier_member")
def resubmit() -> ResponseReturnValue:
    """Send the application back for review."""
    data, errors = load_form(schemas.ResubmitSchema())
    if errors:
        abort(400)
    vetting.resubmit(supplier_id=_my_supplier_id(), actor_id=current_user.id, **data)
    flash(_("Your application is back in review."), "info")
    return redirect(url_for("suppliers.portal_home"))


@bp.post("/documents")
@role_required("supplier_member")
def upload_document() -> ResponseReturnValue:
    """Upload one more document."""
    data, errors = load_form(schemas.DocumentFormSchema())
    uploads = _uploads("file")
    if errors or not uploads:
        flash(_("Choose a file."), "error")
    else:
        form_action(
            lambda: vetting.add_document(
                supplier_id=_my_supplier_id(),
                actor_id=current_user.id,
                kind=data["kind"],
                upload=uploads[0][1],
            ),
            _("The document was uploaded."),
        )
    return redirect(url_for("suppliers.portal_home"))


@bp.get("/documents/<int:document_id>")
@role_required("supplier_member")
def document(document_id: int) -> ResponseReturnValue:
    """Download one of our documents."""
    return send_document(
        vetting.get_document(
            supplier_id=_my_supplier_id(), document_id=document_id, actor_id=current_user.id
        )
    )


@bp.get("/items")
@role_required("supplier_member")
def item_list() -> ResponseReturnValue:
    """Our items."""
    page = request.args.get("page", 1, type=page_value)
    rows, total = items.list_items(
        supplier_id=_my_supplier_id(), actor_id=current_user.id, page=page, per_page=50
    )
    return render_template("suppliers/items.html", items=rows, total=total, page=page)


def _item_form(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    for key in ("slot_times", "service_community_ids"):
        if isinstance(values.get(key), list):
            values[key] = ", ".join(str(v) for v in values[key])
    return values


@bp.route("/items/new", methods=["GET", "POST"])
@role_required("supplier_member")
def item_new() -> ResponseReturnValue:
    """Add an item."""
    values: dict[str, Any] = {"kind": request.args.get("kind", "goods")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = typed_values()
        data, errors = load_form(
            schemas.ItemSchema(), lists=("slot_times", "service_community_ids")
        )
        if not errors:
            try:
                item = items.create_item(
                    supplier_id=_my_supplier_id(), actor_id=current_user.id, data=data
                )
            except DomainError as exc:
                db.refused(exc)
                errors = exc.fields or {"_schema": [exc.message]}
            else:
                flash(_("The item was added."), "info")
                return redirect(url_for("suppliers.item_detail", item_id=item.id))
    status = 422 if errors else 200
    return render_template(
        "suppliers/item_form.html", item=None, values=values, errors=errors
    ), status


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@role_required("supplier_member")
def item_detail(item_id: int) -> ResponseReturnValue:
    """One item: edit it, adjust its stock, see its history."""
    item = items.get_item(item_id=item_id, actor_id=current_user.id)
    values = _item_form(item.model_dump())
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {**values, **typed_values()}
        data, errors = load_form(
            schemas.ItemPatchSchema(partial=True),
            lists=("slot_times", "service_community_ids"),
            drop_empty=False,
        )
        if not errors:
            try:
                items.update_item(item_id=item_id, actor_id=current_user.id, changes=data)
            except DomainError as exc:
                db.refused(exc)
                errors = exc.fields or {"_schema": [exc.message]}
            else:
                flash(_("Saved. The change is live."), "info")
                return redirect(url_for("suppliers.item_detail", item_id=item_id))
    return render_template(
        "suppliers/item_form.html",
        item=item,
        values=values,
        errors=errors,
        movements=items.stock_movements(item_id=item_id, actor_id=current_user.id)[0],
        changes=items.item_changes(item_id=item_id, actor_id=current_user.id)[:20],
    ), 422 if errors else 200


@bp.post("/items/<int:item_id>/images")
@role_required("supplier_member")
def item_image_add(item_id: int) -> ResponseReturnValue:
    """Upload an image of the item (a photo from the phone is fine)."""
    check_csrf()
    file = request.files.get("image")
    data = file.read() if file and file.filename else b""
    form_action(
        lambda: items.add_image(item_id=item_id, actor_id=current_user.id, data=data),
        _("The image was added."),
    )
    return redirect(url_for("suppliers.item_detail", item_id=item_id) + "#images")


@bp.post("/items/<int:item_id>/images/<digest>/remove")
@role_required("supplier_member")
def item_image_remove(item_id: int, digest: str) -> ResponseReturnValue:
    """Take an image off the item."""
    check_csrf()
    form_action(
        lambda: items.remove_image(item_id=item_id, actor_id=current_user.id, digest=digest),
        _("The image was removed."),
    )
    return redirect(url_for("suppliers.item_detail", item_id=item_id) + "#images")


@bp.post("/items/<int:item_id>/stock")
@role_required("supplier_member")
def item_stock(item_id: int) -> ResponseReturnValue:
    """Adjust stock with a reason."""
    data, errors = load_form(schemas.StockAdjustmentSchema())
    if errors:
        flash("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()), "error")
    else:
        form_action(
            lambda: items.adjust_stock(item_id=item_id, actor_id=current_user.id, **data),
            _("Stock updated."),
        )
    return redirect(url_for("suppliers.item_detail", item_id=item_id))


@bp.route("/items/import", methods=["GET", "POST"])
@role_required("supplier_member")
def item_import() -> ResponseReturnValue:
    """Upload a CSV, see the preview with row errors, then import it all or nothing."""
    report, token = None, None
    if request.method == "POST":
        form = posted(schemas.ImportForm())
        supplier_id = _my_supplier_id()
        confirm = form["confirm"]
        try:
            if confirm:
                token = form["token"]
                text = items.read_preview(owner_id=current_user.id, token=token)
            else:
                uploads = _uploads("file")
                if not uploads:
                    raise Invalid(_("Choose a file."), fields={"file": [_("Choose a file.")]})
                text = uploads[0][1].data.decode("utf-8")
                token = items.keep_preview(owner_id=current_user.id, text=text)
            report = items.import_items(
                supplier_id=supplier_id, actor_id=current_user.id, text=text, dry_run=not confirm
            )
        except UnicodeDecodeError:
            flash(_("The CSV must be UTF-8."), "error")
        except NotFound:
            raise
        except DomainError as exc:
            db.refused(exc)
            flash(exc.message, "error")
        else:
            if report.saved:
                items.drop_preview(token)
                flash(
                    _(
                        "Imported: %(created)d new, %(updated)d changed.",
                        created=report.created,
                        updated=report.updated,
                    ),
                    "info",
                )
                return redirect(url_for("suppliers.item_list"))
    return render_template("suppliers/import.html", report=report, token=token)


@bp.get("/statements")
@role_required("supplier_member")
def statement_list() -> ResponseReturnValue:
    """Our settlement statements, month by month."""
    supplier_id = _my_supplier_id()
    rows = settlement.list_statements(supplier_id=supplier_id, actor_id=current_user.id)
    # The running month's lines show at once: an order completed today is on the page.
    period = request.args.get("period") or (rows[0].period_start.isoformat() if rows else None)
    lines = []
    if period:
        try:
            lines = settlement.statement_lines(
                supplier_id=supplier_id,
                actor_id=current_user.id,
                period_start=date.fromisoformat(period),
            )
        except ValueError:
            abort(404)
    return render_template("suppliers/statements.html", statements=rows, lines=lines, period=period)


# The operator's pages.


@ops.get("/")
@role_required("operator")
def queue() -> ResponseReturnValue:
    """The review queue: waiting applications first, flagged suppliers next."""
    status = request.args.get("status") or None
    return render_template(
        "suppliers/ops_queue.html", rows=vetting.review_queue(status=status), status=status
    )


@ops.get("/<int:supplier_id>")
@role_required("operator")
def detail(supplier_id: int) -> ResponseReturnValue:
    """One supplier: documents, scores, checklist, decisions and history."""
    return _detail_page(supplier_id)


def _detail_page(
    supplier_id: int, errors: dict[str, list[str]] | None = None, status: int = 200
) -> ResponseReturnValue:
    detail = vetting.supplier_detail(supplier_id, current_user.id)
    return render_template(
        "suppliers/ops_detail.html",
        **detail,
        errors=errors or {},
        actions=[
            a
            for a in process.SUPPLIER.actions_for(detail["supplier"].status, "operator")
            if a in process.DECISIONS
        ],
        checklist_rows=[asdict(line) for line in detail["checklist"]],
        statements=settlement.list_statements(supplier_id=supplier_id, actor_id=current_user.id),
    ), status


@ops.post("/<int:supplier_id>/statements/<string(length=10):period>/payment")
@role_required("operator")
def pay_statement(supplier_id: int, period: str) -> ResponseReturnValue:
    """Record that the platform paid a closed statement, with the bank's reference."""
    data, errors = load_form(schemas.StatementPaymentInSchema())
    if errors:
        return _detail_page(supplier_id, errors, 422)
    try:
        start = date.fromisoformat(period)
    except ValueError:
        abort(404)
    form_action(
        lambda: settlement.mark_paid(
            supplier_id=supplier_id,
            period_start=start,
            actor_id=current_user.id,
            bank_reference=data["bank_reference"],
        ),
        _("Statement marked paid."),
    )
    return redirect(url_for("suppliers_ops.detail", supplier_id=supplier_id) + "#statements")


@ops.post("/<int:supplier_id>/evaluations")
@role_required("operator")
def evaluate(supplier_id: int) -> ResponseReturnValue:
    """Record scores."""
    data, errors = load_form(schemas.EvaluationInSchema())
    if errors:
        return _detail_page(supplier_id, errors, 422)
    notes = data.pop("notes")
    form_action(
        lambda: vetting.record_evaluation(
            supplier_id=supplier_id, actor_id=current_user.id, scores=data, notes=notes
        ),
        _("Evaluation saved."),
    )
    return redirect(url_for("suppliers_ops.detail", supplier_id=supplier_id))


@ops.post("/<int:supplier_id>/checklist")
@role_required("operator")
def checklist(supplier_id: int) -> ResponseReturnValue:
    """Save the checklist: every applicable requirement ticked or not."""
    form = posted(schemas.ChecklistForm(), lists=("done",))
    detail = vetting.supplier_detail(supplier_id, current_user.id)
    for line in detail["checklist"]:
        vetting.set_checklist_entry(
            supplier_id=supplier_id,
            requirement_id=line.requirement_id,
            is_done=line.requirement_id in form["done"],
            actor_id=current_user.id,
            note=form["notes"].get(line.requirement_id, ""),
        )
    flash(_("Checklist saved."), "info")
    return redirect(url_for("suppliers_ops.detail", supplier_id=supplier_id))


@ops.post("/<int:supplier_id>/decisions")
@role_required("operator")
def decide(supplier_id: int) -> ResponseReturnValue:
    """Take a decision with its reason."""
    data, errors = load_form(schemas.DecisionSchema())
    if errors:
        return _detail_page(supplier_id, errors, 422)
    form_action(
        lambda: vetting.decide(supplier_id=supplier_id, actor_id=current_user.id, **data),
        _("Decision recorded."),
    )
    return redirect(url_for("suppliers_ops.detail", supplier_id=supplier_id))


@ops.get("/<int:supplier_id>/documents/<int:document_id>")
@role_required("operator")
def ops_document(supplier_id: int, document_id: int) -> ResponseReturnValue:
    """Download a supplier's document."""
    return send_document(
        vetting.get_document(
            supplier_id=supplier_id, document_id=document_id, actor_id=current_user.id
        )
    )


@ops.route("/requirements", methods=["GET", "POST"])
@role_required("operator")
def requirements() -> ResponseReturnValue:
    """The onboarding requirements: add one or change whether it blocks approval."""
    if request.method == "POST":
        form_action(
            lambda: vetting.save_requirement(
                actor_id=current_user.id,
                **posted(schemas.RequirementForm(), lists=("only_for_categories",)),
            ),
            _("Requirement saved."),
        )
        return redirect(url_for("suppliers_ops.requirements"))
    return render_template("suppliers/ops_requirements.html", rows=vetting.list_requirements())
