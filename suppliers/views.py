"""The supplier portal's pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from shop.core.auth import role_required
from suppliers import api

bp = Blueprint("suppliers", __name__, template_folder="templates", url_prefix="/supplier")


@bp.get("/")
@role_required("supplier_member")
def portal_home() -> ResponseReturnValue:
    """A supplier member's home: their company and where it stands."""
    return render_template(
        "suppliers/home.html", supplier=api.find_supplier_of_member(current_user.id)
    )
