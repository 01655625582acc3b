"""Every write operation of the API, sent fields it does not declare: refused, nothing written.

Read from the OpenAPI document, so a new endpoint is covered the day it is added. The body is
the operation's own example (Schemathesis builds a valid one from its schema) plus fields a
caller might try to set for themselves: a status, a role, owners, amounts, stock. For each
operation the first role that gets past its gate must be answered 422 naming every one of
those fields, and no table may change. (Page forms load only the fields they declare.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlalchemy import func, select
from sqlmodel import SQLModel

from shop.core import db
from tests.authz_probe import ROLES, login, world

EXTRA = {
    "status": "paid",
    "role": "operator",
    "roles": ["operator"],
    "resident_id": 1,
    "supplier_id": 1,
    "owner_id": 1,
    "user_id": 1,
    "amount_minor": 1,
    "total_minor": 1,
    "paid_minor": 1,
    "stock": 1_000_000,
    "is_active": True,
    "approved_at": "2026-01-01T00:00:00Z",
}


def _rows(app: Any) -> dict[str, int]:
    with app.app_context(), db.session_scope(write=False) as s:
        return {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }


def _example(operation: Any) -> Any:
    found: list[Any] = []

    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @settings(
        max_examples=1, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def take(case: Any) -> None:
        found.append(case)

    take()
    return found[0]


def _declared(operation: Any, spec: dict[str, Any]) -> set[str]:
    body = operation.definition.raw.get("requestBody", {})
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return set(schema.get("properties", {}))


def test_no_write_endpoint_takes_a_field_it_does_not_declare(app_factory, make_user):
    app = world(app_factory, make_user)
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    callers = {role: login(app, role)[1] for role in ROLES}
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if "requestBody" not in operation.definition.raw:
            continue
        case = _example(operation)
        if not isinstance(case.body, dict):
            continue
        extra = {k: v for k, v in EXTRA.items() if k not in _declared(operation, spec)}
        case.body = {**case.body, **extra}
        for role in ROLES:
            before = _rows(app)
            response = case.call(headers=callers[role])
            if response.status_code in (401, 403):
                continue
            where = f"{operation.method.upper()} {operation.path} as {role}"
            assert response.status_code == 422, (where, response.status_code, response.text[:300])
            named = set(response.json()["error"]["fields"])
            assert set(extra) <= named, (where, sorted(set(extra) - named))
            assert _rows(app) == before, where
            tried += 1
            break
    print(f"mass assignment: {tried} write operations refused extra fields")
    assert tried >= 50, tried  # the write endpoints, not a handful of them
