"""The residents' demand page: offered from an empty search, the request and its matches, +1,
and the answers; closed with its reason before phase 3."""

from __future__ import annotations

import re

from sqlmodel import select

from orders.models import Demand, DemandRequest
from shop.core import accounts, db
from suppliers.models import PhaseChange
from tests.conftest import csrf_token, web_login


def _phase(app, phase, actor_id):
    with app.app_context(), db.session_scope() as s:
        s.add(PhaseChange(phase=phase, actor_id=actor_id, override_reason="test: the phase"))
        s.commit()


def _neighbours(app, make_user):
    with app.app_context(), db.session_scope() as s:
        sun = accounts.create_community(code="sun", name="阳光花园")
        building = accounts.add_building(community_id=sun.id, name="1栋")
        s.commit()
    ids = []
    for name in ("a", "b"):
        user_id = make_user("resident", email=f"{name}@home.test")
        with app.app_context(), db.session_scope() as s:
            accounts.set_resident_profile(
                user_id=user_id, building_id=building.id, room=f"{name}-1", phone="", segment="mass"
            )
            s.commit()
        ids.append(user_id)
    return ids


def test_an_empty_search_offers_the_request_with_the_words_filled_in(app, client, make_user):
    ids = _neighbours(app, make_user)
    _phase(app, 3, make_user("operator"))
    web_login(client, "a@home.test")
    page = client.get("/shop/search?q=有机蔬菜").get_data(as_text=True)
    assert 'id="ask-for-it"' in page and "/shop/demand?q=%E6%9C%89" in page
    form = client.get("/shop/demand?q=有机蔬菜").get_data(as_text=True)
    assert re.search(r'<textarea id="f-text" name="text"[^>]*>有机蔬菜</textarea>', form)
    token = csrf_token(client, "/shop/demand")
    made = client.post(
        "/shop/demand",
        data={"csrf_token": token, "text": "有机蔬菜", "quantity": "2", "frequency": "weekly"},
    )
    assert made.status_code == 200
    assert "您的需求“有机蔬菜”已登记：本小区共 1 户想要。" in made.get_data(as_text=True)
    with app.app_context(), db.session_scope(write=False) as s:
        row = s.exec(select(DemandRequest)).one()
    assert (row.resident_id, row.quantity, row.frequency, row.source) == (
        ids[0],
        2,
        "weekly",
        "storefront",
    )


def test_a_neighbour_says_plus_one_and_bad_input_is_shown_by_the_field(app, client, make_user):
    _neighbours(app, make_user)
    _phase(app, 3, make_user("operator"))
    web_login(client, "a@home.test")
    token = csrf_token(client, "/shop/demand")
    client.post("/shop/demand", data={"csrf_token": token, "text": "鲜牛奶", "quantity": "1"})
    client.post("/logout", data={"csrf_token": token})
    web_login(client, "b@home.test")
    page = client.get("/shop/demand").get_data(as_text=True)
    assert "鲜牛奶" in page
    with app.app_context(), db.session_scope(write=False) as s:
        demand_id = s.exec(select(Demand.id)).one()
    token = csrf_token(client, "/shop/demand")
    client.post(f"/shop/demand/{demand_id}/support", data={"csrf_token": token})
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Demand, demand_id).households == 2
    bad = client.post("/shop/demand", data={"csrf_token": token, "text": "x", "quantity": "0"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert body.count('class="field-error"') == 2  # text too short, quantity out of range


def test_before_phase_3_the_page_says_why_and_takes_nothing(app, client, make_user):
    _neighbours(app, make_user)
    web_login(client, "a@home.test")
    page = client.get("/shop/demand").get_data(as_text=True)
    assert 'id="demand-closed"' in page and 'id="demand-form"' not in page
    assert 'id="ask-for-it"' not in client.get("/shop/search?q=有机蔬菜").get_data(as_text=True)
    token = csrf_token(client, "/shop/search?q=x")
    refused = client.post("/shop/demand", data={"csrf_token": token, "text": "有机蔬菜"})
    assert refused.status_code == 409
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(DemandRequest)).all() == []
