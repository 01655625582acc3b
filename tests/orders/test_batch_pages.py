"""The batch pages: the operator opens one on the console (yuan, local time), residents see
their compound's counter and pledge or withdraw, the producer sees the fill; each fenced."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from orders.models import CustomBatch, Pledge
from shop.core import db
from tests.conftest import csrf_token, web_login


def _console_form(w, token, **changes):
    local = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=2)
    form = {
        "csrf_token": token,
        "supplier_id": w["farm"],
        "bundle_id": w["bundle_id"],
        "price": "2.80",
        "min_quantity": "3",
        "deadline": local.strftime("%Y-%m-%dT20:00"),
        "delivery_date": (local + timedelta(days=2)).date().isoformat(),
        "compound": [str(w["sun"]), str(w["lake"])],
        f"min-{w['sun']}": "2",
        **changes,
    }
    return form, local


def test_the_operator_opens_a_batch_on_the_console_in_yuan_and_local_time(app, batch_world):
    from tests.conftest import PASSWORD  # noqa: F401  (the operator logs in with it)

    w = batch_world
    client = app.test_client()
    web_login(client, "plans@shop.test")
    page = client.get("/console/batches").get_data(as_text=True)
    assert "卤水豆腐 定制装" in page and 'name="compound"' in page
    token = csrf_token(client, "/console/batches")
    bad, _local = _console_form(w, token, price="两块八")
    shown = client.get(client.post("/console/batches", data=bad).headers["Location"])
    assert "39.90" in shown.get_data(as_text=True)  # the yuan hint names the field's format
    form, local = _console_form(w, token)
    client.post("/console/batches", data=form)
    with app.app_context(), db.session_scope(write=False) as s:
        batch = s.exec(select(CustomBatch)).one()
        assert batch.price_minor == 280 and batch.min_quantity == 3
        deadline = db.aware(batch.deadline).astimezone(ZoneInfo("Asia/Shanghai"))
        assert (deadline.date(), deadline.hour) == (local.date(), 20)
    view = client.get("/console/batches").get_data(as_text=True)
    assert "0 / 门槛 3" in view


def test_a_resident_sees_the_counter_pledges_and_withdraws_on_the_pages(app, batch_world):
    w = batch_world
    batch = w["open"](compounds=[{"community_id": w["sun"], "min_quantity": 3}]).get_json()
    w["pledge"]("sun2", batch["id"], 2)
    client = app.test_client()
    web_login(client, w["people"]["sun1"]["email"])
    listed = client.get("/shop/batches").get_data(as_text=True)
    assert "卤水豆腐 定制装" in listed
    page = client.get(f"/shop/batches/{batch['id']}").get_data(as_text=True)
    assert "本小区已认购 2 / 门槛 3" in page
    assert "未达门槛则释放预授权，不扣任何款项" in page
    mine = w["pledge"]("sun1", batch["id"], 1).get_json()
    page = client.get(f"/shop/batches/{batch['id']}").get_data(as_text=True)
    assert "本小区已认购 3 / 门槛 3" in page and "撤回认购" in page
    token = csrf_token(client, f"/shop/batches/{batch['id']}")
    done = client.post(
        f"/shop/batches/{batch['id']}/pledges/{mine['id']}/withdraw", data={"csrf_token": token}
    )
    assert done.status_code == 303
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Pledge, mine["id"]).status == "withdrawn"
    lake = app.test_client()
    web_login(lake, w["people"]["lake1"]["email"])
    assert lake.get(f"/shop/batches/{batch['id']}").status_code == 404
    assert "卤水豆腐 定制装" not in lake.get("/shop/batches").get_data(as_text=True)


def test_the_producer_sees_its_batches_fill_and_no_one_elses(app, batch_world):
    w = batch_world
    batch = w["open"]().get_json()
    w["pledge"]("sun1", batch["id"], 2)
    farm = app.test_client()
    web_login(farm, "farm@producer.test")
    page = farm.get("/supplier/batches").get_data(as_text=True)
    assert "卤水豆腐 定制装" in page and "2 / 门槛 4" in page and "sun1" not in page
    other = app.test_client()
    web_login(other, "member@catalogue.test")
    assert "卤水豆腐 定制装" not in other.get("/supplier/batches").get_data(as_text=True)
