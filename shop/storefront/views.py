"""Residents' pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from shop.core import db
from shop.core.accounts import find_resident_profile
from shop.core.auth import role_required
from shop.core.models import Building, Community

bp = Blueprint("storefront", __name__, template_folder="templates", url_prefix="/shop")


@bp.get("/")
@role_required("resident")
def home() -> ResponseReturnValue:
    """A resident's home: who and where they are; the catalogue fills it later."""
    profile = find_resident_profile(current_user.id)
    building = db.session().get(Building, profile.building_id) if profile else None
    community = db.session().get(Community, building.community_id) if building else None
    return render_template(
        "storefront/home.html", profile=profile, building=building, community=community
    )
