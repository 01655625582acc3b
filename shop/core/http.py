"""The JSON API's frame (flask-smorest, OpenAPI at /api/v1/openapi.json) and auth endpoints."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Api

from shop.core import accounts, notifications
from shop.core import errors as core_errors
from shop.core.auth import login_required, role_required
from shop.core.boundary import Blueprint
from shop.core.errors import DomainError
from shop.core.ratelimit import limiter, login_limits
from shop.core.schemas import (
    BuildingsInSchema,
    CommunityInSchema,
    CommunityPatchSchema,
    CommunitySchema,
    ErrorSchema,
    NotificationPageSchema,
    PageArgsSchema,
    PublicUnitSchema,
    RegisterSchema,
    TokenRequestSchema,
    TokenSchema,
    UnitArgsSchema,
    UnitImportSchema,
    UnitSchema,
    UnitsInSchema,
    UserSchema,
    VerifySchema,
    page_schema,
    paged,
)
from shop.core.web import csrf

API_PREFIX = "/api/v1"


class ShopApi(Api):
    """flask-smorest's Api with our error body instead of its own."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: Any) -> Any:
        """Render API errors as `{"error": {...}}` (shop.core.errors)."""
        return core_errors.handle_http_exception(error)


class Unauthenticated(DomainError):
    """Wrong login or password. HTTP 401."""

    status = 401
    code = "invalid_credentials"


def idempotency_key() -> str:
    """The request's `Idempotency-Key` header; Invalid (422) if it is missing or too long."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 80:
        raise core_errors.Invalid(
            _("Send an Idempotency-Key header (up to 80 characters)."),
            fields={"Idempotency-Key": [_("Required.")]},
        )
    return key


def register(app: Flask, blueprint: Blueprint) -> None:
    """Mount a package's API blueprint: documented, bearer-authenticated, CSRF for cookies."""
    csrf.exempt(blueprint)
    app.extensions["shop.api"].register_blueprint(blueprint)


bp = Blueprint("core_api", __name__, url_prefix=API_PREFIX, description="Accounts and tokens")


_ME = "shop.me_sections"


def register_me_section(app: Flask, name: str, source: Any) -> None:
    """Let a package add what it knows of the user to `GET /me` (`source(user_id)`, or None).

    The kernel cannot import the packages: suppliers tells a member their supplier,
    fulfilment tells staff their grids and roles.
    """
    app.extensions.setdefault(_ME, {})[name] = source


def user_payload(user: Any) -> dict[str, Any]:
    """The user with their resident address, as UserSchema dumps it."""
    address = accounts.find_resident_address(user.id)
    resident = None
    if address is not None:
        resident = {
            "community": address.community,
            "building": address.building,
            "room": address.room,
            "segment": address.segment,
            "verified": address.verified,
        }
    return {
        "id": user.id,
        "email": user.email,
        "phone": user.phone,
        "display_name": user.display_name,
        "locale": user.locale,
        "roles": sorted(user.roles),
        "resident": resident,
        **{name: source(user.id) for name, source in current_app.extensions.get(_ME, {}).items()},
    }


@bp.post("/auth/token")
@login_limits
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema)
def create_token(data: dict[str, str]) -> dict[str, Any]:
    """Log in: returns a bearer token for `Authorization: Bearer <token>`."""
    user = accounts.authenticate(data["login"], data["password"])
    if user is None:
        g.login_failed = True
        raise Unauthenticated(_("Wrong login or password."))
    plain, row = accounts.issue_token(user_id=user.id)
    payload = {"token": plain, "expires_at": row.expires_at, "user": user_payload(user)}
    return payload


@bp.delete("/auth/token")
@login_required
@bp.response(204)
def revoke_token() -> None:
    """Log out: revoke the token this request carries."""
    if g.get("api_token_id") is not None:
        accounts.revoke_token(token_id=g.api_token_id)


@bp.get("/me")
@login_required
@bp.response(200, UserSchema)
def me() -> dict[str, Any]:
    """The logged-in user: profile and roles."""
    return user_payload(current_user)


@bp.get("/me/notifications")
@login_required
@bp.response(200, NotificationPageSchema)
def my_notifications() -> dict[str, Any]:
    """My delivered messages, newest first, and how many are unread."""
    return {
        "items": notifications.inbox(current_user.id),
        "unread": notifications.unread_count(current_user.id),
    }


@bp.post("/me/notifications/read")
@login_required
@bp.response(200, NotificationPageSchema)
def read_notifications() -> dict[str, Any]:
    """Mark all my messages read."""
    notifications.mark_read(current_user.id)
    return {"items": notifications.inbox(current_user.id), "unread": 0}


def init_app(app: Flask) -> None:
    """Create the API frame and mount the kernel's endpoints."""
    app.config.update(
        API_TITLE="社区综合便民服务平台 API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = app.extensions["shop.api"] = ShopApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    register(app, bp)


def _community_payload(community: Any) -> dict[str, Any]:
    return {
        "id": community.id,
        "code": community.code,
        "name": community.name,
        "address": community.address,
        "timezone": community.timezone,
        "service_hours": community.service_hours,
        "buildings": [{"id": b.id, "name": b.name} for b in accounts.list_buildings(community.id)],
    }


@bp.get("/communities")
@role_required("operator")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(CommunitySchema, "CommunityPage"))
def list_communities(args: dict[str, Any]) -> dict[str, Any]:
    """Every compound with its buildings."""
    return paged([_community_payload(c) for c in accounts.list_communities()], args)


@bp.post("/communities")
@role_required("operator")
@bp.arguments(CommunityInSchema)
@bp.response(201, CommunitySchema)
def open_community(data: dict[str, Any]) -> dict[str, Any]:
    """Open a compound (audited); its code is unique (409 `code_taken`)."""
    community = accounts.open_community(actor_id=current_user.id, **data)
    return _community_payload(community)


@bp.patch("/communities/<int:community_id>")
@role_required("operator")
@bp.arguments(CommunityPatchSchema(partial=True))
@bp.response(200, CommunitySchema)
def change_community(data: dict[str, Any], community_id: int) -> dict[str, Any]:
    """Change a compound's name, address, time zone or service hours (audited)."""
    community = accounts.change_community(
        actor_id=current_user.id, community_id=community_id, changes=data
    )
    return _community_payload(community)


@bp.post("/communities/<int:community_id>/buildings")
@role_required("operator")
@bp.arguments(BuildingsInSchema)
@bp.response(201, CommunitySchema)
def add_buildings(data: dict[str, Any], community_id: int) -> dict[str, Any]:
    """Add buildings to a compound (409 `building_exists` for a name it has)."""
    accounts.add_buildings(actor_id=current_user.id, community_id=community_id, **data)
    return _community_payload(accounts.get_community(community_id))


def _unit_rows(community_id: int, *, private: bool) -> list[dict[str, Any]]:
    rows = []
    for unit, building in accounts.units_of(community_id):
        row = {"id": unit.id, "building": building.name, "name": unit.name}
        if private:
            row |= {
                "owner_name": unit.owner_name,
                "owner_phone": unit.owner_phone,
                "join_code": unit.join_code,
            }
        rows.append(row)
    return rows


@bp.get("/communities/<int:community_id>/units")
@role_required("operator")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(UnitSchema, "UnitPage"))
def list_units(args: dict[str, Any], community_id: int) -> dict[str, Any]:
    """The compound's homes with owners and join codes (for the property's notices)."""
    accounts.get_community(community_id)
    return paged(_unit_rows(community_id, private=True), args)


@bp.post("/communities/<int:community_id>/units")
@role_required("operator")
@bp.arguments(UnitsInSchema)
@bp.response(201, UnitSchema(many=True))
def add_units(data: dict[str, Any], community_id: int) -> list[dict[str, Any]]:
    """Add homes of a building from the owner list; each gets a join code (audited)."""
    building_ids = {b.id for b in accounts.list_buildings(community_id)}
    if data["building_id"] not in building_ids:
        raise core_errors.NotFound(_("No such building."))
    accounts.add_units(actor_id=current_user.id, **data)
    return _unit_rows(community_id, private=True)


@bp.get("/signup/units")
@bp.arguments(UnitArgsSchema, location="query")
@bp.response(200, page_schema(PublicUnitSchema, "PublicUnitPage"))
def signup_units(args: dict[str, Any]) -> dict[str, Any]:
    """The homes of a compound, for the signup form (no owner data)."""
    accounts.get_community(args["community_id"])
    return paged(_unit_rows(args["community_id"], private=False), args)


@bp.post("/signup")
@limiter.limit("10 per hour", scope="signup")
@bp.arguments(RegisterSchema)
@bp.response(201, TokenSchema)
def signup(data: dict[str, Any]) -> dict[str, Any]:
    """Sign up as a resident of a home: browse at once, order once the home is verified."""
    user = accounts.register_resident(**data)
    plain, row = accounts.issue_token(user_id=user.id)
    payload = {"token": plain, "expires_at": row.expires_at, "user": user_payload(user)}
    return payload


@bp.post("/me/verification")
@login_required
@limiter.limit("10 per hour", scope="verify-home")
@bp.arguments(VerifySchema)
@bp.response(200, UserSchema)
def verify_home(data: dict[str, Any]) -> dict[str, Any]:
    """Verify my home with the code on the property's notice (422 if it is not that code)."""
    if not accounts.verify_with_code(user_id=current_user.id, code=data["code"]):
        message = _("This is not your home's code.")
        raise core_errors.Invalid(message, fields={"code": [message]})
    return user_payload(current_user)


@bp.post("/communities/<int:community_id>/units/import")
@role_required("operator")
@bp.response(200, UnitImportSchema)
def import_units(community_id: int) -> dict[str, Any]:
    """Import the owner list as CSV (`building,unit,owner_name,owner_phone`), all or nothing.

    `?dry_run=true` previews; any bad line is 422 listing each line's errors, nothing saved.
    A unit whose owner's phone is on the list is verified when that owner signs up.
    """
    try:
        text = request.get_data().decode("utf-8")
    except UnicodeDecodeError as exc:
        message = _("The CSV must be UTF-8.")
        raise core_errors.Invalid(message, fields={"file": [message]}) from exc
    dry_run = request.args.get("dry_run", "false").lower() in ("1", "true", "yes")
    rows, created = accounts.import_units(
        actor_id=current_user.id, community_id=community_id, text=text, dry_run=dry_run
    )
    body = {
        "rows": [
            {"line": r.line, "building": r.building, "unit": r.unit, "errors": r.errors}
            for r in rows
        ],
        "created": created,
        "saved": created > 0,
    }
    bad = [r for r in body["rows"] if r["errors"]]
    if bad:
        raise core_errors.Invalid(
            _("Some lines are not valid; nothing was saved."), fields={"rows": bad}
        )
    return body
