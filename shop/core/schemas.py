"""marshmallow shapes of the kernel's API: money, errors, pages, tokens and the current user."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate

from shop.core.boundary import INT_MAX, MAX_PAGE
from shop.core.i18n import N_

#: Integers that go into a column: every integer column is a 32-bit INTEGER.
ID_RANGE = validate.Range(min=1, max=INT_MAX)
WHOLE_RANGE = validate.Range(min=0, max=INT_MAX)
PAGE_RANGE = validate.Range(min=1, max=MAX_PAGE)


class MoneySchema(Schema):
    """`{"amount_minor": 12800, "currency": "CNY"}` (fen)."""

    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True, validate=validate.Length(equal=3))


class ErrorBodySchema(Schema):
    """The inside of every error response."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.Raw())


class ErrorSchema(Schema):
    """`{"error": {"code", "message", "fields"}}`."""

    error = fields.Nested(ErrorBodySchema, required=True)


class PageArgsSchema(Schema):
    """`?page=1&per_page=20`."""

    page = fields.Integer(load_default=1, validate=PAGE_RANGE)
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def paged(rows: Sequence[Any], args: Mapping[str, Any]) -> dict[str, Any]:
    """One page of a list already read whole: `{"items", "page", "per_page", "total"}`.

    For lists bounded by what they belong to (a month's statement, an order's events); a
    list that grows without bound pages in its query instead (`db.page` and `page_of`).
    """
    start = (int(args["page"]) - 1) * int(args["per_page"])
    return page_of((rows[start : start + int(args["per_page"])], len(rows)), args)


def page_of(found: tuple[Sequence[Any], int], args: Mapping[str, Any]) -> dict[str, Any]:
    """The envelope of a page read in its query (`db.page`): its rows and the total."""
    rows, total = found
    page, per_page = int(args["page"]), int(args["per_page"])
    return {"items": list(rows), "page": page, "per_page": per_page, "total": total}


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """A list response `{"items", "page", "per_page", "total"}` of `item`."""
    attrs: dict[str, Any] = {
        "items": fields.List(fields.Nested(item), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    }
    return type(name, (Schema,), attrs)


class TokenRequestSchema(Schema):
    """Log in with email or phone and password."""

    login = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=128)
    )


class ResidentSchema(Schema):
    """Where a resident lives."""

    community = fields.String()
    building = fields.String()
    room = fields.String()
    segment = fields.String()
    verified = fields.Boolean()


class SupplierMembershipSchema(Schema):
    """The supplier a member acts for (its items are under `/suppliers/{id}/items`)."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    status = fields.String()


class GridRefSchema(Schema):
    """A grid by id and name."""

    id = fields.Integer()
    name = fields.String()


class StaffMembershipSchema(Schema):
    """A staff member's number, role, duty and grids."""

    employee_no = fields.String()
    staff_role = fields.String()
    is_on_duty = fields.Boolean()
    grids = fields.List(fields.Nested(GridRefSchema))


class UserSchema(Schema):
    """The user as the API shows them to themselves."""

    id = fields.Integer()
    email = fields.String()
    phone = fields.String(allow_none=True)
    display_name = fields.String()
    locale = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    resident = fields.Nested(ResidentSchema, allow_none=True)
    supplier = fields.Nested(SupplierMembershipSchema, allow_none=True)
    staff = fields.Nested(StaffMembershipSchema, allow_none=True)


class TokenSchema(Schema):
    """A new bearer token (shown once) and its owner."""

    token = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)
    user = fields.Nested(UserSchema, required=True)


class NotificationSchema(Schema):
    """A message in the user's inbox."""

    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    body = fields.String()
    link = fields.String()
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)


class NotificationPageSchema(Schema):
    """The user's inbox and the number on the bell."""

    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer()


def _timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        from marshmallow import ValidationError

        raise ValidationError(N_("Not a time zone (e.g. Asia/Shanghai).")) from exc


class CommunityInSchema(Schema):
    """A compound as the operator opens it."""

    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9-]{2,32}$", error=N_("2–32 lower-case letters, digits or dashes.")
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    timezone = fields.String(
        load_default="Asia/Shanghai", validate=[validate.Length(max=64), _timezone]
    )
    service_hours = fields.String(
        load_default="",
        validate=validate.Regexp(r"^(\d\d:\d\d-\d\d:\d\d)?$", error=N_("Like 08:00-20:00.")),
    )


class CommunityPatchSchema(CommunityInSchema):
    """Any of a compound's fields but its code."""

    class Meta:
        """The code names the compound for good."""

        exclude = ("code",)


class BuildingsInSchema(Schema):
    """`{"names": ["1栋", "2栋"]}`."""

    names = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)),
        required=True,
        validate=validate.Length(min=1, max=200),
    )


class BuildingSchema(Schema):
    """A building of a compound."""

    id = fields.Integer()
    name = fields.String()


class CommunitySchema(Schema):
    """A compound with its buildings."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    address = fields.String()
    timezone = fields.String()
    service_hours = fields.String()
    buildings = fields.List(fields.Nested(BuildingSchema))


class UnitInSchema(Schema):
    """A home on the owner list."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=20))
    owner_name = fields.String(load_default="", validate=validate.Length(max=80))
    owner_phone = fields.String(load_default="", validate=validate.Length(max=32))


class UnitsInSchema(Schema):
    """`{"building_id", "units": [{"name", "owner_name", "owner_phone"}]}`."""

    building_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    units = fields.List(
        fields.Nested(UnitInSchema), required=True, validate=validate.Length(min=1, max=2000)
    )


class UnitSchema(Schema):
    """A home with its building; the operator also sees the owner and the join code."""

    id = fields.Integer()
    building = fields.String()
    name = fields.String()
    owner_name = fields.String()
    owner_phone = fields.String()
    join_code = fields.String()


class PublicUnitSchema(Schema):
    """A home as the signup form lists it (no owner data, no code)."""

    id = fields.Integer()
    building = fields.String()
    name = fields.String()


class RegisterSchema(Schema):
    """A resident signs up with their phone for a home of the list."""

    phone = fields.String(
        required=True,
        validate=validate.Regexp(r"^\+?[0-9 -]{7,20}$", error=N_("Not a phone number.")),
    )
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=8, max=128)
    )
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    unit_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)


class VerifySchema(Schema):
    """`{"code"}` from the property's notice."""

    code = fields.String(
        required=True, validate=validate.Regexp(r"^\d{6}$", error=N_("Six digits."))
    )


class UnitArgsSchema(PageArgsSchema):
    """`?community_id=` and the page."""

    community_id = fields.Integer(required=True, validate=ID_RANGE)


class UnitImportRowSchema(Schema):
    """One line of the owner list and its errors."""

    line = fields.Integer()
    building = fields.String()
    unit = fields.String()
    errors = fields.List(fields.String())


class UnitImportSchema(Schema):
    """What an owner-list import did (or would do, as a preview)."""

    rows = fields.List(fields.Nested(UnitImportRowSchema))
    created = fields.Integer()
    saved = fields.Boolean()


class PageForm(Schema):
    """A page form loaded by `shop.core.web.posted`: fields it does not name are ignored."""

    class Meta:
        """The token and the page's `do` belong to the page, not the form."""

        unknown = EXCLUDE


class OpenPageForm(Schema):
    """A page form whose fields are numbered or prefixed (`note-<id>`, `<kind>-<field>`).

    They are not declared one by one: all posted fields are kept for its `post_load`.
    """

    class Meta:
        """Every posted field is kept."""

        unknown = INCLUDE


class ReasonForm(PageForm):
    """A step with its reason (cancelling, waiving a promise, deciding a withdrawal)."""

    reason = fields.String(load_default="", validate=validate.Length(max=500))


class VerifyForm(PageForm):
    """The code on the property's notice that verifies a resident's home."""

    code = fields.String(load_default="", validate=validate.Length(max=32))


def load_or_refuse(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` (a posted form, a command's arguments) through `schema`, unknown fields dropped.

    When it does not load: Invalid, naming each field ("password: …") in the reader's language.
    """
    from marshmallow import ValidationError

    from shop.core.errors import Invalid
    from shop.core.i18n import translate_errors

    try:
        return schema.load(data, unknown=EXCLUDE)
    except ValidationError as exc:
        fields_ = translate_errors(exc.messages)
        message = "; ".join(f"{k}: {v[0]}" for k, v in fields_.items())
        raise Invalid(message, fields=fields_) from exc


_SCALARS: dict[type, type[fields.Field]] = {
    bool: fields.Boolean,
    int: fields.Integer,
    float: fields.Float,
    str: fields.String,
    datetime: fields.AwareDateTime,
    date: fields.Date,
}


def view_schema(view: type, **extra: fields.Field) -> type[Schema]:
    """The dump schema of a frozen view, its fields read off the dataclass's annotations.

    One field list instead of two: `DemandView` gives `DemandSchema` (`int | None` allows
    None, a tuple is a list, a nested view is nested). `extra` adds fields the view lacks.
    """
    if not extra:
        return _cached_view_schema(view)
    return _build_view_schema(view, extra)


@cache
def _cached_view_schema(view: type) -> type[Schema]:
    return _build_view_schema(view, {})


def _build_view_schema(view: type, extra: dict[str, fields.Field]) -> type[Schema]:
    hints = get_type_hints(view)
    attrs: dict[str, Any] = {f.name: _view_field(hints[f.name]) for f in dataclasses.fields(view)}
    attrs.update(extra)
    attrs["__doc__"] = view.__doc__
    return type(view.__name__.removesuffix("View") + "Schema", (Schema,), attrs)


def _view_field(annotation: Any, **options: Any) -> fields.Field:
    args = get_args(annotation)
    if get_origin(annotation) in (UnionType, Union) and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        return _view_field(inner, allow_none=True, **options)
    if get_origin(annotation) in (tuple, list):
        return fields.List(_view_field(args[0]), **options)
    if dataclasses.is_dataclass(annotation):
        return fields.Nested(view_schema(annotation), **options)
    return _SCALARS[annotation](**options)
