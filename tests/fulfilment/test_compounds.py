"""Running a compound in the product: communities, buildings, grids, and moving buildings."""

from __future__ import annotations

from sqlmodel import select

from fulfilment.models import GridBuilding, Task
from orders.models import DeliveryWindow
from shop.core import accounts, db
from shop.core.models import AuditEntry

EN = {"Accept-Language": "en"}


def test_the_operator_opens_a_compound_with_its_buildings(app, client, make_user, headers):
    make_user("operator", email="ops@compound.test")
    ops = {**headers("ops@compound.test"), **EN}
    body = {
        "code": "xinyuan",
        "name": "新苑小区",
        "address": "浦东新区新苑路 8 号",
        "timezone": "Asia/Shanghai",
        "service_hours": "08:00-20:00",
    }
    made = client.post("/api/v1/communities", json=body, headers=ops)
    assert made.status_code == 201, made.get_json()
    community_id = made.get_json()["id"]
    with app.app_context(), db.session_scope(write=False) as s:  # windows open at once
        opened = s.exec(
            select(DeliveryWindow).where(DeliveryWindow.community_id == community_id)
        ).all()
    assert len(opened) >= 3 and all(w.capacity > 0 for w in opened)
    again = client.post("/api/v1/communities", json=body, headers=ops)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "code_taken"
    bad = client.post(
        "/api/v1/communities",
        json={**body, "code": "Bad Code", "timezone": "Mars/Olympus", "service_hours": "8-20"},
        headers=ops,
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"code", "timezone", "service_hours"}
    added = client.post(
        f"/api/v1/communities/{community_id}/buildings",
        json={"names": ["1栋", "2栋"]},
        headers=ops,
    )
    assert [b["name"] for b in added.get_json()["buildings"]] == ["1栋", "2栋"]
    twice = client.post(
        f"/api/v1/communities/{community_id}/buildings", json={"names": ["2栋"]}, headers=ops
    )
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "building_exists"
    renamed = client.patch(
        f"/api/v1/communities/{community_id}", json={"name": "新苑花园"}, headers=ops
    )
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "新苑花园"
    listed = client.get("/api/v1/communities", headers=ops).get_json()["items"]
    assert any(c["code"] == "xinyuan" and len(c["buildings"]) == 2 for c in listed)


def test_only_the_operator_runs_compounds(client, shop):
    refused = client.post(
        "/api/v1/communities", json={"code": "x1", "name": "某小区"}, headers=shop["headers"]
    )
    assert refused.status_code == 403


def test_a_building_belongs_to_one_grid_and_a_move_needs_confirmation(
    app, client, shop, crew, paid, make_user, headers
):
    make_user("operator", email="ops@compound.test")
    ops = {**headers("ops@compound.test"), **EN}
    with app.app_context(), db.session_scope(write=False) as s:
        home = accounts.find_resident_address(shop["user_id"])
        task = s.exec(select(Task).where(Task.order_id == paid["id"])).one()
        assert task.grid_id == crew.grid_id and task.status == "assigned"
        other_grid = s.exec(
            select(GridBuilding.grid_id).where(GridBuilding.grid_id != crew.grid_id)
        ).first()
    clash = client.post(
        "/api/v1/grids",
        json={
            "community_id": home.community_id,
            "name": "三网格",
            "building_ids": [home.building_id],
        },
        headers=ops,
    )
    assert clash.status_code == 409 and clash.get_json()["error"]["code"] == "building_in_grid"
    url = f"/api/v1/grids/{other_grid}/buildings"
    asked = client.put(url, json={"building_ids": [home.building_id]}, headers=ops)
    assert asked.status_code == 409
    error = asked.get_json()["error"]
    assert error["code"] == "confirm_move" and error["fields"]["tasks"] == [1]
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Task, task.id).grid_id == crew.grid_id  # nothing moved yet
    moved = client.put(url, json={"building_ids": [home.building_id], "confirm": True}, headers=ops)
    assert moved.status_code == 200, moved.get_json()
    assert home.building_id in moved.get_json()["building_ids"]
    with app.app_context(), db.session_scope(write=False) as s:
        rerouted = s.get(Task, task.id)
        assert rerouted.grid_id == other_grid
        assert rerouted.assignee_id == crew.other_grid_butler  # the new grid's butler on duty
        actions = set(s.exec(select(AuditEntry.action)))
    assert "grid.buildings_moved" in actions
