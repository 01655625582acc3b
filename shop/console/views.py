"""The operator's console pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlmodel import func, select

import fulfilment.api
import suppliers.api
from shop.core import db
from shop.core.auth import role_required
from shop.core.models import Community, UserRole

bp = Blueprint("console", __name__, template_folder="templates", url_prefix="/console")


@bp.get("/")
@role_required("operator")
def home() -> ResponseReturnValue:
    """The operator's overview: people by role, communities and grids, suppliers by status."""
    s = db.session()
    roles = dict(s.exec(select(UserRole.role, func.count()).group_by(UserRole.role)).all())
    communities = list(s.exec(select(Community).order_by(Community.id)))
    return render_template(
        "console/home.html",
        roles=roles,
        communities=communities,
        grids=fulfilment.api.list_grids(),
        suppliers=suppliers.api.count_by_status(),
    )
