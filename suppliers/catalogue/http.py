"""The catalogue JSON API: bundles, search, categories, policies, synonyms and segments."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

import suppliers.api
from shop.core.auth import role_required, viewer_segment
from shop.core.boundary import Blueprint
from shop.core.errors import NotFound
from shop.core.schemas import PageArgsSchema, page_schema, paged
from suppliers.catalogue import api, queries, schemas
from suppliers.catalogue.services import bundles as services
from suppliers.catalogue.services import policies

bp = Blueprint(
    "catalogue_api",
    __name__,
    url_prefix="/api/v1",
    description="产品包 bundles, search and the catalogue's settings",
)
BundlePage = page_schema(schemas.BundleCardSchema, "BundleCardPage")


def _operator_view(bundle_id: int) -> Any:
    view = queries.bundle_view(
        bundle_id, viewer="mass", opened=services.opened_segments(), include_unpublished=True
    )
    if view is None:
        raise NotFound(_("No such bundle."))
    return view


@bp.get("/bundles")
@bp.arguments(schemas.BundleListArgs, location="query")
@bp.response(200, BundlePage)
def list_bundles(args: dict[str, Any]) -> dict[str, Any]:
    """Published bundles the caller may see, priced for them (care prices for care residents)."""
    cards, total = api.list_bundles(viewer=viewer_segment(), **args)
    return {"items": cards, "page": args["page"], "per_page": args["per_page"], "total": total}


@bp.get("/bundles/<int:bundle_id>")
@bp.response(200, schemas.BundleSchema)
def get_bundle(bundle_id: int) -> Any:
    """A bundle: its items, value-adds, promises in plain words and savings."""
    view = api.get_bundle_view(bundle_id, viewer=viewer_segment())
    if view is None:
        raise NotFound(_("No such bundle."))
    return view


@bp.get("/search")
@bp.arguments(schemas.SearchArgs, location="query")
@bp.response(200, schemas.SearchResultSchema)
def search(args: dict[str, Any]) -> dict[str, Any]:
    """Full-text search in Chinese (and pinyin, and English words) over the bundles on sale."""
    hits, partial = api.search_bundles(args["q"], viewer=viewer_segment(), limit=args["limit"])
    return {"items": hits, "partial": partial}


@bp.post("/bundles")
@role_required("operator")
@bp.arguments(schemas.BundleInSchema)
@bp.response(201, schemas.OperatorBundleSchema)
def create_bundle(data: dict[str, Any]) -> Any:
    """Compose a draft bundle."""
    bundle = services.create_bundle(actor_id=current_user.id, data=data)
    return _operator_view(bundle.id)


@bp.get("/bundles/<int:bundle_id>/manage")
@role_required("operator")
@bp.response(200, schemas.OperatorBundleSchema)
def manage_bundle(bundle_id: int) -> Any:
    """A bundle in any status, with settlements and margin (operator)."""
    return _operator_view(bundle_id)


@bp.patch("/bundles/<int:bundle_id>")
@role_required("operator")
@bp.arguments(schemas.BundlePatchSchema(partial=True))
@bp.response(200, schemas.OperatorBundleSchema)
def patch_bundle(data: dict[str, Any], bundle_id: int) -> Any:
    """Change a bundle; a published one must keep every publishing rule."""
    services.update_bundle(bundle_id=bundle_id, actor_id=current_user.id, changes=data)
    return _operator_view(bundle_id)


@bp.post("/bundles/<int:bundle_id>/publish")
@role_required("operator")
@bp.response(200, schemas.OperatorBundleSchema)
def publish(bundle_id: int) -> Any:
    """Put a bundle on sale (refused with 409 and the reason while a rule is broken)."""
    services.publish_bundle(bundle_id=bundle_id, actor_id=current_user.id)
    return _operator_view(bundle_id)


@bp.post("/bundles/<int:bundle_id>/withdraw")
@role_required("operator")
@bp.arguments(schemas.WithdrawSchema)
@bp.response(200, schemas.OperatorBundleSchema)
def withdraw(data: dict[str, Any], bundle_id: int) -> Any:
    """Take a bundle off sale, with a reason."""
    services.withdraw_bundle(bundle_id=bundle_id, actor_id=current_user.id, **data)
    return _operator_view(bundle_id)


@bp.get("/categories")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.CategorySchema, "CategoryPage"))
def list_categories(args: dict[str, Any]) -> dict[str, Any]:
    """The open categories (the operator sees every one)."""
    if current_user.is_authenticated and current_user.has_role("operator"):
        return paged(queries.all_categories(), args)
    return paged(api.list_categories(viewer_segment()), args)


@bp.post("/categories")
@role_required("operator")
@bp.arguments(schemas.CategoryInSchema)
@bp.response(201, schemas.CategorySchema)
def create_category(data: dict[str, Any]) -> Any:
    """Add a category (closed until opened)."""
    category = services.create_category(actor_id=current_user.id, **data)
    return category


@bp.patch("/categories/<int:category_id>")
@role_required("operator")
@bp.arguments(schemas.CategoryPatchSchema)
@bp.response(200, schemas.CategorySchema)
def patch_category(data: dict[str, Any], category_id: int) -> Any:
    """Open or close a category (phase 1 keeps to a few), or set its service standard."""
    if "checklist" in data:
        category = services.set_category_checklist(
            category_id=category_id, checklist=data["checklist"], actor_id=current_user.id
        )
    if "is_active" in data:
        category = services.set_category_active(
            category_id=category_id, is_active=data["is_active"], actor_id=current_user.id
        )
    return category


def _policy_out(policy: Any) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        "nodes": policy.nodes,
        "promises": policies.describe_all(policy.nodes),
    }


@bp.get("/policies")
@role_required("operator")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.PolicySchema, "PolicyPage"))
def list_policies(args: dict[str, Any]) -> dict[str, Any]:
    """Every commitment policy with its promises in plain words."""
    return paged([_policy_out(p) for p in queries.all_policies()], args)


@bp.post("/policies")
@role_required("operator")
@bp.arguments(schemas.PolicyInSchema)
@bp.response(201, schemas.PolicySchema)
def create_policy(data: dict[str, Any]) -> dict[str, Any]:
    """Define a commitment policy."""
    policy = services.save_policy(actor_id=current_user.id, data=data)
    return _policy_out(policy)


@bp.put("/policies/<int:policy_id>")
@role_required("operator")
@bp.arguments(schemas.PolicyInSchema)
@bp.response(200, schemas.PolicySchema)
def replace_policy(data: dict[str, Any], policy_id: int) -> dict[str, Any]:
    """Change a commitment policy (orders already paid keep their snapshot)."""
    policy = services.save_policy(actor_id=current_user.id, data=data, policy_id=policy_id)
    return _policy_out(policy)


@bp.get("/synonyms")
@role_required("operator")
@bp.response(200, schemas.SynonymsSchema)
def get_synonyms() -> dict[str, Any]:
    """The synonym groups."""
    return {"groups": queries.synonym_groups()}


@bp.put("/synonyms")
@role_required("operator")
@bp.arguments(schemas.SynonymsSchema)
@bp.response(200, schemas.SynonymsSchema)
def put_synonyms(data: dict[str, Any]) -> dict[str, Any]:
    """Replace the synonym groups (searches use them at once)."""
    services.replace_synonyms(actor_id=current_user.id, groups=data["groups"])
    return {"groups": queries.synonym_groups()}


@bp.put("/segments/<string(maxlength=20):segment>")
@role_required("operator")
@bp.arguments(schemas.SegmentSchema)
@bp.response(200, schemas.SegmentSchema)
def put_segment(data: dict[str, Any], segment: str) -> dict[str, Any]:
    """Open or close the premium or care segment. Audited."""
    services.set_segment_open(segment=segment, actor_id=current_user.id, **data)
    return {"is_open": segment in services.opened_segments()}


@bp.get("/catalogue/items")
@role_required("operator")
@bp.arguments(schemas.ItemSearchArgs, location="query")
@bp.response(200, page_schema(schemas.ItemChoiceSchema, "ItemChoicePage"))
def find_items(args: dict[str, Any]) -> dict[str, Any]:
    """Sellable supplier items matching `q`, to compose a bundle."""
    return paged(suppliers.api.find_items(args["q"]), args)
