"""marshmallow shapes of the kernel's API: money, errors, pages, tokens and the current user."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from shop.core.boundary import INT_MAX, MAX_PAGE

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
