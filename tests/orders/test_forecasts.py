"""The weekly demand series and their forecasts: counted from delivered orders and open demand,
rebuilt the same by a second run, read by the operator only, behind the phase gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from orders.models import (
    Demand,
    DemandForecast,
    DemandRequest,
    DemandWeek,
    Order,
    OrderComponent,
    OrderLine,
)
from orders.services import forecasts
from shop.core import accounts, db
from suppliers.catalogue.models import Bundle
from suppliers.models import PhaseChange

#: A Wednesday noon in Shanghai: weeks run from Monday 2026-11-30.
NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


@pytest.fixture
def history(app, catalogue, publish, make_user):
    """Item W1 delivered 3 a week for 10 weeks in 阳光花园; 5 of it once, 12 weeks ago, in 翠湖苑
    (then nothing); an open demand in the bundle's category asking for 4 last week."""
    bundle_id = publish()
    resident_id = make_user("resident")
    with app.app_context(), db.session_scope() as s:
        sun = accounts.create_community(code="sun", name="阳光花园")
        lake = accounts.create_community(code="lake", name="翠湖苑")
        building = accounts.add_building(community_id=sun.id, name="1栋")
        far = accounts.add_building(community_id=lake.id, name="2栋")
        category_id = s.get(Bundle, bundle_id).category_id
        supplier_id = catalogue.supplier_id
        deliveries = [(sun.id, building.id, w, 3) for w in range(1, 11)] + [
            (lake.id, far.id, 12, 5)
        ]
        for n, (community_id, building_id, weeks_ago, quantity) in enumerate(deliveries):
            at = NOW - timedelta(weeks=weeks_ago)
            order = Order(
                resident_id=resident_id,
                community_id=community_id,
                building_id=building_id,
                address="x",
                status="completed",
                total_minor=100,
                delivery_mode="doorstep",
                confirmation_code="123456",
                idempotency_key=f"k{n}",
                request_hash="h",
                expires_at=at,
                delivered_at=at,
            )
            s.add(order)
            s.flush()
            line = OrderLine(
                order_id=order.id,
                bundle_id=bundle_id,
                title="水",
                quantity=quantity,
                unit_price_minor=100,
                line_total_minor=100 * quantity,
            )
            s.add(line)
            s.flush()
            s.add(
                OrderComponent(
                    order_id=order.id,
                    line_id=line.id,
                    item_id=catalogue.items["W1"],
                    supplier_id=supplier_id,
                    name="水",
                    kind="goods",
                    quantity=quantity,
                    settlement_price_minor=50,
                    staff_role="butler",
                )
            )
        demand = Demand(community_id=sun.id, category_id=category_id, title="大桶水")
        s.add(demand)
        s.flush()
        s.add(
            DemandRequest(
                demand_id=demand.id,
                resident_id=resident_id,
                text="大桶水",
                quantity=4,
                created_at=NOW - timedelta(weeks=1),
            )
        )
        s.add(PhaseChange(phase=3, actor_id=catalogue.operator_id, override_reason="test: phase"))
        s.commit()
    return {"sun": sun.id, "lake": lake.id, "item": catalogue.items["W1"], "category": category_id}


def _refresh(app):
    with app.app_context(), db.session_scope() as s:
        made = forecasts.refresh(NOW)
        s.commit()
    with app.app_context(), db.session_scope(write=False) as s:
        weeks = sorted(
            (w.community_id, w.series, w.week.isoformat(), w.delivered, w.asked)
            for w in s.exec(select(DemandWeek))
        )
        made_rows = {(f.community_id, f.series): f for f in s.exec(select(DemandForecast))}
    return made, weeks, made_rows


def test_the_series_count_delivered_pieces_and_open_demand_per_week(app, history):
    made, weeks, rows = _refresh(app)
    item, category = f"item:{history['item']}", f"category:{history['category']}"
    assert made == 4  # the item and its category, in each of the two compounds
    sun_item = [w for w in weeks if w[:2] == (history["sun"], item)]
    assert [w[3] for w in sun_item] == [3] * 10
    assert sun_item[0][2] == "2026-09-21" and sun_item[-1][2] == "2026-11-23"  # Mondays
    last_week = [w for w in weeks if w[:2] == (history["sun"], category)][-1]
    assert last_week[2:] == ("2026-11-23", 3, 4)  # 3 delivered, 4 asked for
    steady = rows[(history["sun"], item)]
    assert (steady.pattern, steady.method, steady.values) == ("smooth", "ses", [3.0] * 4)
    assert steady.weeks == 10 and steady.wape == 0.0
    gone = rows[(history["lake"], item)]
    assert gone.pattern == "dying" and gone.method == "tsb"  # one sale, then 11 silent weeks
    assert (gone.weeks, gone.values) == (12, [round(5 * 0.9**11, 3)] * 4)  # it fades


def test_a_short_series_says_too_little_history_and_a_rerun_changes_nothing(app, history):
    with app.app_context(), db.session_scope() as s:
        for order in s.exec(select(Order).where(Order.community_id == history["sun"])):
            if order.delivered_at < NOW - timedelta(weeks=3):
                order.status = "refunded"  # no longer counted
        s.commit()
    first = _refresh(app)
    again = _refresh(app)
    assert first[0] == again[0] and first[1] == again[1]
    short = again[2][(history["sun"], f"item:{history['item']}")]
    assert (short.weeks, short.values, short.mase, short.reason) == (
        3,
        [],
        None,
        "too little history",
    )


def test_the_operator_reads_the_forecasts_and_nobody_else(app, client, history, headers, make_user):
    _refresh(app)
    make_user("operator", email="fc@shop.test")
    rows = client.get(
        f"/api/v1/forecasts?community_id={history['sun']}", headers=headers("fc@shop.test")
    ).get_json()["items"]
    item = next(r for r in rows if r["series"] == f"item:{history['item']}")
    assert item["recent"] == [3] * 8 and item["values"] == [3.0] * 4 and item["label"]
    make_user("resident", email="nosy@home.test")
    assert client.get("/api/v1/forecasts", headers=headers("nosy@home.test")).status_code == 403


def test_the_console_shows_each_forecast_with_its_error(app, client, history, make_user):
    from tests.conftest import web_login

    _refresh(app)
    make_user("operator", email="fc-page@shop.test")
    web_login(client, "fc-page@shop.test")
    page = client.get(f"/console/forecasts?community_id={history['lake']}").get_data(as_text=True)
    assert "衰退 / TSB" in page and "1.6 1.6 1.6 1.6" in page
    all_page = client.get("/console/forecasts").get_data(as_text=True)
    assert "平稳 / SES" in all_page and "0%" in all_page  # the steady series: WAPE 0
