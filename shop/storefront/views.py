"""Residents' pages: browse, search, the bundle page and the basket."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

import orders.api
import suppliers.catalogue.api as catalogue
from shop.core import db
from shop.core.accounts import find_resident_address
from shop.core.auth import role_required, viewer_segment
from shop.core.boundary import page_value
from shop.core.errors import DomainError
from shop.core.web import form_action, form_values, load_form, safe_next, typed_values
from shop.storefront import basket, forms

bp = Blueprint(
    "storefront",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/storefront",
    url_prefix="/shop",
)


@bp.app_context_processor
def _basket_count() -> dict[str, int]:
    signed_in = current_user and current_user.is_authenticated
    return {"basket_count": basket.count() if signed_in else 0}


@bp.get("/")
def home() -> ResponseReturnValue:
    """Categories and featured bundles (and, for a resident, where we deliver)."""
    viewer = viewer_segment()
    featured, _total = catalogue.list_bundles(viewer=viewer, featured=True, per_page=8)
    latest, _total = catalogue.list_bundles(viewer=viewer, per_page=8)
    address = find_resident_address(current_user.id) if viewer else None
    if viewer == "care":  # care prices first
        featured = sorted(featured, key=lambda c: not c.is_care_price)
        latest = sorted(latest, key=lambda c: not c.is_care_price)
    return render_template(
        "storefront/home.html",
        address=address,
        categories=catalogue.list_categories(viewer),
        featured=featured or latest,
    )


@bp.get("/categories/<int:category_id>")
def category(category_id: int) -> ResponseReturnValue:
    """The bundles of one category."""
    viewer = viewer_segment()
    found = catalogue.find_category(category_id, viewer=viewer)
    if found is None:
        abort(404)
    page = request.args.get("page", 1, type=page_value)
    cards, total = catalogue.list_bundles(viewer=viewer, category_id=category_id, page=page)
    return render_template(
        "storefront/category.html", category=found, cards=cards, total=total, page=page
    )


@bp.get("/bundles/<int:bundle_id>")
def bundle(bundle_id: int) -> ResponseReturnValue:
    """A bundle: what is in it, what it saves, and what we promise."""
    view = catalogue.get_bundle_view(bundle_id, viewer=viewer_segment())
    if view is None:
        abort(404)
    serves_me = not current_user.is_authenticated or orders.api.serves_resident(
        bundle_id, resident_id=current_user.id
    )
    return render_template("storefront/bundle.html", bundle=view, serves_me=serves_me)


@bp.get("/search")
def search() -> ResponseReturnValue:
    """Search results with the matched words marked."""
    q = request.args.get("q", "").strip()[:100]
    viewer = viewer_segment()
    hits, partial = catalogue.search_bundles(q, viewer=viewer) if q else ([], False)
    categories, suggested = [], []
    if q and not hits:  # nothing found: where to look instead
        categories = catalogue.list_categories(viewer)
        suggested, _total = catalogue.list_bundles(viewer=viewer, featured=True, per_page=4)
        if not suggested:
            suggested, _total = catalogue.list_bundles(viewer=viewer, per_page=4)
    return render_template(
        "storefront/search.html",
        q=q,
        hits=hits,
        partial=partial,
        categories=categories,
        suggested=suggested,
        demand_open=bool(q and not hits) and orders.api.demand_open(),
    )


@bp.get("/basket")
@role_required("resident")
def basket_page() -> ResponseReturnValue:
    """The basket."""
    current = basket.load(viewer_segment())
    if current.dropped:
        flash(_("Some bundles are no longer on sale and were taken out."), "info")
    return render_template("storefront/basket.html", basket=current)


@bp.post("/basket")
@role_required("resident")
def basket_update() -> ResponseReturnValue:
    """Add a bundle, change its quantity, or take it out."""
    form, errors = load_form(forms.BasketForm(), drop_empty=False)
    bundle_id = form.get("bundle_id")
    view = catalogue.get_bundle_view(bundle_id, viewer=viewer_segment()) if bundle_id else None
    if errors or view is None:
        abort(404)
    adding = form["add"]
    quantity, error = basket.parse_quantity(form["quantity"], adding=adding)
    if error:  # the form again, the message beside the field, the basket as it was
        if adding:
            page = render_template(
                "storefront/bundle.html", bundle=view, quantity_error=error, serves_me=True
            )
        else:
            current = basket.load(viewer_segment())
            page = render_template(
                "storefront/basket.html", basket=current, errors={bundle_id: error}
            )
        return page, 422
    basket.set_quantity(bundle_id, quantity, add=adding)
    if adding:
        flash(_("Added to your basket."), "info")
        return redirect(safe_next(form["next"]) or url_for("storefront.basket_page"))
    return redirect(url_for("storefront.basket_page"))


def _demand_page(
    values: dict[str, Any],
    errors: dict[str, Any],
    status: int = 200,
    made: orders.api.DemandRequestView | None = None,
    matches: list[tuple[int, str]] | None = None,
) -> ResponseReturnValue:
    viewer = viewer_segment()
    is_open = orders.api.demand_open()
    return render_template(
        "storefront/demand.html",
        is_open=is_open,
        values=values,
        errors=errors,
        made=made,
        matches=matches or [],
        categories=[(c.id, c.name) for c in catalogue.list_categories(viewer)],
        near=orders.api.demands_near(current_user.id) if is_open else [],
        mine=orders.api.my_demand_requests(current_user.id) if is_open else [],
    ), status


@bp.route("/demand", methods=["GET", "POST"])
@role_required("resident")
def demand_page() -> ResponseReturnValue:
    """Ask for something not offered (here), +1 what neighbours asked for, see the answers."""
    if request.method == "GET":
        return _demand_page(
            {
                "text": request.args.get("q", "")[:200],
                "source": request.args.get("source", "storefront"),
                "quantity": 1,
            },
            {},
        )
    values = typed_values()
    try:
        made, matches = orders.api.ask_for(
            resident_id=current_user.id, form=form_values(), source=values.get("source", "")
        )
    except DomainError as exc:
        db.refused(exc)
        return _demand_page(values, exc.fields or {"_schema": [exc.message]}, exc.status)
    flash(_("Your request is in; we tell you what becomes of it."), "info")
    return _demand_page({"quantity": 1}, {}, 200, made, matches)


@bp.post("/demand/<int:demand_id>/support")
@role_required("resident")
def support_demand(demand_id: int) -> ResponseReturnValue:
    """+1: my household wants it too."""
    form_action(
        lambda: orders.api.support_demand(demand_id=demand_id, resident_id=current_user.id),
        _("Counted: your household wants it too."),
    )
    return redirect(url_for("storefront.demand_page"), code=303)


@bp.get("/batches")
@role_required("resident")
def batches_page() -> ResponseReturnValue:
    """The custom batches open in my compound, and my pledges."""
    is_open = orders.api.demand_open()
    return render_template(
        "storefront/batches.html",
        is_open=is_open,
        batches=orders.api.batches_near(current_user.id) if is_open else [],
        pledges=orders.api.my_pledges(current_user.id) if is_open else [],
    )


@bp.get("/batches/<int:batch_id>")
@role_required("resident")
def batch_page(batch_id: int) -> ResponseReturnValue:
    """One batch: my compound's counter, the deadline, what happens if it fails; pledge here."""
    if not orders.api.demand_open():
        abort(404)
    try:
        batch = orders.api.batch_for(
            batch_id=batch_id, user_id=current_user.id, roles=current_user.roles
        )
    except DomainError:
        abort(404)
    home = find_resident_address(current_user.id)
    here = next((c for c in batch.compounds if c.community_id == home.community_id), None)
    return render_template(
        "storefront/batch.html",
        batch=batch,
        here=here,
        pledges=orders.api.my_pledges(current_user.id, batch_id=batch_id),
        card=orders.api.card_form(),
        key=uuid.uuid4().hex,
    )


@bp.post("/batches/<int:batch_id>/pledges/<int:pledge_id>/withdraw")
@role_required("resident")
def withdraw_pledge(batch_id: int, pledge_id: int) -> ResponseReturnValue:
    """Take my pledge back before the deadline (then back to the batch's page)."""
    form_action(
        lambda: orders.api.withdraw_pledge(pledge_id=pledge_id, resident_id=current_user.id),
        _("Your pledge is withdrawn; the hold on your card is released."),
    )
    return redirect(url_for("storefront.batch_page", batch_id=batch_id), code=303)
