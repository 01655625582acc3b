"""The operator's console pages: the overview and the platform phase."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

import fulfilment.api
import suppliers.api
from shop.core import accounts
from shop.core.auth import role_required
from shop.core.web import check_csrf, form_action

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
        phase=suppliers.api.current_phase(),
    )


@bp.route("/phase", methods=["GET", "POST"])
@role_required("operator")
def phase() -> ResponseReturnValue:
    """The platform phase: readiness for the next one, and the advance (with an override)."""
    current = suppliers.api.current_phase()
    upcoming = current + 1 if current < 3 else None
    if request.method == "POST" and upcoming:
        check_csrf()
        form_action(
            lambda: suppliers.api.advance_phase(
                phase=upcoming,
                actor_id=current_user.id,
                override_reason=request.form.get("override_reason", ""),
            ),
            _("The platform is now in phase %(phase)d.", phase=upcoming),
        )
        return redirect(url_for("console.phase"))
    return render_template(
        "console/phase.html",
        phase=current,
        upcoming=upcoming,
        figures=suppliers.api.readiness(upcoming) if upcoming else [],
        history=suppliers.api.phase_history(),
    )
