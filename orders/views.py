"""Orders' pages for suppliers: the orders to prepare, by day and window, printable."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

import suppliers.api
from orders import queries, schemas
from orders.services import demand, plans
from shop.core.auth import role_required
from shop.core.errors import NotFound
from shop.core.web import form_action, posted

bp = Blueprint("orders", __name__, template_folder="templates", url_prefix="/supplier")


def _start_day() -> date:
    raw = request.args.get("from")
    if not raw:
        return queries.local_today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(404)


@bp.get("/prepare")
@role_required("supplier_member")
def prepare() -> ResponseReturnValue:
    """What to make ready for the next days: per window, each item's total and per community."""
    try:
        supplier = suppliers.api.supplier_for(current_user.id)
    except NotFound:
        abort(404)
    start = _start_day()
    windows = queries.orders_to_prepare(supplier.id, start=start, days=7)
    return render_template("orders/prepare.html", supplier=supplier, windows=windows, start=start)


def _answer(supplier_id: int, form: dict) -> None:
    plans.answer_plan(
        user_id=current_user.id,
        supplier_id=supplier_id,
        plan_id=form["plan_id"],
        answers=form["lines"],
    )


@bp.route("/plans", methods=["GET", "POST"])
@role_required("supplier_member")
def plans_page() -> ResponseReturnValue:
    """A producer's production plans; the open one answered line by line (big fields)."""
    try:
        supplier = suppliers.api.supplier_for(current_user.id)
    except NotFound:
        abort(404)
    if request.method == "POST":
        form_action(
            lambda: _answer(supplier.id, posted(schemas.PlanAnswerForm())),
            _("Thank you: the operator sees your answer."),
        )
        return redirect(url_for("orders.plans_page"), code=303)
    is_open = suppliers.api.current_phase() >= demand.PHASE
    return render_template(
        "orders/plans.html",
        supplier=supplier,
        is_open=is_open,
        plans=queries.plans_of(supplier.id) if is_open else [],
    )


@bp.get("/batches")
@role_required("supplier_member")
def batches_page() -> ResponseReturnValue:
    """A producer's custom batches and their fill per compound (counts only, no residents)."""
    try:
        supplier = suppliers.api.supplier_for(current_user.id)
    except NotFound:
        abort(404)
    is_open = suppliers.api.current_phase() >= demand.PHASE
    return render_template(
        "orders/batches.html",
        supplier=supplier,
        is_open=is_open,
        batches=queries.batches(supplier_id=supplier.id)[0] if is_open else [],
    )
