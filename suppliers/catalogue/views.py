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
from shop.core.boundary import id_value
from shop.core.errors import DomainError
from shop.core.i18n import translate_errors
from shop.core.money import parse_major
from shop.core.web import check_csrf, form_action, load_form
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


def _posted_components() -> list[dict[str, Any]]:
    """The component rows of the form; their prices are typed in yuan (kept as text if not)."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in request.form.items():
        if match := _COMPONENT.match(key):
            text = value.strip()
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = (
                int(text) if text.lstrip("-").isdigit() else text
            )
    for row in rows.values():
        for name in ("settlement_price", "list_price"):
            if name in row:
                text = str(row.pop(name))
                row[f"{name}_minor"] = parse_major(text) if parse_major(text) is not None else text
    return [rows[n] for n in sorted(rows) if rows[n].get("item_id") not in (None, "")]


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
    components = _posted_components()
    data, errors = load_form(
        schemas.BundleInSchema(exclude=("components",), unknown=EXCLUDE),
        lists=("segments", "value_adds", "tags", "images"),
    )
    values = {
        **request.form.to_dict(),
        "components": components,
        "segments": request.form.getlist("segments"),
    }
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
            bundle_id=bundle_id, actor_id=current_user.id, reason=request.form.get("reason", "")
        ),
        _("The bundle was withdrawn."),
    )
    return redirect(url_for("catalogue.compose", bundle_id=bundle_id))


@bp.route("/categories", methods=["GET", "POST"])
@role_required("operator")
def categories() -> ResponseReturnValue:
    """Add categories and open or close them."""
    if request.method == "POST":
        check_csrf()
        category_id = request.form.get("category_id", type=id_value)
        if category_id and "checklist" in request.form:
            form_action(
                lambda: services.set_category_checklist(
                    category_id=category_id,
                    checklist=request.form["checklist"].splitlines(),
                    actor_id=current_user.id,
                ),
                _("Saved."),
            )
        elif category_id:
            is_active = request.form.get("is_active") == "1"
            form_action(
                lambda: services.set_category_active(
                    category_id=category_id, is_active=is_active, actor_id=current_user.id
                ),
                _("Saved."),
            )
        else:
            form_action(
                lambda: services.create_category(
                    actor_id=current_user.id,
                    name=request.form.get("name", ""),
                    name_en=request.form.get("name_en", ""),
                ),
                _("Saved."),
            )
        return redirect(url_for("catalogue.categories"))
    return render_template(
        "catalogue/categories.html",
        rows=queries.all_categories(),
        phase=suppliers.api.current_phase(),
    )


def _policy_form_nodes() -> list[dict[str, Any]]:
    """The nodes ticked on the policy form, in the shape PolicySchema reads."""
    nodes = []
    for kind in policies.NODE_KINDS:
        if request.form.get(f"{kind}-on") != "1":
            continue
        node: dict[str, Any] = {"kind": kind}
        for field in ("minutes", "service_start", "service_end"):
            if value := request.form.get(f"{kind}-{field}", "").strip():
                node[field] = int(value) if value.isdigit() and field == "minutes" else value
        if kind == "standard":
            lines = request.form.get(f"{kind}-checklist", "").splitlines()
            node["checklist"] = [ln.strip() for ln in lines if ln.strip()]
            node["requires_confirmation"] = request.form.get(f"{kind}-confirm") == "1"
        comp_type = request.form.get(f"{kind}-comp_type", "refund_amount")
        amount = request.form.get(f"{kind}-comp_value", "").strip()
        value = int(amount) if amount.isdigit() else amount
        key = "basis_points" if comp_type == "refund_percent" else "amount_minor"
        node["compensation"] = {"type": comp_type, key: value}
        nodes.append(node)
    return nodes


@bp.route("/policies", methods=["GET", "POST"])
@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@role_required("operator")
def policy_edit(policy_id: int | None = None) -> ResponseReturnValue:
    """Define or change a commitment policy, node by node."""
    errors: dict[str, Any] = {}
    if request.method == "POST":
        check_csrf()
        data = {"name": request.form.get("name", "").strip(), "nodes": _policy_form_nodes()}
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
        check_csrf()
        groups = [
            re.split(r"[\s,，、]+", line.strip())
            for line in request.form.get("groups", "").splitlines()
            if line.strip()
        ]
        form_action(
            lambda: services.replace_synonyms(actor_id=current_user.id, groups=groups),
            _("Synonyms saved; searches use them at once."),
        )
        return redirect(url_for("catalogue.synonyms"))
    return render_template("catalogue/synonyms.html", groups=queries.synonym_groups())


@bp.route("/segments", methods=["GET", "POST"])
@role_required("operator")
def segment_settings() -> ResponseReturnValue:
    """Open or close the premium and care segments."""
    if request.method == "POST":
        data, errors = load_form(schemas.SegmentSchema(unknown=EXCLUDE))
        segment = request.form.get("segment", "")
        if not errors:
            form_action(
                lambda: services.set_segment_open(
                    segment=segment, is_open=data["is_open"], actor_id=current_user.id
                ),
                _("Saved."),
            )
        return redirect(url_for("catalogue.segment_settings"))
    return render_template("catalogue/segments.html", opened=services.opened_segments())
