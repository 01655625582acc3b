"""Languages: zh_CN by default, English too; the user's choice, else the browser's."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
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


def compile_catalogs(source: Path, fallback: Path) -> Path:
    """Compile every messages.po under `source` whose .mo is missing or older; the folder to use.

    A plain `pip install` ships the .po files only (compiled catalogs are build output), so the
    first start compiles them beside the .po, or under `fallback` where that is read-only.
    """
    stale = [
        po
        for po in sorted(source.glob("*/LC_MESSAGES/messages.po"))
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return source
    target = source
    for po in stale:
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        try:
            with mo.open("wb") as f:
                write_mo(f, catalog, use_fuzzy=True)
        except OSError:  # an installed, read-only package: compile into the instance folder
            target = fallback
            mo = fallback / po.relative_to(source).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with mo.open("wb") as f:
                write_mo(f, catalog, use_fuzzy=True)
    return target


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the catalogs in shop/core/translations, compiled if need be."""
    source = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(
        compile_catalogs(source, Path(app.instance_path) / "translations")
    )
    babel.init_app(app, locale_selector=select_locale)
