"""Every route of the URL map, called as every role: who gets past its gate is the table below.

A new route fails this test until it is listed, so nobody adds a page or an endpoint without
saying who may call it. The table was first printed from a run (`SHOP_AUTHZ_PRINT=1`) and then
read line by line against what each role should reach (anonymous only on the storefront,
search, sign-up, login, applying, scanned codes, public media and the webhook; the console
for the operator; supplier pages for members; staff pages for staff); after that it is the
specification, and a changed gate must be changed here on purpose. "Past the
gate" means the answer is not 401, 403 or a page's redirect to the login: with an id no row
has, the role meets a 404 or a refusal of the empty body instead. No answer may be a 500.
`SHOP_AUTHZ_PRINT=1` prints the table as observed, to review a change against it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.authz_probe import ROLES, call, login, refused, routes, world

#: Routes after which the caller must log in again.
ENDS_LOGIN = ("/logout", "/api/v1/auth/token")
ALL = frozenset(ROLES)
LOGGED_IN = ALL - {"anonymous"}


def _roles(text: str) -> frozenset[str]:
    if text == "*":
        return ALL
    if text == "+":
        return LOGGED_IN
    return frozenset(text.split())


@pytest.fixture
def callers(app_factory, make_user) -> dict[str, Any]:
    """A user of every role in an app without CSRF or rate limits."""
    return {"app": world(app_factory, make_user)}


def _observe(app: Any) -> tuple[dict[str, frozenset[str]], list[str]]:
    passed: dict[str, set[str]] = {}
    errors = []
    for role in ROLES:
        client, bearer = login(app, role)
        for route in routes(app):
            headers = bearer if route.rule.startswith("/api/") else {}
            status, location = call(client, route, headers)
            if status >= 500:
                errors.append(f"{route.key} as {role}: {status}")
            passed.setdefault(route.key, set())
            if not refused(route, status, location):
                passed[route.key].add(role)
            if route.rule in ENDS_LOGIN:
                client, bearer = login(app, role)
    return {k: frozenset(v) for k, v in passed.items()}, errors


def _text(roles: frozenset[str]) -> str:
    if roles == ALL:
        return "*"
    if roles == LOGGED_IN:
        return "+"
    return " ".join(r for r in ROLES if r in roles)


def test_every_route_lets_in_exactly_the_roles_of_the_table(callers):
    observed, errors = _observe(callers["app"])
    if os.environ.get("SHOP_AUTHZ_PRINT"):
        for key, roles in sorted(observed.items(), key=lambda kv: kv[0].split(" ", 1)[::-1]):
            print(f'    "{key}": "{_text(roles)}",')
    assert errors == []
    unlisted = sorted(set(observed) - set(GATES))
    assert unlisted == [], "routes no one has said who may call: add them to GATES"
    gone = sorted(set(GATES) - set(observed))
    assert gone == [], "routes in GATES the app no longer has"
    wrong = {
        key: {"expected": _text(_roles(GATES[key])), "got": _text(roles)}
        for key, roles in observed.items()
        if roles != _roles(GATES[key])
    }
    assert wrong == {}


#: Who gets past each route's gate: "*" everyone, "+" every logged-in user, else the roles.
GATES: dict[str, str] = {
    "GET /": "*",
    "DELETE /api/v1/auth/token": "+",
    "POST /api/v1/auth/token": "*",
    "GET /api/v1/bundles": "*",
    "POST /api/v1/bundles": "operator",
    "GET /api/v1/bundles/<int:bundle_id>": "*",
    "PATCH /api/v1/bundles/<int:bundle_id>": "operator",
    "GET /api/v1/bundles/<int:bundle_id>/manage": "operator",
    "POST /api/v1/bundles/<int:bundle_id>/publish": "operator",
    "POST /api/v1/bundles/<int:bundle_id>/withdraw": "operator",
    "GET /api/v1/catalogue/items": "operator",
    "GET /api/v1/categories": "*",
    "POST /api/v1/categories": "operator",
    "PATCH /api/v1/categories/<int:category_id>": "operator",
    "GET /api/v1/commission-rules": "operator",
    "POST /api/v1/commission-rules": "operator",
    "GET /api/v1/communities": "operator",
    "POST /api/v1/communities": "operator",
    "PATCH /api/v1/communities/<int:community_id>": "operator",
    "POST /api/v1/communities/<int:community_id>/buildings": "operator",
    "GET /api/v1/communities/<int:community_id>/units": "operator",
    "POST /api/v1/communities/<int:community_id>/units": "operator",
    "POST /api/v1/communities/<int:community_id>/units/import": "operator",
    "GET /api/v1/complaints": "operator",
    "POST /api/v1/complaints/<int:complaint_id>/resolve": "operator",
    "GET /api/v1/custom-batches": "resident supplier_member operator",
    "POST /api/v1/custom-batches": "operator",
    "GET /api/v1/custom-batches/<int:batch_id>": "resident supplier_member operator",
    "POST /api/v1/custom-batches/<int:batch_id>/cancel": "operator",
    "POST /api/v1/custom-batches/<int:batch_id>/pledges": "resident",
    "GET /api/v1/delivery-windows": "resident",
    "GET /api/v1/demand-requests": "resident",
    "POST /api/v1/demand-requests": "resident",
    "GET /api/v1/demands": "resident operator",
    "POST /api/v1/demands/<int:demand_id>/answer": "operator",
    "POST /api/v1/demands/<int:demand_id>/decline": "operator",
    "POST /api/v1/demands/<int:demand_id>/support": "resident",
    "GET /api/v1/forecasts": "operator",
    "GET /api/v1/grids": "operator",
    "POST /api/v1/grids": "operator",
    "PUT /api/v1/grids/<int:grid_id>/buildings": "operator",
    "GET /api/v1/grids/<int:grid_id>/leaderboard": "staff manager operator",
    "PUT /api/v1/grids/<int:grid_id>/manager": "operator",
    "GET /api/v1/items/<int:item_id>": "supplier_member operator",
    "PATCH /api/v1/items/<int:item_id>": "supplier_member operator",
    "GET /api/v1/items/<int:item_id>/changes": "supplier_member operator",
    "POST /api/v1/items/<int:item_id>/images": "supplier_member",
    "DELETE /api/v1/items/<int:item_id>/images/<string(length=32):digest>": "supplier_member",
    "POST /api/v1/items/<int:item_id>/stock-adjustments": "supplier_member",
    "GET /api/v1/items/<int:item_id>/stock-movements": "supplier_member operator",
    "GET /api/v1/ledger/trial-balance": "operator",
    "GET /api/v1/managers": "operator",
    "POST /api/v1/managers": "operator",
    "GET /api/v1/me": "+",
    "GET /api/v1/me/credit": "resident",
    "GET /api/v1/me/notifications": "+",
    "POST /api/v1/me/notifications/read": "+",
    "POST /api/v1/me/verification": "+",
    "GET /api/v1/measures": "supplier_member manager operator committee",
    "GET /api/v1/openapi.json": "*",
    "GET /api/v1/orders": "resident",
    "POST /api/v1/orders": "resident",
    "GET /api/v1/orders/<int:order_id>": "resident operator",
    "POST /api/v1/orders/<int:order_id>/cancel": "resident operator",
    "GET /api/v1/orders/<int:order_id>/commitment": "resident staff manager operator",
    "POST /api/v1/orders/<int:order_id>/commitment/<int:node_id>/waive": "operator",
    "POST /api/v1/orders/<int:order_id>/complaints": "resident",
    "POST /api/v1/orders/<int:order_id>/complete": "resident",
    "POST /api/v1/orders/<int:order_id>/early-acceptance": "resident",
    "GET /api/v1/orders/<int:order_id>/events": "resident staff manager operator",
    "POST /api/v1/orders/<int:order_id>/payments": "resident",
    "POST /api/v1/orders/<int:order_id>/payments/confirm": "resident",
    "POST /api/v1/orders/<int:order_id>/refunds": "operator",
    "POST /api/v1/payments/stripe/webhook": "*",
    "GET /api/v1/platform/phase": "*",
    "POST /api/v1/platform/phase": "operator",
    "GET /api/v1/pledges": "resident",
    "POST /api/v1/pledges/<int:pledge_id>/card": "resident",
    "POST /api/v1/pledges/<int:pledge_id>/withdraw": "resident",
    "GET /api/v1/policies": "operator",
    "POST /api/v1/policies": "operator",
    "PUT /api/v1/policies/<int:policy_id>": "operator",
    "POST /api/v1/production-plans": "operator",
    "POST /api/v1/residents/<int:resident_id>/approval": "staff operator",
    "PUT /api/v1/residents/<int:resident_id>/segment": "staff operator",
    "GET /api/v1/search": "*",
    "PUT /api/v1/segments/<string(maxlength=20):segment>": "operator",
    "GET /api/v1/service-requests": "resident staff",
    "POST /api/v1/service-requests/<int:request_id>/actions": "staff",
    "POST /api/v1/signup": "*",
    "GET /api/v1/signup/units": "*",
    "GET /api/v1/staff": "manager operator",
    "POST /api/v1/staff": "manager operator",
    "PATCH /api/v1/staff/<int:user_id>": "manager operator",
    "POST /api/v1/staff/<int:user_id>/leave": "manager operator",
    "GET /api/v1/staff/me/statements": "staff",
    "GET /api/v1/staff/me/wallet": "staff",
    "POST /api/v1/staff/me/withdrawals": "staff",
    "POST /api/v1/supplier-applications": "*",
    "GET /api/v1/suppliers": "supplier_member operator",
    "GET /api/v1/suppliers/<int:supplier_id>": "supplier_member operator",
    "POST /api/v1/suppliers/<int:supplier_id>/checklist": "operator",
    "POST /api/v1/suppliers/<int:supplier_id>/decisions": "operator",
    "POST /api/v1/suppliers/<int:supplier_id>/documents": "supplier_member operator",
    "GET /api/v1/suppliers/<int:supplier_id>/documents/<int:document_id>": "supplier_member operator",
    "POST /api/v1/suppliers/<int:supplier_id>/evaluations": "operator",
    "GET /api/v1/suppliers/<int:supplier_id>/events": "supplier_member operator",
    "GET /api/v1/suppliers/<int:supplier_id>/items": "supplier_member operator",
    "POST /api/v1/suppliers/<int:supplier_id>/items": "supplier_member operator",
    "POST /api/v1/suppliers/<int:supplier_id>/items/import": "supplier_member operator",
    "GET /api/v1/suppliers/<int:supplier_id>/orders-to-prepare": "supplier_member operator",
    "GET /api/v1/suppliers/<int:supplier_id>/production-plans": "supplier_member operator",
    "POST /api/v1/suppliers/<int:supplier_id>/production-plans/<int:plan_id>/response": "supplier_member",
    "POST /api/v1/suppliers/<int:supplier_id>/resubmit": "supplier_member",
    "GET /api/v1/suppliers/<int:supplier_id>/statements": "supplier_member operator",
    "GET /api/v1/suppliers/<int:supplier_id>/statements/<string(length=10):period>/lines": "supplier_member operator",
    "POST /api/v1/suppliers/<int:supplier_id>/statements/<string(length=10):period>/payment": "operator",
    "GET /api/v1/synonyms": "operator",
    "PUT /api/v1/synonyms": "operator",
    "GET /api/v1/tasks": "staff manager",
    "GET /api/v1/tasks/<int:task_id>": "staff manager",
    "POST /api/v1/tasks/<int:task_id>/claim": "staff",
    "POST /api/v1/tasks/<int:task_id>/early-requests": "staff",
    "POST /api/v1/tasks/<int:task_id>/events": "staff",
    "POST /api/v1/tasks/<int:task_id>/reassign": "manager",
    "POST /api/v1/tasks/<int:task_id>/unlock": "manager",
    "GET /api/v1/touchpoints": "operator",
    "POST /api/v1/touchpoints": "operator",
    "POST /api/v1/touchpoints/<string(maxlength=16):code>/requests": "*",
    "GET /api/v1/withdrawals": "operator",
    "POST /api/v1/withdrawals/<int:withdrawal_id>/decision": "operator",
    "GET /committee/": "committee",
    "GET /committee/figures.csv": "committee",
    "GET /console/": "operator",
    "GET /console/audit": "manager operator",
    "GET /console/audit.csv": "manager operator",
    "GET /console/batches": "operator",
    "POST /console/batches": "operator",
    "POST /console/batches/<int:batch_id>/cancel": "operator",
    "GET /console/catalogue/": "operator",
    "GET /console/catalogue/bundles/<int:bundle_id>": "operator",
    "POST /console/catalogue/bundles/<int:bundle_id>": "operator",
    "POST /console/catalogue/bundles/<int:bundle_id>/publish": "operator",
    "POST /console/catalogue/bundles/<int:bundle_id>/withdraw": "operator",
    "GET /console/catalogue/bundles/new": "operator",
    "POST /console/catalogue/bundles/new": "operator",
    "GET /console/catalogue/categories": "operator",
    "POST /console/catalogue/categories": "operator",
    "GET /console/catalogue/policies": "operator",
    "POST /console/catalogue/policies": "operator",
    "GET /console/catalogue/policies/<int:policy_id>": "operator",
    "POST /console/catalogue/policies/<int:policy_id>": "operator",
    "GET /console/catalogue/segments": "operator",
    "POST /console/catalogue/segments": "operator",
    "GET /console/catalogue/synonyms": "operator",
    "POST /console/catalogue/synonyms": "operator",
    "POST /console/commission-rules": "operator",
    "GET /console/compounds": "operator",
    "POST /console/compounds": "operator",
    "GET /console/compounds/<int:community_id>/units": "operator",
    "POST /console/compounds/<int:community_id>/units": "operator",
    "GET /console/demands": "operator",
    "POST /console/demands/<int:demand_id>/<any(answer, decline):decision>": "operator",
    "GET /console/forecasts": "operator",
    "GET /console/measures": "supplier_member manager operator",
    "GET /console/measures.csv": "supplier_member manager operator",
    "GET /console/orders": "operator",
    "GET /console/orders/<int:order_id>": "operator",
    "POST /console/orders/<int:order_id>/complaints/<int:complaint_id>/resolve": "operator",
    "POST /console/orders/<int:order_id>/promises/<int:node_id>/waive": "operator",
    "POST /console/orders/<int:order_id>/refund": "operator",
    "POST /console/payouts": "operator",
    "GET /console/payouts/<int:batch_id>.csv": "operator",
    "POST /console/payouts/<int:batch_id>/paid": "operator",
    "GET /console/phase": "operator",
    "POST /console/phase": "operator",
    "GET /console/plans": "operator",
    "POST /console/plans": "operator",
    "GET /console/staff-money": "operator",
    "GET /console/suppliers/": "operator",
    "GET /console/suppliers/<int:supplier_id>": "operator",
    "POST /console/suppliers/<int:supplier_id>/checklist": "operator",
    "POST /console/suppliers/<int:supplier_id>/decisions": "operator",
    "GET /console/suppliers/<int:supplier_id>/documents/<int:document_id>": "operator",
    "POST /console/suppliers/<int:supplier_id>/evaluations": "operator",
    "POST /console/suppliers/<int:supplier_id>/statements/<string(length=10):period>/payment": "operator",
    "GET /console/suppliers/requirements": "operator",
    "POST /console/suppliers/requirements": "operator",
    "GET /console/touchpoints": "operator",
    "POST /console/touchpoints": "operator",
    "GET /console/touchpoints/sheet.svg": "operator",
    "POST /console/withdrawals/<int:withdrawal_id>/<any(approve, reject):decision>": "operator",
    "GET /favicon.ico": "*",
    "GET /grids/<int:grid_id>/board": "staff manager operator",
    "GET /households": "staff operator",
    "POST /households/<int:resident_id>/segment": "staff operator",
    "GET /inbox": "+",
    "POST /inbox": "+",
    "POST /language": "*",
    "GET /login": "*",
    "POST /login": "*",
    "POST /logout": "+",
    "GET /manager": "manager",
    "POST /manager/tasks/<int:task_id>/reassign": "manager",
    "POST /manager/tasks/<int:task_id>/unlock": "manager",
    "GET /media/<path:path>": "*",
    "GET /my-butler": "resident",
    "GET /ops/<path:rest>": "*",
    "POST /ops/<path:rest>": "*",
    "GET /r/<code>": "*",
    "GET /register": "*",
    "POST /register": "*",
    "GET /requests": "resident",
    "POST /requests/<int:request_id>/cancel": "resident",
    "GET /shop/": "*",
    "GET /shop/basket": "resident",
    "POST /shop/basket": "resident",
    "GET /shop/batches": "resident",
    "GET /shop/batches/<int:batch_id>": "resident",
    "POST /shop/batches/<int:batch_id>/pledges/<int:pledge_id>/withdraw": "resident",
    "GET /shop/bundles/<int:bundle_id>": "*",
    "GET /shop/categories/<int:category_id>": "*",
    "GET /shop/checkout": "resident",
    "POST /shop/checkout": "resident",
    "GET /shop/demand": "resident",
    "POST /shop/demand": "resident",
    "POST /shop/demand/<int:demand_id>/support": "resident",
    "GET /shop/orders": "resident",
    "GET /shop/orders/<int:order_id>": "resident",
    "POST /shop/orders/<int:order_id>/cancel": "resident",
    "POST /shop/orders/<int:order_id>/complaints": "resident",
    "POST /shop/orders/<int:order_id>/complete": "resident",
    "POST /shop/orders/<int:order_id>/early": "resident",
    "GET /shop/orders/<int:order_id>/pay": "resident",
    "POST /shop/orders/<int:order_id>/pay": "resident",
    "GET /shop/search": "*",
    "GET /staff": "staff",
    "POST /staff/duty/<any(on, off):state>": "staff",
    "GET /staff/referral.svg": "staff",
    "GET /staff/requests/<int:request_id>": "staff",
    "POST /staff/requests/<int:request_id>/<any(accept, arrive, finish):action>": "staff",
    "POST /staff/residents/<int:resident_id>/approve": "staff",
    "GET /staff/tasks/<int:task_id>": "staff",
    "POST /staff/tasks/<int:task_id>/<any(accept, pick_up, arrive, deliver, finish, fail):action>": "staff",
    "POST /staff/tasks/<int:task_id>/ask-early": "staff",
    "POST /staff/tasks/<int:task_id>/claim": "staff",
    "GET /staff/wallet": "staff",
    "POST /staff/wallet": "staff",
    "GET /supplier/": "supplier_member",
    "GET /supplier/batches": "supplier_member",
    "POST /supplier/documents": "supplier_member",
    "GET /supplier/documents/<int:document_id>": "supplier_member",
    "GET /supplier/items": "supplier_member",
    "GET /supplier/items/<int:item_id>": "supplier_member",
    "POST /supplier/items/<int:item_id>": "supplier_member",
    "POST /supplier/items/<int:item_id>/images": "supplier_member",
    "POST /supplier/items/<int:item_id>/images/<digest>/remove": "supplier_member",
    "POST /supplier/items/<int:item_id>/stock": "supplier_member",
    "GET /supplier/items/import": "supplier_member",
    "POST /supplier/items/import": "supplier_member",
    "GET /supplier/items/new": "supplier_member",
    "POST /supplier/items/new": "supplier_member",
    "GET /supplier/plans": "supplier_member",
    "POST /supplier/plans": "supplier_member",
    "GET /supplier/prepare": "supplier_member",
    "POST /supplier/resubmit": "supplier_member",
    "GET /supplier/statements": "supplier_member",
    "GET /suppliers/apply": "*",
    "POST /suppliers/apply": "*",
    "GET /t/<string(maxlength=16):code>": "*",
    "POST /t/<string(maxlength=16):code>": "*",
    "GET /verify": "+",
    "POST /verify": "+",
}
