"""Bad input never reaches a handler: every operation of the OpenAPI document, hostile inputs.

The walk reads the live OpenAPI document, so an endpoint added tomorrow is covered the day it
is added. Each bad input must get a 4xx in the documented error shape, and no row anywhere
may change.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from shop.core import db
from shop.core.boundary import INT_MAX
from tests.conftest import api_token, csrf_token, web_login

HUGE = 2**63  # past every integer column
NUL = "a\u0000b"


@pytest.fixture
def walk(app, client, demo_snapshot):
    """The demo seeded, the operator's token, the document and a row count of every table."""
    demo_snapshot.seed(app)
    spec = client.get("/api/v1/openapi.json").get_json()
    return {"Authorization": f"Bearer {api_token(client, 'operator@demo.local', 'demo1234')}"}, spec


def _counts(app) -> dict[str, int]:
    with app.app_context(), db.session_scope(write=False) as s:
        return {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }


def _operations(spec: dict[str, Any]):
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method == "parameters":
                continue
            yield path, method, op, [*shared, *op.get("parameters", [])]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _fill(path: str, value: object = 1) -> str:
    path = path.replace("{period}", "2026-11-01")  # a month's statement: a date, not an id
    return re.sub(r"\{[^}]+\}", str(value), path)


def _is_error(response, *statuses: int) -> bool:
    body = response.get_json(silent=True) or {}
    error = body.get("error", {})
    return response.status_code in statuses and {"code", "message", "fields"} <= set(error)


def test_every_operation_refuses_bad_input_in_the_documented_shape(app, client, walk):
    auth, spec = walk
    before = _counts(app)
    failures: list[str] = []
    counts = dict.fromkeys(
        (
            "truncated",
            "blank",
            "nul_body",
            "array",
            "nul_field",
            "huge_int",
            "too_long",
            "huge_id",
            "huge_page",
            "nul_query",
        ),
        0,
    )

    def send(kind: str, method: str, url: str, *statuses: int, **kwargs: Any) -> None:
        response = client.open(url, method=method.upper(), headers=auth, **kwargs)
        counts[kind] += 1
        if not _is_error(response, *statuses):
            failures.append(f"{kind} {method.upper()} {url}: {response.status_code}")

    operations = list(_operations(spec))
    assert len(operations) > 80  # the document really lists the API
    for path, method, op, params in operations:
        url = _fill(path)
        body = op.get("requestBody", {}).get("content", {})
        if method in ("post", "put", "patch", "delete"):
            send("truncated", method, url, 400, data=b'{"a": "', content_type="application/json")
            # Only spaces (Schemathesis found it): 400 like any other body that is not JSON;
            # it used to slip past the boundary and end in a 500.
            send("blank", method, url, 400, data=b" \n", content_type="application/json")
            send("nul_body", method, url, 400, data=b"\x00", content_type="application/json")
            send("array", method, url, 400, json=[1, 2])
            schema = _resolve(spec, body.get("application/json", {}).get("schema", {}))
            props = schema.get("properties", {})
            strings = [k for k, v in props.items() if _resolve(spec, v).get("type") == "string"]
            integers = [k for k, v in props.items() if _resolve(spec, v).get("type") == "integer"]
            if strings:
                send("nul_field", method, url, 422, json=dict.fromkeys(strings, NUL))
            if integers:
                send("huge_int", method, url, 422, json=dict.fromkeys(integers, INT_MAX + 1))
            limits = {
                k: _resolve(spec, v)["maxLength"]
                for k, v in props.items()
                if "maxLength" in _resolve(spec, v)
            }
            if limits:  # one character past each field's limit: 422, never the column's 500
                long = {k: "长" * (n + 1) for k, n in limits.items()}
                send("too_long", method, url, 422, 403, 404, json=long)
        if any(p["in"] == "path" and p["schema"].get("type") == "integer" for p in params):
            send("huge_id", method, _fill(path, HUGE), 404)
        names = {p["name"] for p in params if p["in"] == "query"}
        if method == "get" and "page" in names:
            # 403 where the operator may not list (the resident's own orders): see below.
            send("huge_page", method, f"{url}?page={HUGE}", 422, 403)
        if method == "get":
            query = "&".join(f"{n}={NUL}" for n in sorted(names) or ["q"])
            send("nul_query", method, f"{url}?{query}", 422)
    assert failures == [], "\n".join(failures)
    assert _counts(app) == before  # not one row written by any of it
    assert all(counts.values()), counts
    print("bad inputs sent, by kind:", counts)  # shown with `pytest -rP`


def test_a_resident_asking_for_a_page_past_the_end_gets_422(client, walk):
    resident = {"Authorization": f"Bearer {api_token(client, 'resident1@demo.local', 'demo1234')}"}
    response = client.get(f"/api/v1/orders?page={HUGE}", headers=resident)
    assert response.status_code == 422 and "page" in response.get_json()["error"]["fields"]


def test_the_router_matches_exactly_the_ids_a_column_holds():
    from shop.core.boundary import digits_up_to

    pattern = re.compile(digits_up_to(INT_MAX))
    for n in (0, 7, 10, 999_999_999, 1_000_000_000, 2_147_483_647):
        assert pattern.fullmatch(str(n)), n
    for text in ("2147483648", "2200000000", "9999999999", "10000000000", str(HUGE), "007"):
        assert not pattern.fullmatch(text), text


def test_a_nul_in_a_form_post_is_refused_on_the_page(client):
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "login": NUL, "password": "x"}
    )
    assert response.status_code == 422 and "login" in response.get_data(as_text=True)


def test_a_huge_page_or_id_on_a_page_is_a_plain_page(app, client, walk):
    assert client.get(f"/shop/bundles/{HUGE}").status_code == 404
    assert client.get(f"/shop/categories/1?page={HUGE}").status_code == 200  # an empty page
    web_login(client, "operator@demo.local", "demo1234")
    assert client.get(f"/console/orders?page={HUGE}").status_code == 200


def test_every_integer_column_is_32_bit():
    """The boundary's 32-bit rule is only right while no column is wider."""
    from sqlalchemy import BigInteger, Integer

    wide = [
        f"{t.name}.{c.name}"
        for t in SQLModel.metadata.sorted_tables
        for c in t.columns
        if isinstance(c.type, Integer) and isinstance(c.type, BigInteger)
    ]
    assert wide == []


def test_the_document_bounds_every_integer_and_string_a_client_sends(walk):
    """Every integer has a 32-bit range, every free string a length limit, in the document."""
    _auth, spec = walk
    unbounded: list[str] = []

    def check(schema: dict[str, Any], where: str) -> None:
        schema = _resolve(spec, schema)
        if schema.get("readOnly"):
            return
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            for name, sub in schema.get("properties", {}).items():
                check(sub, f"{where}.{name}")
        elif kind == "array":
            check(schema.get("items", {}), f"{where}[]")
        elif kind == "integer":
            if schema.get("maximum") is None or schema["maximum"] > INT_MAX:
                unbounded.append(where)
        elif kind == "string" and not {"enum", "format", "maxLength", "pattern"} & set(schema):
            unbounded.append(where)

    for path, method, op, params in _operations(spec):
        for p in params:
            check(p.get("schema", {}), f"{method.upper()} {path} ?{p['name']}")
        for content in op.get("requestBody", {}).get("content", {}).values():
            check(content.get("schema", {}), f"{method.upper()} {path} body")
    assert unbounded == [], "\n".join(unbounded)
