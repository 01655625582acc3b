"""Every route that takes an object's id, called on an object of someone else by every caller.

The gate matrix (test_authorization_matrix.py) says which roles get past each route's gate,
with ids no row has. This one fills the ids with real objects of side b (tests/authz_owners.py:
resident5's order and its task in grid B, a resident's pledge in another compound, supplier
b's item and documents, a producer's plan, grid B's staff...) and calls each route as everyone:
the callers of side a (a resident, a supplier member, staff and a manager of the other grid,
the committee), the other callers of side b, and anonymous must all be refused (401, 403,
404, or a page's redirect to log in), however valid their request, and write nothing; the
owners in the table and the operator (where the gate lets the operator in) must get through
to the object (not 401, 403 or 404). Writes carry a valid body, so a refusal cannot hide
behind a validation error. A new route that takes an id fails this test until it is listed.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel
from werkzeug.routing import IntegerConverter

from shop.core import db
from tests.authz_owners import CALLERS, PASSWORD, build
from tests.authz_probe import SKIPPED_METHODS
from tests.conftest import csrf_token, web_login
from tests.test_authorization_matrix import GATES

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV = "sku,kind,category,name,unit,supply_price_minor,stock\nX1,goods,饮用水,测试水,件,100,1\n"

#: route -> (which object fills each id, the callers who own it, a valid body).
#: A body is JSON for the API; "form" is a page's form, "file" a multipart upload.
OWNED: dict[str, tuple[dict[str, str], str, Any]] = {
    "GET /api/v1/custom-batches/<int:batch_id>": (
        {"batch_id": "batch"},
        "resident_far producer_b",
        None,
    ),
    "POST /api/v1/custom-batches/<int:batch_id>/pledges": (
        {"batch_id": "batch"},
        "resident_far",
        {"quantity": 1, "payment_method": "pm_card_visa"},
    ),
    "POST /api/v1/demands/<int:demand_id>/support": ({"demand_id": "demand"}, "resident_far", {}),
    "GET /api/v1/grids/<int:grid_id>/leaderboard": (
        {"grid_id": "grid_b"},
        "staff_b manager_b",
        None,
    ),
    "GET /api/v1/items/<int:item_id>": ({"item_id": "item_b"}, "member_b", None),
    "PATCH /api/v1/items/<int:item_id>": (
        {"item_id": "item_b"},
        "member_b",
        {"description": "新的说明"},
    ),
    "GET /api/v1/items/<int:item_id>/changes": ({"item_id": "item_b"}, "member_b", None),
    "POST /api/v1/items/<int:item_id>/images": ({"item_id": "item_b"}, "member_b", "image"),
    "DELETE /api/v1/items/<int:item_id>/images/<string(length=32):digest>": (
        {"item_id": "item_b", "digest": "digest"},
        "member_b",
        None,
    ),
    "POST /api/v1/items/<int:item_id>/stock-adjustments": (
        {"item_id": "item_b"},
        "member_b",
        {"delta": 1, "reason": "盘点"},
    ),
    "GET /api/v1/items/<int:item_id>/stock-movements": ({"item_id": "item_b"}, "member_b", None),
    "GET /api/v1/orders/<int:order_id>": ({"order_id": "order"}, "resident_b", None),
    "POST /api/v1/orders/<int:order_id>/cancel": (
        {"order_id": "order"},
        "resident_b",
        {"reason": "不要了"},
    ),
    "GET /api/v1/orders/<int:order_id>/commitment": (
        {"order_id": "order"},
        "resident_b staff_b manager_b",
        None,
    ),
    "POST /api/v1/orders/<int:order_id>/complaints": (
        {"order_id": "order"},
        "resident_b",
        {"text": "送晚了两个小时"},
    ),
    "POST /api/v1/orders/<int:order_id>/complete": ({"order_id": "order"}, "resident_b", {}),
    "POST /api/v1/orders/<int:order_id>/early-acceptance": (
        {"order_id": "order"},
        "resident_b",
        {},
    ),
    "GET /api/v1/orders/<int:order_id>/events": (
        {"order_id": "order"},
        "resident_b staff_b manager_b",
        None,
    ),
    "POST /api/v1/orders/<int:order_id>/payments": ({"order_id": "order"}, "resident_b", {}),
    "POST /api/v1/orders/<int:order_id>/payments/confirm": (
        {"order_id": "order"},
        "resident_b",
        {"payment_method": "pm_card_visa"},
    ),
    "POST /api/v1/pledges/<int:pledge_id>/card": (
        {"pledge_id": "pledge"},
        "resident_far",
        {"payment_method": "pm_card_visa"},
    ),
    "POST /api/v1/pledges/<int:pledge_id>/withdraw": ({"pledge_id": "pledge"}, "resident_far", {}),
    "POST /api/v1/residents/<int:resident_id>/approval": (
        {"resident_id": "resident_b"},
        "staff_b",
        {},
    ),
    "PUT /api/v1/residents/<int:resident_id>/segment": (
        {"resident_id": "resident_b"},
        "staff_b",
        {"segment": "care", "reason": "独居老人"},
    ),
    "POST /api/v1/service-requests/<int:request_id>/actions": (
        {"request_id": "request"},
        "staff_b",
        {"action": "accept"},
    ),
    "PATCH /api/v1/staff/<int:user_id>": (
        {"user_id": "staff_b"},
        "manager_b",
        {"is_on_duty": True},
    ),
    "POST /api/v1/staff/<int:user_id>/leave": (
        {"user_id": "staff_b"},
        "manager_b",
        {"reason": "调岗"},
    ),
    "GET /api/v1/suppliers/<int:supplier_id>": ({"supplier_id": "supplier_b"}, "member_b", None),
    "POST /api/v1/suppliers/<int:supplier_id>/documents": (
        {"supplier_id": "supplier_b"},
        "member_b",
        "document",
    ),
    "GET /api/v1/suppliers/<int:supplier_id>/documents/<int:document_id>": (
        {"supplier_id": "supplier_b", "document_id": "document"},
        "member_b",
        None,
    ),
    "GET /api/v1/suppliers/<int:supplier_id>/events": (
        {"supplier_id": "supplier_b"},
        "member_b",
        None,
    ),
    "GET /api/v1/suppliers/<int:supplier_id>/items": (
        {"supplier_id": "supplier_b"},
        "member_b",
        None,
    ),
    "POST /api/v1/suppliers/<int:supplier_id>/items": (
        {"supplier_id": "supplier_b"},
        "member_b",
        {
            "sku": "N1",
            "kind": "goods",
            "name": "新水",
            "category": "饮用水",
            "unit": "件",
            "supply_price_minor": 100,
        },
    ),
    "POST /api/v1/suppliers/<int:supplier_id>/items/import": (
        {"supplier_id": "supplier_b"},
        "member_b",
        "csv",
    ),
    "GET /api/v1/suppliers/<int:supplier_id>/orders-to-prepare": (
        {"supplier_id": "supplier_b"},
        "member_b",
        None,
    ),
    "GET /api/v1/suppliers/<int:supplier_id>/production-plans": (
        {"supplier_id": "producer"},
        "producer_b",
        None,
    ),
    "POST /api/v1/suppliers/<int:supplier_id>/production-plans/<int:plan_id>/response": (
        {"supplier_id": "producer", "plan_id": "plan"},
        "producer_b",
        {"lines": []},
    ),
    "POST /api/v1/suppliers/<int:supplier_id>/resubmit": (
        {"supplier_id": "supplier_b"},
        "member_b",
        {"note": "补充材料"},
    ),
    "GET /api/v1/suppliers/<int:supplier_id>/statements": (
        {"supplier_id": "supplier_b"},
        "member_b",
        None,
    ),
    "GET /api/v1/suppliers/<int:supplier_id>/statements/<string(length=10):period>/lines": (
        {"supplier_id": "supplier_b"},
        "member_b",
        None,
    ),
    "GET /api/v1/tasks/<int:task_id>": ({"task_id": "task"}, "staff_b manager_b", None),
    "POST /api/v1/tasks/<int:task_id>/claim": ({"task_id": "task"}, "staff_b", {}),
    "POST /api/v1/tasks/<int:task_id>/early-requests": ({"task_id": "task"}, "staff_b", {}),
    "POST /api/v1/tasks/<int:task_id>/events": (
        {"task_id": "task"},
        "staff_b",
        {"event": "accepted"},
    ),
    "POST /api/v1/tasks/<int:task_id>/reassign": (
        {"task_id": "task"},
        "manager_b",
        {"staff_id": "staff_b"},
    ),
    "POST /api/v1/tasks/<int:task_id>/unlock": ({"task_id": "task"}, "manager_b", {}),
    "GET /grids/<int:grid_id>/board": ({"grid_id": "grid_b"}, "staff_b manager_b", None),
    "POST /households/<int:resident_id>/segment": (
        {"resident_id": "resident_b"},
        "staff_b",
        ("form", {"segment": "care", "reason": "独居老人"}),
    ),
    "POST /manager/tasks/<int:task_id>/reassign": (
        {"task_id": "task"},
        "manager_b",
        ("form", {"staff_id": "staff_b"}),
    ),
    "POST /manager/tasks/<int:task_id>/unlock": ({"task_id": "task"}, "manager_b", ("form", {})),
    "POST /requests/<int:request_id>/cancel": (
        {"request_id": "request"},
        "resident_b",
        ("form", {}),
    ),
    "GET /shop/batches/<int:batch_id>": ({"batch_id": "batch"}, "resident_far", None),
    "POST /shop/batches/<int:batch_id>/pledges/<int:pledge_id>/withdraw": (
        {"batch_id": "batch", "pledge_id": "pledge"},
        "resident_far",
        ("form", {}),
    ),
    "POST /shop/demand/<int:demand_id>/support": (
        {"demand_id": "demand"},
        "resident_far",
        ("form", {}),
    ),
    "GET /shop/orders/<int:order_id>": ({"order_id": "order"}, "resident_b", None),
    "POST /shop/orders/<int:order_id>/cancel": (
        {"order_id": "order"},
        "resident_b",
        ("form", {"reason": "不要了"}),
    ),
    "POST /shop/orders/<int:order_id>/complaints": (
        {"order_id": "order"},
        "resident_b",
        ("form", {"text": "送晚了两个小时"}),
    ),
    "POST /shop/orders/<int:order_id>/complete": (
        {"order_id": "order"},
        "resident_b",
        ("form", {}),
    ),
    "POST /shop/orders/<int:order_id>/early": ({"order_id": "order"}, "resident_b", ("form", {})),
    "GET /shop/orders/<int:order_id>/pay": ({"order_id": "order"}, "resident_b", None),
    "POST /shop/orders/<int:order_id>/pay": (
        {"order_id": "order"},
        "resident_b",
        ("form", {"payment_method": "pm_card_visa"}),
    ),
    "GET /staff/requests/<int:request_id>": ({"request_id": "request"}, "staff_b", None),
    "POST /staff/requests/<int:request_id>/<any(accept, arrive, finish):action>": (
        {"request_id": "request"},
        "staff_b",
        ("form", {}),
    ),
    "POST /staff/residents/<int:resident_id>/approve": (
        {"resident_id": "resident_b"},
        "staff_b",
        ("form", {}),
    ),
    "GET /staff/tasks/<int:task_id>": ({"task_id": "task"}, "staff_b", None),
    "POST /staff/tasks/<int:task_id>/<any(accept, pick_up, arrive, deliver, finish, fail):action>": (
        {"task_id": "task"},
        "staff_b",
        ("form", {}),
    ),
    "POST /staff/tasks/<int:task_id>/ask-early": ({"task_id": "task"}, "staff_b", ("form", {})),
    "POST /staff/tasks/<int:task_id>/claim": ({"task_id": "task"}, "staff_b", ("form", {})),
    "GET /supplier/documents/<int:document_id>": ({"document_id": "document"}, "member_b", None),
    "GET /supplier/items/<int:item_id>": ({"item_id": "item_b"}, "member_b", None),
    "POST /supplier/items/<int:item_id>": (
        {"item_id": "item_b"},
        "member_b",
        (
            "form",
            {"name": "新名字", "unit": "件", "supply_price_minor": "100", "category": "饮用水"},
        ),
    ),
    "POST /supplier/items/<int:item_id>/images": ({"item_id": "item_b"}, "member_b", "image"),
    "POST /supplier/items/<int:item_id>/images/<digest>/remove": (
        {"item_id": "item_b", "digest": "digest2"},
        "member_b",
        ("form", {}),
    ),
    "POST /supplier/items/<int:item_id>/stock": (
        {"item_id": "item_b"},
        "member_b",
        ("form", {"delta": "1", "reason": "盘点"}),
    ),
}

#: Routes with ids whose objects everyone may see (the gate matrix covers them).
PUBLIC = {
    "GET /api/v1/bundles/<int:bundle_id>",
    "GET /shop/bundles/<int:bundle_id>",
    "GET /shop/categories/<int:category_id>",
}
#: What a string part of a path is, when it is not an object's.
STRING_PARTS = {"period": "2026-12-01", "action": "accept"}
#: Query strings some reads need (past validation, the owner check decides).
QUERIES = {"GET /api/v1/grids/<int:grid_id>/leaderboard": "?month=2026-12"}
#: Owners' calls that end the object's life or its owner's rights: made last.
LAST = (
    "POST /api/v1/orders/<int:order_id>/cancel",
    "POST /shop/orders/<int:order_id>/cancel",
    "POST /api/v1/staff/<int:user_id>/leave",
)


def _roles(gate: str) -> set[str]:
    return {"*"} if gate in ("*", "+") else set(gate.split())


def _object_routes(app: Any) -> dict[str, Any]:
    """Every method of every rule that takes an int id, past the gate of someone but the
    operator alone (the operator's own routes are the gate matrix's)."""
    found = {}
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            key = f"{method} {rule.rule}"
            if _roles(GATES[key]) != {"operator"}:
                found[key] = rule
    return found


def _path(key: str, rule: Any, params: dict[str, str], ids: dict[str, Any]) -> str:
    values = {}
    for name in rule._converters:
        values[name] = ids[params[name]] if name in params else STRING_PARTS[name]
    return rule.build(values, append_unknown=False)[1] + QUERIES.get(f"{key}", "")


def _request(body: Any, ids: dict[str, Any]) -> dict[str, Any]:
    from tests.authz_owners import _png

    if body is None:
        return {}
    if body == "image":
        return {
            "data": {"file": (io.BytesIO(_png()), "x.png")},
            "content_type": "multipart/form-data",
        }
    if body == "document":
        return {
            "data": {"kind": "licence", "file": (io.BytesIO(PDF), "x.pdf")},
            "content_type": "multipart/form-data",
        }
    if body == "csv":
        return {
            "data": {"file": (io.BytesIO(CSV.encode()), "items.csv")},
            "content_type": "multipart/form-data",
        }
    if isinstance(body, tuple):
        form = {k: str(ids.get(v, v)) for k, v in body[1].items()}
        return {"data": form}
    return {"json": {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}}


class Callers:
    """A logged-in client per caller (session for pages, bearer for the API)."""

    def __init__(self, app: Any, bearer: dict[str, dict[str, str]]) -> None:
        self.app, self.bearer, self.clients, self.tokens = app, bearer, {}, {}
        for name, email in CALLERS.items():
            client = app.test_client()
            if email:
                assert web_login(client, email, PASSWORD).status_code == 302, name
                home = client.get("/")
                assert "/login" not in home.headers.get("Location", ""), f"{name} is not in"
            self.clients[name], self.tokens[name] = (
                client,
                csrf_token(client, "/inbox" if email else "/login"),
            )

    def call(self, who: str, key: str, path: str, kwargs: dict[str, Any]) -> tuple[int, str]:
        method = key.split(" ", 1)[0]
        headers = self.bearer.get(who, {}) if path.startswith("/api/") else {}
        if "data" in kwargs and not path.startswith("/api/"):
            kwargs = {**kwargs, "data": {**kwargs["data"], "csrf_token": self.tokens[who]}}
        if path.startswith("/api/") and method == "POST":
            headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        answer = self.clients[who].open(path, method=method, headers=headers, **kwargs)
        return answer.status_code, answer.headers.get("Location", "")


def _refused(status: int, location: str, api: bool) -> bool:
    if status in (401, 403, 404):
        return True
    return not api and status == 302 and "/login" in location


def _rows(app: Any) -> dict[str, list[Any]]:
    with app.app_context(), db.session_scope(write=False) as s:
        return {
            t.name: sorted(map(tuple, s.execute(select(t)).all()), key=repr)
            for t in SQLModel.metadata.sorted_tables
            if t.name not in ("core_api_token",)
        }


@pytest.fixture
def owned(demo):
    demo.config.update(RATELIMIT_ENABLED=False)
    ids = build(demo)
    return demo, ids


def test_no_one_but_the_owner_reaches_an_object_of_someone_else(owned):
    app, ids = owned
    routes = _object_routes(app)
    unlisted = sorted(set(routes) - set(OWNED) - PUBLIC)
    assert unlisted == [], "routes that take an id and no one has said whose objects they are"
    callers = Callers(app, ids["bearer"])
    before = _rows(app)
    leaks, errors = [], []
    for key in sorted(OWNED):
        params, owners, body = OWNED[key]
        path = _path(key, routes[key], params, ids)
        api = path.startswith("/api/")
        allowed = set(owners.split()) | ({"operator"} & _roles(GATES[key]))
        for who in CALLERS:
            if who in allowed:
                continue
            status, location = callers.call(who, key, path, _request(body, ids))
            if status >= 500:
                errors.append(f"{key} as {who}: {status}")
            elif not _refused(status, location, api):
                leaks.append(f"{key} as {who}: {status}")
    assert errors == [], "\n".join(errors)
    assert leaks == [], "callers who reached an object of someone else:\n" + "\n".join(leaks)
    after = _rows(app)
    changed = sorted(t for t in before if before[t] != after[t])
    assert changed == [], "tables written by refused calls"
    blocked = []
    for key in sorted(OWNED, key=lambda k: LAST.index(k) if k in LAST else -1):
        params, owners, body = OWNED[key]
        path = _path(key, routes[key], params, ids)
        api = path.startswith("/api/")
        for who in sorted(set(owners.split()) | ({"operator"} & _roles(GATES[key]))):
            status, location = callers.call(who, key, path, _request(body, ids))
            if status >= 500:
                errors.append(f"{key} as {who}: {status}")
            elif _refused(status, location, api):
                blocked.append(f"{key} as {who}: {status}")
    assert errors == [], "\n".join(errors)
    assert blocked == [], "owners who could not reach their own object:\n" + "\n".join(blocked)


#: Lists that others' objects must not appear in: route -> (the object, its owners, the
#: callers who must not see it). Each list is read by an owner first, so a missing object is
#: a real answer and not a list that shows nothing to anyone.
LISTS: dict[str, tuple[str, str, str]] = {
    "/api/v1/orders": ("order", "resident_b", "resident_a resident_far"),
    "/api/v1/tasks": ("task", "staff_b manager_b", "staff_a manager_a"),
    "/api/v1/service-requests": (
        "request",
        "resident_b staff_b",
        "resident_a resident_far staff_a",
    ),
    "/api/v1/pledges": ("pledge", "resident_far", "resident_a resident_b"),
    "/api/v1/custom-batches": (
        "batch",
        "resident_far producer_b",
        "resident_a resident_b member_a member_b",
    ),
    "/api/v1/demands": ("demand", "resident_far", "resident_a resident_b"),
    "/api/v1/suppliers": ("supplier_b", "member_b", "member_a producer_b"),
    "/api/v1/staff": ("staff_b", "manager_b", "manager_a"),
}


def _listed(answer: Any) -> set[int]:
    body = answer.get_json()
    items = body["items"] if isinstance(body, dict) else body
    return {item.get("id", item.get("user_id")) for item in items}


def test_lists_show_no_one_the_objects_of_someone_else(owned):
    app, ids = owned
    bearer = ids["bearer"]
    client = app.test_client()
    unseen, shown = [], []
    for path, (name, owners, others) in LISTS.items():
        query = "?per_page=100"
        for who in owners.split():
            answer = client.get(path + query, headers=bearer[who])
            assert answer.status_code == 200, (path, who, answer.get_json())
            if ids[name] not in _listed(answer):
                unseen.append(f"{path} as {who}")
        for who in others.split():
            answer = client.get(path + query, headers=bearer[who])
            if answer.status_code == 200 and ids[name] in _listed(answer):
                shown.append(f"{path} as {who}")
    assert unseen == [], "owners who do not find their object in the list"
    assert shown == [], "lists that show an object of someone else"
