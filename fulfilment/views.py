"""Staff and manager pages: big buttons, few steps."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from fulfilment import queries, services
from shop.core import db
from shop.core.auth import role_required
from shop.core.forms import EmptyForm

bp = Blueprint("fulfilment", __name__, template_folder="templates")


@bp.get("/staff")
@role_required("staff")
def staff_home() -> ResponseReturnValue:
    """A staff member's home: duty switch and the grids they cover."""
    return render_template(
        "fulfilment/staff_home.html",
        member=queries.find_staff_member(current_user.id),
        grids=queries.grids_of_staff(current_user.id),
    )


@bp.post("/staff/duty/<any(on, off):state>")
@role_required("staff")
def set_duty(state: str) -> ResponseReturnValue:
    """Go on or off duty."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.set_duty(user_id=current_user.id, on_duty=state == "on")
    db.session().commit()
    return redirect(url_for("fulfilment.staff_home"))


@bp.get("/manager")
@role_required("manager")
def manager_home() -> ResponseReturnValue:
    """A manager's home: their grids and who is on duty."""
    return render_template(
        "fulfilment/manager_home.html", grids=queries.grids_of_manager(current_user.id)
    )
