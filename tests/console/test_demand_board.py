"""The operator's demand board: households per compound, answering and declining on the page."""

from __future__ import annotations

from sqlmodel import select

from orders.models import Demand
from shop.core import accounts, db
from shop.core.models import Notification
from suppliers.models import PhaseChange
from tests.conftest import csrf_token, web_login


def test_the_board_answers_and_declines_and_the_households_hear_of_it(
    app, client, make_user, headers, catalogue, publish
):
    bundle_id = publish()
    with app.app_context(), db.session_scope() as s:
        sun = accounts.create_community(code="sun", name="阳光花园")
        building = accounts.add_building(community_id=sun.id, name="1栋")
        s.commit()
    resident_id = make_user("resident", email="a@home.test")
    with app.app_context(), db.session_scope() as s:
        accounts.set_resident_profile(
            user_id=resident_id, building_id=building.id, room="1", phone="", segment="mass"
        )
        s.add(PhaseChange(phase=3, actor_id=catalogue.operator_id, override_reason="test: phase"))
        s.commit()
    who = headers("a@home.test")
    for text in ("有机蔬菜", "进口车厘子"):
        client.post("/api/v1/demand-requests", json={"text": text}, headers=who)
    with app.app_context(), db.session_scope(write=False) as s:
        ids = {d.title: d.id for d in s.exec(select(Demand))}
    make_user("operator", email="board@shop.test")
    web_login(client, "board@shop.test")
    page = client.get(f"/console/demands?community_id={sun.id}").get_data(as_text=True)
    assert "有机蔬菜" in page and "进口车厘子" in page and "阳光花园" in page
    assert client.get("/console/demands?community_id=abc").status_code == 200  # ignored
    token = csrf_token(client, "/console/demands")
    client.post(
        f"/console/demands/{ids['有机蔬菜']}/answer",
        data={"csrf_token": token, "bundle_id": str(bundle_id)},
    )
    empty = client.post(
        f"/console/demands/{ids['进口车厘子']}/decline", data={"csrf_token": token, "reason": ""}
    )
    assert "请说明不予满足的原因" in client.get(empty.headers["Location"]).get_data(as_text=True)
    client.post(
        f"/console/demands/{ids['进口车厘子']}/decline",
        data={"csrf_token": token, "reason": "本季无货源"},
    )
    with app.app_context(), db.session_scope(write=False) as s:
        got = {d.title: (d.status, d.answer_bundle_id, d.reason) for d in s.exec(select(Demand))}
        kinds = sorted(n.kind for n in s.exec(select(Notification)))
    assert got == {
        "有机蔬菜": ("answered", bundle_id, ""),
        "进口车厘子": ("declined", None, "本季无货源"),
    }
    assert kinds == ["demand_answered", "demand_declined"]
    answered = client.get("/console/demands?status=answered").get_data(as_text=True)
    assert "有机蔬菜" in answered and "进口车厘子" not in answered


def test_a_resident_may_not_use_the_board(app, client, make_user):
    make_user("resident", email="nosy@home.test")
    web_login(client, "nosy@home.test")
    assert client.get("/console/demands").status_code == 403
