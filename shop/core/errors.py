"""Domain errors and the one place that maps them, and HTTP errors, to JSON or a page."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule refused the request; the message is safe to show. HTTP 409.

    With `keep=True` the refusal keeps its record: what the unit of work did before it is
    committed all the same (a wrong confirmation code counts toward the lock; a declined card
    closes the payment attempt). Every other refusal changes nothing.
    """

    status = 409
    code = "conflict"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        keep: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}
        self.keep = keep


def refusal(code: str, doc: str, *, base: type[DomainError] | None = None) -> type[DomainError]:
    """A refusal class for `code` (its name is the code in CamelCase), explained by `doc`.

    A package's errors.py declares one a line: `OutOfStock = refusal("out_of_stock", "…")`.
    """
    import sys

    parent = base or DomainError
    name = "".join(part.capitalize() for part in code.split("_"))
    module = sys._getframe(1).f_globals.get("__name__", __name__)
    status = f" HTTP {parent.status}."
    return type(name, (parent,), {"code": code, "__doc__": doc + status, "__module__": module})


class IdempotencyMismatch(DomainError):
    """An Idempotency-Key came back with a different request. HTTP 409."""

    code = "idempotency_mismatch"


class NotFound(DomainError):
    """Not there, or not yours to see. HTTP 404."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """Your role may not do this. HTTP 403."""

    status = 403
    code = "forbidden"


class MalformedJson(DomainError):
    """The body is not a JSON object (truncated, not UTF-8, an array). HTTP 400."""

    status = 400
    code = "malformed_json"


class Invalid(DomainError):
    """A field failed validation that only a service can check. HTTP 422."""

    status = 422
    code = "validation_failed"


_TITLES = {
    400: _l("Bad request"),
    401: _l("Please log in"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Not allowed"),
    409: _l("Cannot do that now"),
    422: _l("Please check what you entered"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}


def wants_json() -> bool:
    """API requests get JSON errors; everything else gets a page."""
    return request.path.startswith("/api/")


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> tuple[Response | str, int]:
    """Build the error response in the form the client expects."""
    from shop.core.i18n import translate_errors

    fields = translate_errors(fields or {})
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields}}
        return jsonify(body), status
    title = str(_TITLES.get(status, _TITLES[500]))
    page = render_template(
        "core/error.html", status=status, title=title, message=message, fields=fields
    )
    return page, status


def handle_domain_error(exc: DomainError) -> tuple[Response | str, int]:
    """Map a DomainError to its status and body."""
    from shop.core import db

    db.refused(exc)
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def handle_validation_error(exc: ValidationError) -> tuple[Response | str, int]:
    """marshmallow errors are 422 with field messages."""
    fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return error_response(422, "validation_failed", _("Some fields are not valid."), fields)


def handle_http_exception(exc: HTTPException) -> tuple[Response | str, int] | Response:
    """Werkzeug/webargs/Flask-Limiter errors, in our shape, keeping their headers."""
    status = exc.code or 500
    fields: dict[str, Any] = {}
    data = getattr(exc, "data", None) or {}
    if "messages" in data:  # webargs: {"json": {...}} or {"query": {...}}
        for location, location_messages in data["messages"].items():
            if isinstance(location_messages, dict):
                fields.update(location_messages)
            else:  # about the whole body, e.g. {"json": ["Invalid JSON body."]}
                fields[location] = list(location_messages)
    message = _("Some fields are not valid.") if fields else str(_TITLES.get(status, exc.name))
    if status == 429:
        message = _("Too many attempts. Please wait a minute and try again.")
    code = "validation_failed" if status == 422 else exc.name.lower().replace(" ", "_")
    body, status = error_response(status, code, message, fields)
    response = body if isinstance(body, Response) else Response(body, mimetype="text/html")
    response.status_code = status
    for name, value in exc.get_headers() if exc.response is None else exc.response.headers:
        if name.lower() not in {"content-type", "content-length"}:
            response.headers[name] = value
    return response


def handle_server_error(exc: Exception) -> tuple[Response | str, int]:
    """Unhandled errors: log them, show a calm page."""
    log.exception("unhandled error", exc_info=getattr(exc, "original_exception", exc))
    return error_response(500, "internal_error", _("Please try again in a moment."))


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(500, handle_server_error)
