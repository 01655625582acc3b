"""Languages: zh_CN by default, English too; the user's choice, else the browser's."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel
from flask_login import current_user

babel = Babel()


def select_locale() -> str:
    """The user's saved language, else this browser's choice, else Accept-Language, else zh_CN.

    Outside a request (jobs, commands) it is the default, zh_CN.
    """
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # jobs and commands speak the default language
        return supported[0]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    if session.get("locale") in supported:
        return session["locale"]
    return request.accept_languages.best_match(supported) or "zh_CN"


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the catalogs in shop/core/translations."""
    babel.init_app(app, locale_selector=select_locale)
