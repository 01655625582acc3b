"""Demand requests (phase 3): the phase gate, grouping per compound, +1 once per household,
the operator's answers and declines, who may see what, and the households being told."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from orders.models import Demand, DemandEvent, DemandRequest
from shop.core import accounts, db
from shop.core.models import Notification
from suppliers.models import PhaseChange


@pytest.fixture
def compound(app, make_user, headers):
    """Three households of 阳光花园 and one of 翠湖苑; the operator; returns their headers."""
    people = {}
    with app.app_context(), db.session_scope() as s:
        sun = accounts.create_community(code="sun", name="阳光花园")
        lake = accounts.create_community(code="lake", name="翠湖苑")
        buildings = {
            "sun": accounts.add_building(community_id=sun.id, name="1栋"),
            "lake": accounts.add_building(community_id=lake.id, name="2栋"),
        }
        s.commit()
    for name, where in (("a", "sun"), ("b", "sun"), ("c", "sun"), ("far", "lake")):
        user_id = make_user("resident", email=f"{name}@home.test")
        with app.app_context(), db.session_scope() as s:
            accounts.set_resident_profile(
                user_id=user_id,
                building_id=buildings[where].id,
                room=f"{name}-101",
                phone="13800000000",
                segment="mass",
            )
            s.commit()
        people[name] = user_id
    operator_id = make_user("operator", email="op@shop.test")
    return {
        "ids": people,
        "operator_id": operator_id,
        "sun": sun.id,
        "lake": lake.id,
        **{name: headers(f"{name}@home.test") for name in people},
        "operator": headers("op@shop.test"),
    }


def _phase(app, phase, actor_id):
    with app.app_context(), db.session_scope() as s:
        s.add(PhaseChange(phase=phase, actor_id=actor_id, override_reason="test: the phase"))
        s.commit()


@pytest.fixture
def phase3(app, compound):
    _phase(app, 3, compound["operator_id"])
    return compound


def _ask(client, who, text, **extra):
    return client.post("/api/v1/demand-requests", json={"text": text, **extra}, headers=who)


def _count(app, model, *where):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_before_phase_3_every_demand_route_is_closed_with_the_reason(app, client, compound):
    _phase(app, 2, compound["operator_id"])
    response = _ask(client, compound["a"], "有机蔬菜")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "phase_closed"
    assert error["message"] == "按需定制在第 3 阶段开放；平台目前处于第 2 阶段。"
    assert client.get("/api/v1/demands", headers=compound["a"]).status_code == 409
    assert client.get("/api/v1/demand-requests", headers=compound["a"]).status_code == 409
    assert _count(app, Demand) == 0


def test_similar_requests_of_a_compound_are_one_demand_with_its_households(app, client, phase3):
    first = _ask(client, phase3["a"], "想要有机蔬菜配送", quantity=2, frequency="weekly")
    assert first.status_code == 201
    body = first.get_json()
    assert body["frequency"] == "weekly"
    assert body["demand"]["households"] == 1 and body["demand"]["quantity"] == 2
    second = _ask(client, phase3["b"], "有机蔬菜")
    assert second.get_json()["demand"]["id"] == body["demand"]["id"]
    assert second.get_json()["demand"]["households"] == 2
    other = _ask(client, phase3["c"], "鲜牛奶")
    assert other.get_json()["demand"]["id"] != body["demand"]["id"]
    far = _ask(client, phase3["far"], "有机蔬菜")  # another compound: a demand of its own
    assert far.get_json()["demand"]["id"] != body["demand"]["id"]
    board = client.get(
        f"/api/v1/demands?community_id={phase3['sun']}", headers=phase3["operator"]
    ).get_json()["items"]
    assert [(d["title"], d["households"]) for d in board] == [
        ("想要有机蔬菜配送", 2),
        ("鲜牛奶", 1),
    ]
    assert _count(app, DemandEvent, DemandEvent.action == "open") == 3


def test_a_household_counts_once_and_the_same_key_returns_the_first_request(app, client, phase3):
    key = {**phase3["a"], "Idempotency-Key": "wish-1"}
    first = client.post("/api/v1/demand-requests", json={"text": "有机蔬菜"}, headers=key)
    again = client.post("/api/v1/demand-requests", json={"text": "有机蔬菜"}, headers=key)
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    other = client.post("/api/v1/demand-requests", json={"text": "牛奶"}, headers=key)
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_mismatch"
    demand_id = first.get_json()["demand"]["id"]
    supported = client.post(f"/api/v1/demands/{demand_id}/support", headers=phase3["a"])
    assert supported.get_json()["households"] == 1  # asking again adds nothing
    plus_one = client.post(f"/api/v1/demands/{demand_id}/support", headers=phase3["b"])
    assert plus_one.status_code == 200
    assert plus_one.get_json()["households"] == 2 and plus_one.get_json()["mine"] is True
    assert _count(app, DemandRequest, DemandRequest.demand_id == demand_id) == 2


def test_a_resident_sees_and_supports_only_their_own_compound(app, client, phase3):
    demand_id = _ask(client, phase3["a"], "有机蔬菜").get_json()["demand"]["id"]
    mine = client.get("/api/v1/demands", headers=phase3["b"]).get_json()["items"]
    assert [d["id"] for d in mine] == [demand_id]
    assert client.get("/api/v1/demands", headers=phase3["far"]).get_json()["items"] == []
    stranger = client.post(f"/api/v1/demands/{demand_id}/support", headers=phase3["far"])
    assert stranger.status_code == 404
    answer = client.post(
        f"/api/v1/demands/{demand_id}/decline", json={"reason": "暂无"}, headers=phase3["a"]
    )
    assert answer.status_code == 403
    assert _count(app, DemandRequest) == 1


def test_the_operator_answers_with_a_bundle_and_every_household_is_told(
    app, client, phase3, catalogue, publish
):
    bundle_id = publish()
    demand_id = _ask(client, phase3["a"], "有机蔬菜").get_json()["demand"]["id"]
    client.post(f"/api/v1/demands/{demand_id}/support", headers=phase3["b"])
    unknown = client.post(
        f"/api/v1/demands/{demand_id}/answer", json={"bundle_id": 99999}, headers=phase3["operator"]
    )
    assert unknown.status_code == 422
    answered = client.post(
        f"/api/v1/demands/{demand_id}/answer",
        json={"bundle_id": bundle_id},
        headers=phase3["operator"],
    )
    assert answered.status_code == 200
    assert (answered.get_json()["status"], answered.get_json()["answer_bundle_id"]) == (
        "answered",
        bundle_id,
    )
    told = _count(app, Notification, Notification.kind == "demand_answered")
    assert told == 2
    again = client.post(
        f"/api/v1/demands/{demand_id}/decline", json={"reason": "重复"}, headers=phase3["operator"]
    )
    assert again.status_code == 409  # decided already
    late = client.post(f"/api/v1/demands/{demand_id}/support", headers=phase3["c"])
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "demand_closed"


def test_a_decline_needs_a_reason_which_the_households_read(app, client, phase3):
    demand_id = _ask(client, phase3["a"], "进口车厘子").get_json()["demand"]["id"]
    empty = client.post(
        f"/api/v1/demands/{demand_id}/decline", json={"reason": ""}, headers=phase3["operator"]
    )
    assert empty.status_code == 422
    declined = client.post(
        f"/api/v1/demands/{demand_id}/decline",
        json={"reason": "本季无货源"},
        headers=phase3["operator"],
    )
    assert declined.get_json()["status"] == "declined"
    with app.app_context(), db.session_scope(write=False) as s:
        note = s.exec(select(Notification).where(Notification.kind == "demand_declined")).one()
    assert note.user_id == phase3["ids"]["a"] and note.body == "本季无货源"
    mine = client.get("/api/v1/demand-requests", headers=phase3["a"]).get_json()["items"]
    assert [(r["text"], r["demand"]["status"]) for r in mine] == [("进口车厘子", "declined")]


def test_bad_requests_are_refused_with_field_messages_and_change_nothing(app, client, phase3):
    cases = [
        ({"text": ""}, "text"),
        ({"text": "牛奶", "quantity": 0}, "quantity"),
        ({"text": "牛奶", "frequency": "daily"}, "frequency"),
        ({"text": "牛奶", "wanted_by": "2001-01-01"}, "wanted_by"),
        ({"text": "牛奶", "category_id": 99999}, "category_id"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/demand-requests", json=body, headers=phase3["a"])
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["fields"], body
    assert _count(app, Demand) == 0 and _count(app, DemandRequest) == 0


def test_a_request_names_the_bundles_the_resident_may_have_meant(client, phase3, publish):
    bundle_id = publish()  # 农夫山泉矿泉水 整箱送货上楼
    body = _ask(client, phase3["a"], "矿泉水 每周两箱").get_json()
    assert [m["id"] for m in body["matches"]] == [bundle_id]
    assert _ask(client, phase3["b"], "进口车厘子").get_json()["matches"] == []


def test_households_asking_at_the_same_moment_find_one_demand(app, phase3, make_user):
    """Eight households of one compound ask for the same new thing at once (threads, each its
    own transaction; on PostgreSQL truly at once): one demand, eight households."""
    import threading

    from orders.services import demand as demand_service

    with app.app_context(), db.session_scope(write=False) as s:
        building_id = accounts.find_resident_address(phase3["ids"]["a"]).building_id
    people = []
    for n in range(8):
        user_id = make_user("resident", email=f"rush{n}@home.test")
        with app.app_context(), db.session_scope() as s:
            accounts.set_resident_profile(
                user_id=user_id, building_id=building_id, room=f"r{n}", phone="", segment="mass"
            )
            s.commit()
        people.append(user_id)
    barrier, errors = threading.Barrier(len(people)), []

    def ask(resident_id: int) -> None:
        barrier.wait()
        try:
            with app.app_context(), db.session_scope() as s:
                demand_service.register_request(
                    resident_id=resident_id,
                    data={"text": "有机蔬菜", "quantity": 1},
                    source="api",
                )
                s.commit()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context(), db.session_scope(write=False) as s:
        demands = s.exec(select(Demand)).all()
    assert [(d.title, d.households) for d in demands] == [("有机蔬菜", 8)]
