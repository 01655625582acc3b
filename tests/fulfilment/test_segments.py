"""Moving a household into the care or premium segment: who may, with a reason, audited."""

from __future__ import annotations

from sqlmodel import select

from shop.core import accounts, db
from shop.core.models import AuditEntry, User
from tests.conftest import web_login


def _email(app, user_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(User, user_id).email


def _segment(app, user_id):
    with app.app_context(), db.session_scope(write=False):
        return accounts.find_resident_address(user_id).segment


def test_a_butler_of_the_grid_moves_a_household_into_care_with_a_reason(
    app, client, shop, crew, headers
):
    url = f"/api/v1/residents/{shop['user_id']}/segment"
    butler = headers(_email(app, crew.free_butler))
    no_reason = client.put(url, json={"segment": "care"}, headers=butler)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    assert _segment(app, shop["user_id"]) == "mass"
    moved = client.put(
        url, json={"segment": "care", "reason": "独居老人，子女委托"}, headers=butler
    )
    assert moved.status_code == 200, moved.get_json()
    assert _segment(app, shop["user_id"]) == "care"
    with app.app_context(), db.session_scope(write=False) as s:
        entry = s.exec(
            select(AuditEntry).where(AuditEntry.action == "resident.segment_changed")
        ).one()
        assert entry.actor_id == crew.free_butler
        assert entry.data == {"from": "mass", "to": "care", "reason": "独居老人，子女委托"}
    web_login(client, shop["email"])
    home = client.get("/shop/").get_data(as_text=True)
    assert '<dd id="my-segment">关怀</dd>' in home


def test_only_the_operator_or_the_grids_butler_may(app, client, shop, crew, headers, make_user):
    url = f"/api/v1/residents/{shop['user_id']}/segment"
    body = {"segment": "premium", "reason": "升级服务"}
    for stranger in (crew.other_grid_butler, crew.cleaner):
        assert client.put(url, json=body, headers=headers(_email(app, stranger))).status_code == 404
    assert client.put(url, json=body, headers=shop["headers"]).status_code == 403
    assert _segment(app, shop["user_id"]) == "mass"
    make_user("operator", email="ops@segments.test")
    done = client.put(url, json=body, headers=headers("ops@segments.test"))
    assert done.status_code == 200 and _segment(app, shop["user_id"]) == "premium"
