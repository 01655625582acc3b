"""Who is asking: session login for pages, bearer tokens for the API, and role checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from sqlalchemy.exc import SQLAlchemyError

from shop.core import accounts, db
from shop.core.errors import error_response
from shop.core.models import User

F = TypeVar("F", bound=Callable[..., Any])
login_manager = LoginManager()
login_manager.login_view = "core.login"
login_manager.login_message = _l("Please log in to continue.")


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@login_manager.user_loader
def _load_from_session(user_id: str) -> User | None:
    if request.path.startswith("/api/") and _bearer() is not None:
        return None  # an API call that names its token is authenticated by that token only
    uid, _, version = user_id.partition(":")
    try:
        user = db.session().get(User, int(uid))
    except (ValueError, SQLAlchemyError):
        return None
    if user is None or not user.is_active or str(user.session_version) != version:
        return None
    g.auth_via = "session"
    return user


@login_manager.request_loader
def _load_from_token(_request: Any) -> accounts.Identity | None:
    plain = _bearer()
    if plain is None or not request.path.startswith("/api/"):
        return None
    found = accounts.token_identity(plain)
    if found is None:
        return None
    g.auth_via, g.api_token_id = "token", found[0]
    return found[1]


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    if request.path.startswith("/api/"):
        return error_response(401, "unauthorized", str(_l("Please log in.")))
    return redirect(url_for("core.login", next=request.full_path.rstrip("?")))


def role_required(*roles: str) -> Callable[[F], F]:
    """Let the view run only for a logged-in user holding one of `roles` (401/403 otherwise)."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                return error_response(403, "forbidden", str(_l("Your role may not do this.")))
            return view(*args, **kwargs)

        guarded.roles = roles  # type: ignore[attr-defined]  # read by docs/api_doc.py
        return guarded  # type: ignore[return-value]

    return wrap


def login_required(view: F) -> F:
    """Let the view run for any logged-in user."""
    return role_required()(view)


def init_app(app: Flask) -> None:
    """Bind Flask-Login."""
    login_manager.init_app(app)


def viewer_segment() -> str | None:
    """The segment of the logged-in resident (mass, premium, care), or None for anyone else."""
    if not current_user.is_authenticated or not current_user.has_role("resident"):
        return None
    profile = accounts.find_resident_profile(current_user.id)
    return profile.segment if profile else None
