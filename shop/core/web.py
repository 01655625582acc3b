"""Glue for the HTML side: CSRF, template helpers and each role's home page registry."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from shop.core.money import Money

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
    }


def init_app(app: Flask) -> None:
    """Turn on CSRF for every form and add the template helpers."""
    csrf.init_app(app)
    app.context_processor(_template_context)
    app.before_request(_protect_api_cookie_writes)
