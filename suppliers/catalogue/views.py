"""The operator's catalogue pages: compose bundles, categories, policies, synonyms, segments."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import EXCLUDE, ValidationError

import suppliers.api
from shop.core import db
from shop.core.auth import role_required
from shop.core.errors import DomainError
from shop.core.i18n import translate_errors
from shop.core.schemas import ReasonForm
from shop.core.web import check_csrf, form_action, load_form, posted, typed_values
from suppliers.catalogue import queries, schemas
from suppliers.catalogue.services import bundles as services
from suppliers.catalogue.services import policies

bp = Blueprint(
    "catalogue",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/catalogue",
    url_prefix="/console/catalogue",
)
_COMPONENT = re.compile(r"^components-(\d+)-(item_id|quantity|settlement_price|list_price)$")


@bp.get("/")
@role_required("operator")
def bundles() -> ResponseReturnValue:
    """Every bundle, by status."""
    status = request.args.get("status") or None
    return render_template(
        "catalogue/bundles.html",
        rows=queries.all_bundles(status),
        status=status,
        categories={c.id: c for c in queries.all_categories()},
    )


def _leaf_messages(tree: Any) -> list[str]:
    """Every message of a nested error tree, in order (for one line under the components)."""
    if isinstance(tree, dict):
        return [m for value in tree.values() for m in _leaf_messages(value)]
    if isinstance(tree, list):
        return [m for value in tree for m in _leaf_messages(value)]
    return [str(tree)]


def _compose_page(
    bundle_id: int | None, values: dict[str, Any], errors: dict[str, list[str]], status: int = 200
) -> ResponseReturnValue:
    components = values.get("components", [])
    items = suppliers.api.get_items(
        [c["item_id"] for c in components if isinstance(c.get("item_id"), int)]
    )
    view = (
        queries.bundle_view(
            bundle_id, viewer="mass", opened=services.opened_segments(), include_unpublished=True
        )
        if bundle_id
        else None
    )
    return render_template(
        "catalogue/compose.html",
        bundle_id=bundle_id,
        view=view,
        values=values,
        errors=errors,
        items=items,
        category_options=[(c.id, c.name) for c in queries.all_categories()],
        policy_options=[(p.id, p.name) for p in queries.all_policies()],
    ), status


@bp.route("/bundles/new", methods=["GET", "POST"])
@bp.route("/bundles/<int:bundle_id>", methods=["GET", "POST"])
@role_required("operator")
def compose(bundle_id: int | None = None) -> ResponseReturnValue:
    """Compose or change a bundle; margin and saving update as you type."""
    if request.method == "GET":
        if bundle_id is None:
            return _compose_page(None, {"segments": ["mass"], "components": []}, {})
        bundle = services.get_bundle(bundle_id)
        return _compose_page(
            bundle_id, {**bundle.model_dump(), "components": services.components_of(bundle_id)}, {}
        )
    components = load_form(schemas.ComponentRowsForm(), drop_empty=False)[0]["components"]
    data, errors = load_form(
        schemas.BundleInSchema(exclude=("components",), unknown=EXCLUDE),
        lists=("segments", "value_adds", "tags", "images"),
    )
    values = {**typed_values(), "components": components, "segments": data.get("segments", [])}
    if not errors:
        try:
            data["components"] = (
                schemas.BundleInSchema().fields["components"].deserialize(components)
            )
            if bundle_id is None:
                bundle_id = services.create_bundle(actor_id=current_user.id, data=data).id
            else:
                services.update_bundle(bundle_id=bundle_id, actor_id=current_user.id, changes=data)
        except ValidationError as exc:
            errors = {"components": _leaf_messages(translate_errors(exc.messages))}
        except DomainError as exc:
            db.refused(exc)
            errors = exc.fields or {"_schema": [exc.message]}
            errors.setdefault("_schema", [exc.message])
        else:
            return redirect(url_for("catalogue.compose", bundle_id=bundle_id))
    return _compose_page(bundle_id, values, errors, 422)


@bp.post("/bundles/<int:bundle_id>/publish")
@role_required("operator")
def publish(bundle_id: int) -> ResponseReturnValue:
    """Put a bundle on sale."""
    check_csrf()
    form_action(
        lambda: services.publish_bundle(bundle_id=bundle_id, actor_id=current_user.id),
        _("The bundle is on sale."),
    )
    return redirect(url_for("catalogue.compose", bundle_id=bundle_id))


@bp.post("/bundles/<int:bundle_id>/withdraw")
@role_required("operator")
def withdraw(bundle_id: int) -> ResponseReturnValue:
    """Take a bundle off sale."""
    check_csrf()
    form_action(
        lambda: services.withdraw_bundle(
            bundle_id=bundle_id, actor_id=current_user.id, **posted(ReasonForm())
        ),
        _("The bundle was withdrawn."),
    )
    return redirect(url_for("catalogue.compose", bundle_id=bundle_id))


def _category_action(form: dict[str, Any]) -> None:
    """The categories page's three forms: a checklist, opening or closing, or a new one."""
    if form["category_id"] and form["checklist"] is not None:
        services.set_category_checklist(
            category_id=form["category_id"],
            checklist=form["checklist"].splitlines(),
            actor_id=current_user.id,
        )
    elif form["category_id"]:
        services.set_category_active(
            category_id=form["category_id"], is_active=form["is_active"], actor_id=current_user.id
        )
    else:
        services.create_category(
            actor_id=current_user.id, name=form["name"], name_en=form["name_en"]
        )


@bp.route("/categories", methods=["GET", "POST"])
@role_required("operator")
def categories() -> ResponseReturnValue:
    """Add categories and open or close them."""
    if request.method == "POST":
        form_action(lambda: _category_action(posted(schemas.CategoryForm())), _("Saved."))
        return redirect(url_for("catalogue.categories"))
    return render_template(
        "catalogue/categories.html",
        rows=queries.all_categories(),
        phase=suppliers.api.current_phase(),
    )


@bp.route("/policies", methods=["GET", "POST"])
@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@role_required("operator")
def policy_edit(policy_id: int | None = None) -> ResponseReturnValue:
    """Define or change a commitment policy, node by node."""
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data = load_form(schemas.PolicyForm(), drop_empty=False)[0]
        try:
            policy = services.save_policy(actor_id=current_user.id, data=data, policy_id=policy_id)
        except ValidationError as exc:
            messages = translate_errors(exc.messages)
            errors = messages if isinstance(messages, dict) else {"_": messages}
        except DomainError as exc:
            db.refused(exc)
            errors = exc.fields or {"_schema": [exc.message]}
        else:
            return redirect(url_for("catalogue.policy_edit", policy_id=policy.id))
    all_policies = queries.all_policies()
    current = next((p for p in all_policies if p.id == policy_id), None)
    if policy_id and current is None:
        abort(404)
    return render_template(
        "catalogue/policies.html",
        rows=all_policies,
        current=current,
        errors=errors,
        nodes={n["kind"]: n for n in (current.nodes if current else [])},
        describe=policies.describe_all,
    ), 422 if errors else 200


@bp.route("/synonyms", methods=["GET", "POST"])
@role_required("operator")
def synonyms() -> ResponseReturnValue:
    """Edit the synonym list: one group per line, words separated by spaces or commas."""
    if request.method == "POST":
        form_action(
            lambda: services.replace_synonyms(
                actor_id=current_user.id, **posted(schemas.SynonymsForm())
            ),
            _("Synonyms saved; searches use them at once."),
        )
        return redirect(url_for("catalogue.synonyms"))
    return render_template("catalogue/synonyms.html", groups=queries.synonym_groups())


@bp.route("/segments", methods=["GET", "POST"])
@role_required("operator")
def segment_settings() -> ResponseReturnValue:
    """Open or close the premium and care segments."""
    if request.method == "POST":
        form_action(
            lambda: services.set_segment_open(
                actor_id=current_user.id, **posted(schemas.SegmentForm())
            ),
            _("Saved."),
        )
        return redirect(url_for("catalogue.segment_settings"))
    return render_template("catalogue/segments.html", opened=services.opened_segments())
