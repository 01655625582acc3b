"""The request boundary: malformed bodies, control characters and out-of-range integers stop here.

Before any handler runs:

- a JSON body (`Content-Type: application/json`) on an API write must be UTF-8 and parse to
  an object: else 400 `malformed_json`;
- no text a client sends (query string, form fields, JSON strings and keys) may hold a NUL or
  another control character a text column refuses (tab and newlines are fine): else 422
  naming the field;
- no integer in a JSON body may leave the 32-bit range of the INTEGER columns: else 422
  naming the field;
- an integer in a path is matched only within that range, so a larger id is a plain 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter
from werkzeug.routing.map import Map

from shop.core.errors import Invalid, MalformedJson

#: Every integer column is a 32-bit INTEGER (a test holds the metadata to that).
INT_MAX = 2**31 - 1
#: The last page a list may be asked for (the offset stays far inside the column's range).
MAX_PAGE = 100_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def digits_up_to(limit: int) -> str:
    """A regex matching exactly the decimal numbers 0..limit (no sign, no leading zeros).

    The router must refuse a larger number while matching the path: a value refused only when
    converted would let the same path match another method's rule and answer 405.
    """
    text = str(limit)
    shorter = f"[1-9][0-9]{{0,{len(text) - 2}}}" if len(text) > 1 else ""
    same_length = []
    for i, digit in enumerate(text):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(text) - i - 1
            top = str(int(digit) - 1)
            span = low if top == low else f"[{low}-{top}]"
            same_length.append(text[:i] + span + (f"[0-9]{{{rest}}}" if rest else ""))
    same_length.append(text)
    return "(?:0|" + "|".join([*filter(None, [shorter]), *same_length]) + ")"


class BoundedInt(IntegerConverter):
    """`<int:…>` that matches only ids an INTEGER column can hold (larger ones are a 404)."""

    regex = digits_up_to(INT_MAX)

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = INT_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def id_value(text: str) -> int:
    """`type=` for `request.args.get`: a positive id a column can hold (else the default)."""
    number = int(text)
    if not 1 <= number <= INT_MAX:
        raise ValueError(text)
    return number


def page_value(text: str) -> int:
    """`type=` for `request.args.get`: a page number from 1 to MAX_PAGE (else the default)."""
    number = int(text)
    if not 1 <= number <= MAX_PAGE:
        raise ValueError(text)
    return number


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(field path, text) for every string and key in a JSON value."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            yield path, str(key)
            yield from _strings(item, path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}.{i}" if where else str(i))


def _integers(value: Any, where: str) -> Iterator[tuple[str, int]]:
    """(field path, number) for every integer in a JSON value (booleans are not numbers)."""
    if isinstance(value, int) and not isinstance(value, bool):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _integers(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _integers(item, f"{where}.{i}" if where else str(i))


def _json_body() -> Any:
    """The parsed JSON body of an API write, or None when it sends no JSON."""
    if request.method not in _WRITES or not request.path.startswith("/api/"):
        return None
    if request.mimetype != "application/json":
        return None
    raw = request.get_data(cache=True)
    if not raw:  # no body at all: the operations that take none
        return None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedJson(_("The body is not valid JSON.")) from exc
    if not isinstance(body, dict):
        raise MalformedJson(_("The body must be a JSON object."))
    return body


def check_request() -> None:
    """Refuse what no handler should ever see (see the module's docstring)."""
    bad: dict[str, list[str]] = {}
    control = _l("Contains a control character (such as NUL) that is not allowed.")
    for name, values in request.args.lists():
        if _CONTROL.search(name) or any(_CONTROL.search(v) for v in values):
            bad[name] = [str(control)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, values in request.form.lists():
            if _CONTROL.search(name) or any(_CONTROL.search(v) for v in values):
                bad[name] = [str(control)]
    body = _json_body()
    if body is not None:
        for where, text in _strings(body, ""):
            if _CONTROL.search(text):
                bad[where or "_schema"] = [str(control)]
        for where, number in _integers(body, ""):
            if not -INT_MAX - 1 <= number <= INT_MAX:
                bad[where or "_schema"] = [_("Out of range (at most %(max)d).", max=INT_MAX)]
    if bad:
        raise Invalid(_("Some fields are not valid."), fields=bad)


def init_app(app: Flask) -> None:
    """Bound `<int:…>` path parts and check every request before its handler."""
    app.url_map.converters["int"] = BoundedInt
    app.before_request(check_request)


class _Parser(FlaskParser):
    """webargs' Flask parser, making each arguments schema once instead of on every request.

    A schema holds no state of a request (marshmallow 4 has no context), so one instance per
    class serves every request; its nested schemas are then made once too.
    """

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[type[ma.Schema], ma.Schema] = {}

    def _get_schema(self, argmap: Any, req: Any) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            made = self._made.get(argmap)
            if made is None:
                made = self._made[argmap] = argmap()
            return made
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    """Every package's API blueprint: flask-smorest's, with the parser above."""

    ARGUMENTS_PARSER = _Parser()
