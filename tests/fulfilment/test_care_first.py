"""A care household's task goes first in the staff list, whatever its deadline."""

from __future__ import annotations

import uuid

from sqlmodel import select

from shop.core import accounts, db
from tests.conftest import api_token
from tests.fixtures_fulfilment import pay_order
from tests.fixtures_orders import order_body, post


def test_a_care_households_task_is_listed_first(
    app, client, shop, crew, catalogue, make_user, headers
):
    client.put(
        "/api/v1/segments/care", headers=headers("ops@catalogue.test"), json={"is_open": True}
    )
    care_id = make_user("resident", email="care@neighbour.test")
    with app.app_context(), db.session_scope() as s:
        home = accounts.find_resident_address(shop["user_id"])
        accounts.set_resident_profile(
            user_id=care_id,
            building_id=home.building_id,
            room="1-102",
            phone="13800000077",
            segment="care",
        )
        s.commit()
    care_shop = {
        **shop,
        "headers": {"Authorization": f"Bearer {api_token(client, 'care@neighbour.test')}"},
    }
    from fulfilment.models import StaffMember

    with app.app_context(), db.session_scope() as s:  # one butler on duty gets both tasks
        for member in s.exec(select(StaffMember)):
            member.is_on_duty = member.user_id == crew.busy_butler
        s.commit()
    mass = post(client, shop, order_body(shop, 1)).get_json()
    care = post(client, care_shop, order_body(shop, 1), key=uuid.uuid4().hex).get_json()
    assert care["total"]["amount_minor"] == 3300  # the care price
    pay_order(app, client, mass["id"], mass["total"]["amount_minor"])
    pay_order(app, client, care["id"], care["total"]["amount_minor"])
    with app.app_context(), db.session_scope(write=False) as s:
        from fulfilment.models import Task

        tasks = {t.order_id: t for t in s.exec(select(Task))}
        staff_id = tasks[care["id"]].assignee_id
    with app.app_context(), db.session_scope(write=False) as s:
        from shop.core.models import User

        email = s.get(User, staff_id).email
    listed = client.get("/api/v1/tasks", headers=headers(email)).get_json()["items"]
    mine = [t["order_id"] for t in listed]
    assert sorted(mine) == sorted([mass["id"], care["id"]])
    assert mine[0] == care["id"]  # placed second, due later, listed first
    assert listed[0]["is_care"] is True
