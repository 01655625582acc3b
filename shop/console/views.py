"""The operator's console pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

import fulfilment.api
import suppliers.api
from shop.core import accounts
from shop.core.auth import role_required

bp = Blueprint("console", __name__, template_folder="templates", url_prefix="/console")


@bp.get("/")
@role_required("operator")
def home() -> ResponseReturnValue:
    """The operator's overview: people by role, communities and grids, suppliers by status."""
    return render_template(
        "console/home.html",
        roles=accounts.count_users_by_role(),
        communities=accounts.list_communities(),
        grids=fulfilment.api.list_grids(),
        suppliers=suppliers.api.count_by_status(),
    )
