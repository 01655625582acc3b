"""Rate limits (Flask-Limiter): failed logins per account and per IP; Redis-backed at scale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

F = TypeVar("F", bound=Callable[..., Any])

limiter = Limiter(key_func=get_remote_address)


def _login_failed(_response: Any) -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    login = str((data or {}).get("login") or "").strip().lower()
    return f"account:{login or '-'}"


def login_limits(view: F) -> F:
    """Refuse (429 with Retry-After) once an account or an IP has too many failed logins.

    Only failed attempts count: a view marks a failure with `g.login_failed = True`.
    """
    per_ip = limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
        methods=["POST"],
        deduct_when=_login_failed,
        scope="login-ip",
    )
    per_account = limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        methods=["POST"],
        key_func=_account_key,
        deduct_when=_login_failed,
        scope="login-account",
    )
    return per_ip(per_account(view))


def init_app(app: Flask) -> None:
    """Bind the limiter to the app (memory storage embedded, Redis when REDIS_URL is set)."""
    limiter.init_app(app)
