"""Schemathesis over the OpenAPI document: every operation, as a resident and as the operator.

Bodies, queries and paths are generated from the schema (valid and not). For every example:
no server error; a 4xx answer has the documented error shape `{"error": {"code", "message"}}`
and wrote nothing (every table's row count is unchanged). `SHOP_FUZZ_EXAMPLES` sets the
examples per operation (CI's bound is the default).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import func, select
from sqlmodel import SQLModel

from shop.core import db
from tests.conftest import api_token

EXAMPLES = int(os.environ.get("SHOP_FUZZ_EXAMPLES", "8"))
ROLES = {"resident": "resident@fuzz.test", "operator": "operator@fuzz.test"}
#: After this call the caller needs a new token.
ENDS_TOKEN = ("DELETE", "/api/v1/auth/token")


@pytest.fixture
def fuzz_world(app_factory, make_user) -> dict[str, Any]:
    """An app without CSRF or rate limits, a resident and an operator with bearer tokens."""
    app = app_factory(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, JOBS_RAISE=False)
    for role, email in ROLES.items():
        make_user(role, email=email)
    return {"app": app, "headers": _tokens(app), "answers": Counter()}


def _tokens(app: Any) -> dict[str, dict[str, str]]:
    client = app.test_client()
    return {role: {"Authorization": f"Bearer {api_token(client, e)}"} for role, e in ROLES.items()}


def _rows(app: Any) -> dict[str, int]:
    with app.app_context(), db.session_scope(write=False) as s:
        return {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }


def test_no_example_breaks_the_api_or_writes_when_refused(fuzz_world):
    app = fuzz_world["app"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100  # the whole API, not a part of it
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
        _fuzz_one(cases, fuzz_world)
    answers = fuzz_world["answers"]
    print(f"fuzz: {sum(answers.values())} calls over {len(operations)} operations: {answers}")
    # the examples reach the handlers: both roles get answers of every kind, not only refusals
    for role, least in (("resident", 10), ("operator", 20)):
        assert answers[(role, "2xx")] >= least and answers[(role, "4xx")] >= 100, answers


def _fuzz_one(cases: Any, world: dict[str, Any]) -> None:
    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        _check(case, world)

    run()


def _check(case: Any, world: dict[str, Any]) -> None:
    app = world["app"]
    for role in ROLES:
        before = _rows(app)
        response = case.call(headers=world["headers"][role])
        world["answers"][(role, f"{response.status_code // 100}xx")] += 1
        where = f"{case.method} {case.formatted_path} as {role}: {response.status_code}"
        assert response.status_code < 500, f"{where} {response.text[:300]}"
        if 400 <= response.status_code < 500:
            body = response.json()
            assert set(body) == {"error"}, where
            assert isinstance(body["error"]["code"], str) and body["error"]["message"], where
            assert _rows(app) == before, f"{where} wrote rows"
        if (case.method.upper(), case.path) == ENDS_TOKEN:
            world["headers"] = _tokens(app)
