"""Orders' pages for suppliers: the orders to prepare, by day and window, printable."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

import suppliers.api
from orders import queries
from shop.core.auth import role_required
from shop.core.errors import NotFound

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
