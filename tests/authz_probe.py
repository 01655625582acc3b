"""Call every route of the URL map as every role and say who got past its gate (for the matrix)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

#: Every kind of user, and the one without a login.
ROLES = ("anonymous", "resident", "supplier_member", "staff", "manager", "operator", "committee")
EMAILS = {role: f"{role}@authz.test" for role in ROLES if role != "anonymous"}
#: An id no row has: whoever passes a route's gate meets a 404 (or a refusal of the body).
MISSING_ID = 987_654
#: Values for the path's string parts, by name.
STRING_PARTS = {
    "period": "2026-11-01",
    "code": "nosuchcode",
    "digest": "0" * 32,
    "segment": "care",
    "filename": "none.png",
    "path": "none",
    "rest": "none",
}
#: Methods that only echo another (HEAD is GET without a body; OPTIONS is Flask's own).
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Route:
    """One method of one URL rule, with a path built to call it."""

    method: str
    rule: str
    path: str

    @property
    def key(self) -> str:
        """`METHOD /rule`, as the matrix lists it."""
        return f"{self.method} {self.rule}"


def routes(app: Flask) -> Iterator[Route]:
    """Every method of every rule of the app but the static files, ordered."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        path = _build(rule)
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            found.append(Route(method, rule.rule, path))
    yield from sorted(found, key=lambda r: (r.rule, r.method))


def _build(rule: Rule) -> str:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = MISSING_ID
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = STRING_PARTS[name]
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def world(app_factory: Any, make_user: Any) -> Flask:
    """An app without CSRF or rate limits and a user of every role (the committee seated)."""
    from shop.core import accounts, db

    app = app_factory(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, JOBS_RAISE=False)
    for role, email in EMAILS.items():
        make_user(role, email=email)
    with app.app_context(), db.unit_of_work():
        community = accounts.create_community(code="AZ", name="授权小区")
        committee = accounts.find_user_by_email(EMAILS["committee"])
        accounts.seat_committee(user_id=committee.id, community_id=community.id)
    return app


def login(app: Flask, role: str) -> tuple[Any, dict[str, str]]:
    """A client logged in as the role (session) and its bearer headers for the API."""
    from tests.conftest import PASSWORD, api_token

    client = app.test_client()
    if role == "anonymous":
        return client, {}
    client.post("/login", data={"login": EMAILS[role], "password": PASSWORD})  # CSRF is off
    return client, {"Authorization": f"Bearer {api_token(app.test_client(), EMAILS[role])}"}


def refused(route: Route, status: int, location: str) -> bool:
    """Whether the answer is the gate's: 401/403, or a page's redirect to log in first."""
    if status in (401, 403):
        return True
    return status == 302 and "/login?next=" in location and not route.rule.startswith("/api/")


def call(client: Any, route: Route, headers: dict[str, str]) -> tuple[int, str]:
    """Call the route with an empty JSON object (writes) or nothing (reads)."""
    kwargs: dict[str, Any] = {"headers": headers}
    if route.method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    response = client.open(route.path, method=route.method, **kwargs)
    return response.status_code, response.headers.get("Location", "")
