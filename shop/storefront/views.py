"""Residents' pages: browse, search, the bundle page and the basket."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

import orders.api
import suppliers.catalogue.api as catalogue
from shop.core.accounts import find_resident_address
from shop.core.auth import role_required, viewer_segment
from shop.core.boundary import page_value
from shop.core.web import load_form, safe_next
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
