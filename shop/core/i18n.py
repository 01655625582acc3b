"""Languages: zh_CN by default, English too; the user's choice, else the browser's."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale, gettext
from flask_login import current_user

babel = Babel()


def N_(message: str) -> str:
    """Mark a message for the catalogs where it is written; it is translated when shown."""
    return message


# marshmallow writes its messages in English when it validates; these are the ones a user can
# meet, as marshmallow 4 formats them. `{name}` parts are carried over into the translation.
_LIBRARY_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Unknown field."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid boolean."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid aware datetime."),
    N_("Not a valid naive datetime."),
    N_("Not a valid period of time."),
    N_("String does not match expected pattern."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Must be one of: {choices}."),
    N_("Must be equal to {other}."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Length must be {equal}."),
    N_("Length must be between {min} and {max}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("One or more of the choices you made was not in: {choices}."),
)


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each templated library message as a pattern that captures its `{name}` parts.

    The most specific template is tried first: "Length must be {equal}." would otherwise match
    "Length must be between 1 and 5." with `equal` = "between 1 and 5".
    """
    compiled = []
    for template in _LIBRARY_MESSAGES:
        if "{" not in template:
            continue
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        literal = sum(len(part) for part in parts[::2])
        compiled.append((literal, re.compile(regex), template))
    compiled.sort(key=lambda entry: -entry[0])
    return tuple((pattern, template) for _, pattern, template in compiled)


def translate_message(text: str) -> str:
    """One error message in the reader's language: ours and marshmallow's alike."""
    translated = gettext(text)
    if translated != text:
        return translated
    for pattern, template in _patterns():
        match = pattern.fullmatch(text)
        if match:
            return gettext(template).format(**match.groupdict())
    return text


def translate_errors(messages: Any) -> Any:
    """A marshmallow/webargs error tree (dicts and lists of messages), translated."""
    if isinstance(messages, dict):
        return {key: translate_errors(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translate_errors(value) for value in messages]
    if isinstance(messages, str):
        return translate_message(messages)
    return messages


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> Any:
    """WTForms' own catalog for a locale, read once per process (not once per request)."""
    from babel import support
    from wtforms.i18n import messages_path

    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsTranslations:
    """WTForms' messages ("This field is required.") in the request's language."""

    def gettext(self, string: str) -> str:
        """One message."""
        return str(_wtforms_catalog(str(get_locale())).ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """One message with a count."""
        return str(_wtforms_catalog(str(get_locale())).ungettext(singular, plural, n))


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
