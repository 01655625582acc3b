"""Residents' pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from shop.core.accounts import find_resident_address
from shop.core.auth import role_required

bp = Blueprint("storefront", __name__, template_folder="templates", url_prefix="/shop")


@bp.get("/")
@role_required("resident")
def home() -> ResponseReturnValue:
    """A resident's home: who and where they are; the catalogue fills it later."""
    return render_template("storefront/home.html", address=find_resident_address(current_user.id))
