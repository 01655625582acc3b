"""Glue for the HTML side: CSRF, template helpers and each role's home page registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from wtforms.validators import ValidationError as ValidationErrorWTF

from shop.core import notifications
from shop.core.media import image_url
from shop.core.money import (
    BP_SUFFIX,
    MINOR_SUFFIX,
    Money,
    minor_from_yuan,
    percent_to_bp,
    yuan_text,
)

csrf = CSRFProtect()
_HOMES = "shop.homes"
#: When a user holds several roles, the first in this order is their landing page.
ROLE_ORDER = ("operator", "manager", "staff", "supplier_member", "resident")


@dataclass(frozen=True)
class Home:
    """A role's home page: the endpoint and its label in the navigation."""

    role: str
    endpoint: str
    label: str


def register_home(app: Flask, role: str, endpoint: str, label: str) -> None:
    """Declare the page a role lands on (called by the package that owns that page)."""
    app.extensions.setdefault(_HOMES, {})[role] = Home(role, endpoint, label)


_SHORTCUTS = "shop.shortcuts"


@dataclass(frozen=True)
class Shortcut:
    """A link a package offers on another package's page (a place), without an import."""

    place: str
    endpoint: str
    label: str


def register_shortcut(app: Flask, place: str, endpoint: str, label: str) -> None:
    """Offer a link on the pages that show `place` (e.g. "supplier.portal")."""
    app.extensions.setdefault(_SHORTCUTS, []).append(Shortcut(place, endpoint, label))


def register_helpers(app: Flask, **helpers: Any) -> None:
    """Add template helpers; a name another package took already is refused (RuntimeError).

    Two packages once both registered `event_label`, and the later silently won: the supplier
    timeline showed the orders package's words. Name a helper after its package's things.
    """
    taken = sorted(set(helpers) & set(app.jinja_env.globals))
    if taken:
        raise RuntimeError(f"template helper(s) already registered: {', '.join(taken)}")
    app.jinja_env.globals.update(helpers)


def shortcuts(place: str) -> list[Shortcut]:
    """The links offered at `place`, in the order they were registered."""
    return [s for s in current_app.extensions.get(_SHORTCUTS, []) if s.place == place]


def homes_for(roles: frozenset[str]) -> list[Home]:
    """The home pages of these roles, in landing order."""
    registry: dict[str, Home] = current_app.extensions.get(_HOMES, {})
    return [registry[r] for r in ROLE_ORDER if r in roles and r in registry]


def _protect_api_cookie_writes() -> None:
    # API calls carrying a bearer token cannot be forged cross-site; a browser call that rides
    # on the session cookie must carry the CSRF token like a form does.
    if (
        request.path.startswith("/api/")
        and request.method not in {"GET", "HEAD", "OPTIONS"}
        and current_user.is_authenticated
        and g.get("auth_via") == "session"
    ):
        csrf.protect()


def _locale_name() -> str:
    """The supported language in use: "zh_CN" or "en"."""
    locale = get_locale()
    return "zh_CN" if locale is not None and locale.language == "zh" else "en"


def _html_lang() -> str:
    return "zh-CN" if _locale_name() == "zh_CN" else "en"


def _template_context() -> dict[str, object]:
    return {
        "money": lambda minor, currency=None: Money(
            int(minor), currency or current_app.config["CURRENCY"]
        ).format(),
        "current_locale": _locale_name(),
        "html_lang": _html_lang(),
        "role_homes": homes_for(current_user.roles) if current_user.is_authenticated else [],
        # Called by the bell in the page header only for a logged-in user: one COUNT query.
        "unread_notifications": lambda: notifications.unread_count(current_user.id),
        # Care residents (关怀) get a larger type scale on every page.
        "is_care_viewer": _is_care_viewer,
        "shortcuts": shortcuts,
        "image_url": image_url,
        "money_value": money_value,
    }


def money_value(values: dict[str, Any], name: str) -> str:
    """What a yuan input shows: the text posted back after an error, else the amount in yuan.

    The stored amount is the value's `<name>_minor`.
    """
    if name in values:
        return str(values[name])
    return yuan_text(values.get(f"{name}{MINOR_SUFFIX}"))


def _is_care_viewer() -> bool:
    from shop.core.auth import viewer_segment

    return viewer_segment() == "care"


def init_app(app: Flask) -> None:
    """Turn on CSRF for every form and add the template helpers."""
    csrf.init_app(app)
    app.context_processor(_template_context)
    app.before_request(_protect_api_cookie_writes)


def _form_ints(field: Any, value: Any) -> Any:
    """Forms post text; the API's strict Integer fields want ints ("2600" -> 2600)."""
    from marshmallow import fields

    def to_int(text: Any) -> Any:
        stripped = text.strip() if isinstance(text, str) else text
        is_int = isinstance(stripped, str) and stripped.lstrip("-").isdigit()
        return int(stripped) if is_int else text

    if isinstance(field, fields.Integer):
        return None if value == "" and field.allow_none else to_int(value)
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Integer):
        return [to_int(v) for v in value] if isinstance(value, list) else value
    return value


def check_csrf() -> None:
    """Refuse (400) a posted form whose CSRF token is missing or wrong."""
    from flask import abort
    from flask_wtf.csrf import validate_csrf

    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationErrorWTF:
        abort(400)


def _posted_text(lists: tuple[str, ...], multi: tuple[str, ...]) -> dict[str, Any]:
    """The posted fields stripped, lists split (on commas too) and multi-values kept whole."""
    raw: dict[str, Any] = {}
    for key in request.form:
        if key == "csrf_token":
            continue
        if key in multi:
            raw[key] = [v.strip() for v in request.form.getlist(key) if v.strip()]
        elif key in lists:
            values = [
                v for part in request.form.getlist(key) for v in part.replace("，", ",").split(",")
            ]
            raw[key] = [v.strip() for v in values if v.strip()]
        else:
            raw[key] = request.form[key].strip()
    return raw


def load_form(
    schema: Any,
    *,
    lists: tuple[str, ...] = (),
    multi: tuple[str, ...] = (),
    drop_empty: bool = True,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate the posted form with a marshmallow schema: (data, errors by field).

    The CSRF token is checked first (400 if missing or wrong). `lists` names fields posted
    as several values or as one comma-separated value; `multi` names fields posted as several
    values, each kept whole (checklist items may hold commas). Money is typed in yuan: a posted
    `price` fills the schema's `price_minor` (converted once, here); its errors come back
    under `price`.
    """
    from marshmallow import ValidationError

    from shop.core.i18n import translate_errors

    check_csrf()
    raw = _posted_text(lists, multi)
    if drop_empty:
        raw = {k: v for k, v in raw.items() if v not in ("", [])}
    not_amounts = {n: MINOR_SUFFIX for n in minor_from_yuan(raw, schema.fields)}
    not_amounts |= {n: BP_SUFFIX for n in percent_to_bp(raw, schema.fields)}
    raw = {k: _form_ints(schema.fields.get(k), v) for k, v in raw.items()}
    try:
        data = schema.load(raw)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        messages = translate_errors(messages)
        errors = {k: v if isinstance(v, list) else [str(v)] for k, v in messages.items()}
    else:
        errors = {}
    for name, suffix in not_amounts.items():
        errors.pop(f"{name}{suffix}", None)
        errors[name] = [
            _("An amount in yuan, e.g. 39.90.")
            if suffix == MINOR_SUFFIX
            else _("A percent, e.g. 80.")
        ]
    for key in [k for k in errors if k.endswith((MINOR_SUFFIX, BP_SUFFIX))]:
        errors[key.removesuffix(MINOR_SUFFIX).removesuffix(BP_SUFFIX)] = errors.pop(key)
    return ({}, errors) if errors else (data, {})


def posted(
    schema: Any, *, lists: tuple[str, ...] = (), multi: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The posted form loaded by `schema` (see `load_form`); field errors raise Invalid.

    Called inside a `form_action`, the refusal is the page's message and changes nothing.
    """
    from shop.core.errors import Invalid

    data, errors = load_form(schema, lists=lists, multi=multi)
    if errors:
        raise Invalid("；".join(dict.fromkeys(v[0] for v in errors.values())), fields=errors)
    return data


def form_values(*, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted fields as text, for a form another package's api loads with its schema.

    The token and the page's `do` are left out; `lists` name fields that are lists of ids.
    """
    from shop.core.boundary import id_value

    check_csrf()
    values: dict[str, Any] = {
        k: v.strip() for k, v in request.form.items() if k not in ("csrf_token", "do")
    }
    for name in lists:
        values[name] = [i for i in request.form.getlist(name, type=id_value) if i]
    return values


def typed_values() -> dict[str, str]:
    """What was typed into the posted form, as text, to fill the form again beside its errors."""
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def submitted(name: str) -> str:
    """Which of a page's forms or buttons was posted (the value of `name`, "" if none)."""
    return request.form.get(name, "")


def form_action(action: Any, success: str) -> bool:
    """Run a page's service call and flash `success`, or flash why it was refused.

    A refusal goes to the unit of work (`db.refused`); the request's unit of work commits.

    NotFound still propagates (a 404 page); other refusals become a message on the page.
    """
    from flask import flash

    from shop.core import db
    from shop.core.errors import DomainError, NotFound

    try:
        action()
    except NotFound:
        raise
    except DomainError as exc:
        db.refused(exc)
        flash(exc.message, "error")
        return False
    flash(success, "info")
    return True


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so no form can send the user to another site."""
    from urllib.parse import urlsplit

    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
