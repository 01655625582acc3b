"""marshmallow shapes of the catalogue API: bundles, categories, policies, synonyms, search."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from shop.core.i18n import N_
from shop.core.media import KEY as MEDIA_KEY
from shop.core.money import basis_points, parse_major
from shop.core.schemas import ID_RANGE, PAGE_RANGE, OpenPageForm, PageArgsSchema, PageForm
from suppliers.catalogue.rules import SEGMENTS
from suppliers.catalogue.services.policies import NODE_KINDS, NodeSchema

_money = {"strict": True, "validate": validate.Range(min=0, max=100_000_000)}


class ComponentInSchema(Schema):
    """One item of a bundle, with what the supplier is paid and what it sells for alone."""

    item_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    quantity = fields.Integer(load_default=1, strict=True, validate=validate.Range(1, 99))
    settlement_price_minor = fields.Integer(required=True, **_money)
    list_price_minor = fields.Integer(required=True, **_money)


class BundleInSchema(Schema):
    """A bundle as the operator composes it."""

    title = fields.String(required=True, validate=validate.Length(min=2, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    category_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    images = fields.List(  # keys of uploaded images; empty: the items' own images
        fields.String(validate=validate.Regexp(MEDIA_KEY, error=N_("Not an uploaded image."))),
        load_default=list,
        validate=validate.Length(max=8),
    )
    value_adds = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=10),
    )
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)),
        load_default=list,
        validate=validate.Length(max=10),
    )
    price_minor = fields.Integer(required=True, **_money)
    care_price_minor = fields.Integer(load_default=None, allow_none=True, **_money)
    reference_price_minor = fields.Integer(load_default=None, allow_none=True, **_money)
    segments = fields.List(
        fields.String(validate=validate.OneOf(SEGMENTS)),
        load_default=lambda: ["mass"],
        validate=validate.Length(min=1, max=3),
    )
    policy_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    is_featured = fields.Boolean(load_default=False)
    components = fields.List(
        fields.Nested(ComponentInSchema), required=True, validate=validate.Length(min=1, max=12)
    )


class BundlePatchSchema(BundleInSchema):
    """Changes to a bundle (any field of BundleInSchema)."""


class WithdrawSchema(Schema):
    """Why a bundle is taken off sale."""

    reason = fields.String(required=True, validate=validate.Length(min=2, max=300))


def _money_of(name: str) -> Any:
    return fields.Function(
        lambda obj: (
            None
            if getattr(obj, name) is None
            else {"amount_minor": getattr(obj, name), "currency": obj.currency}
        )
    )


class BundleCardSchema(Schema):
    """A bundle in a list, priced for whoever asks."""

    id = fields.Integer()
    title = fields.String()
    image = fields.String(allow_none=True)
    category_id = fields.Integer()
    price = _money_of("price_minor")
    is_care_price = fields.Boolean()
    saving = _money_of("saving_minor")
    available = fields.Integer(allow_none=True)
    status = fields.String()


class ComponentSchema(Schema):
    """An item of a bundle."""

    item_id = fields.Integer()
    name = fields.String()
    supplier = fields.String()
    kind = fields.String()
    quantity = fields.Integer()
    unit = fields.String()
    duration_minutes = fields.Integer(allow_none=True)


class BundleSchema(BundleCardSchema):
    """A bundle's page: items, value-adds, promises in plain words, savings."""

    description = fields.String()
    value_adds = fields.List(fields.String())
    tags = fields.List(fields.String())
    segments = fields.List(fields.String())
    components = fields.List(fields.Nested(ComponentSchema))
    promises = fields.List(fields.String())
    policy_id = fields.Integer()
    reference_price = _money_of("reference_price_minor")
    saving_vs_reference = _money_of("saving_vs_reference_minor")
    slot_times = fields.List(fields.String())


class OperatorBundleSchema(BundleSchema):
    """What the operator sees besides: base and care prices, settlements and margin."""

    base_price = _money_of("base_price_minor")
    care_price = _money_of("care_price_minor")
    settlement = _money_of("settlement_minor")
    margin = _money_of("margin_minor")
    is_featured = fields.Boolean()


class BundleListArgs(Schema):
    """Filter and page the storefront list."""

    category_id = fields.Integer(load_default=None, validate=ID_RANGE)
    featured = fields.Boolean(load_default=None)
    page = fields.Integer(load_default=1, validate=PAGE_RANGE)
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class SearchArgs(Schema):
    """`?q=` and how many results."""

    q = fields.String(required=True, validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class SearchHitSchema(Schema):
    """A result with the title's matched words marked."""

    bundle = fields.Nested(BundleCardSchema, attribute="card")
    title_html = fields.String()


class SearchResultSchema(Schema):
    """The results of a search."""

    items = fields.List(fields.Nested(SearchHitSchema))
    partial = fields.Boolean()


class CategoryInSchema(Schema):
    """A new category."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name_en = fields.String(load_default="", validate=validate.Length(max=60))


class CategoryPatchSchema(Schema):
    """Open or close a category, or set its service standard."""

    is_active = fields.Boolean()
    checklist = fields.List(
        fields.String(validate=validate.Length(min=1, max=80)), validate=validate.Length(max=12)
    )

    @validates_schema
    def _something(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ValidationError(N_("Give is_active or checklist."), "_schema")


class CategorySchema(Schema):
    """A category."""

    id = fields.Integer()
    name = fields.String()
    name_en = fields.String()
    is_active = fields.Boolean()
    checklist = fields.List(fields.String())


class PolicyInSchema(Schema):
    """A commitment policy: a name and its nodes."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    nodes = fields.List(fields.Nested(NodeSchema), required=True)


class PolicySchema(Schema):
    """A commitment policy with its promises in plain words."""

    id = fields.Integer()
    name = fields.String()
    nodes = fields.List(fields.Dict())
    promises = fields.List(fields.String())


class SynonymsSchema(Schema):
    """The synonym groups."""

    groups = fields.List(
        fields.List(fields.String(validate=validate.Length(min=1, max=20))),
        required=True,
        validate=validate.Length(max=500),
    )


class SegmentSchema(Schema):
    """Open or close a segment."""

    is_open = fields.Boolean(required=True)


class SegmentForm(SegmentSchema, PageForm):
    """The segments page: which segment, open or closed."""

    segment = fields.String(required=True, validate=validate.OneOf(SEGMENTS))


class ItemSearchArgs(PageArgsSchema):
    """Search supplier items when composing a bundle."""

    q = fields.String(required=True, validate=validate.Length(min=1, max=60))


class ItemChoiceSchema(Schema):
    """A supplier item to put in a bundle."""

    id = fields.Integer()
    name = fields.String()
    supplier_name = fields.String()
    kind = fields.String()
    unit = fields.String()
    supply_price_minor = fields.Integer()
    stock = fields.Integer()


_COMPONENT = re.compile(r"^components-(\d+)-(item_id|quantity|settlement_price|list_price)$")


class ComponentRowsForm(OpenPageForm):
    """The compose page's component rows (`components-<n>-<field>`), prices typed in yuan.

    Loaded into the rows `BundleInSchema.components` reads; a price that is not an amount
    stays text, for that schema to name.
    """

    @post_load
    def _rows(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        rows: dict[int, dict[str, Any]] = {}
        for key, value in data.items():
            if match := _COMPONENT.match(key):
                text = str(value).strip()
                number: Any = int(text) if text.lstrip("-").isdigit() else text
                rows.setdefault(int(match.group(1)), {})[match.group(2)] = number
        for row in rows.values():
            for name in ("settlement_price", "list_price"):
                if name in row:
                    text = str(row.pop(name))
                    amount = parse_major(text)
                    row[f"{name}_minor"] = amount if amount is not None else text
        kept = [rows[n] for n in sorted(rows) if rows[n].get("item_id") not in (None, "")]
        return {"components": kept}


class CategoryForm(PageForm):
    """The categories page: a new category, a category opened or closed, or its checklist."""

    category_id = fields.Integer(load_default=None, validate=ID_RANGE)
    name = fields.String(load_default="", validate=validate.Length(max=40))
    name_en = fields.String(load_default="", validate=validate.Length(max=60))
    is_active = fields.Boolean(load_default=False)
    checklist = fields.String(load_default=None, validate=validate.Length(max=4000))


class PolicyForm(OpenPageForm):
    """A commitment policy as typed, node by node (`<kind>-<field>`).

    A refund amount or coupon is typed in yuan, a refund share in percent: loaded into the
    shape `PolicySchema` reads (fen and basis points); a value that is not one stays text,
    for that schema to name.
    """

    name = fields.String(load_default="", validate=validate.Length(max=80))

    @post_load
    def _nodes(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        def text(key: str) -> str:
            return str(data.get(key, "")).strip()

        nodes = []
        for kind in NODE_KINDS:
            if text(f"{kind}-on") != "1":
                continue
            node: dict[str, Any] = {"kind": kind}
            for field in ("minutes", "service_start", "service_end"):
                if value := text(f"{kind}-{field}"):
                    node[field] = int(value) if value.isdigit() and field == "minutes" else value
            if kind == "standard":
                node["checklist"] = [
                    ln.strip() for ln in text("standard-checklist").splitlines() if ln.strip()
                ]
                node["requires_confirmation"] = text("standard-confirm") == "1"
            comp_type = text(f"{kind}-comp_type") or "refund_amount"
            typed = text(f"{kind}-comp_value")
            if comp_type == "refund_percent":
                share = basis_points(typed)
                value: Any = {"basis_points": share if share is not None else typed}
            else:
                amount = parse_major(typed)
                value = {"amount_minor": amount if amount is not None else typed}
            node["compensation"] = {"type": comp_type, **value}
            nodes.append(node)
        return {"name": data["name"], "nodes": nodes}


class SynonymsForm(PageForm):
    """The synonym list: one group a line, words separated by spaces or commas."""

    groups = fields.String(load_default="", validate=validate.Length(max=20_000))

    @post_load
    def _groups(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        lines = [line.strip() for line in data["groups"].splitlines() if line.strip()]
        return {"groups": [re.split(r"[\s,，、]+", line) for line in lines]}
