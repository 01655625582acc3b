"""The suppliers' measures on hand-built months: sales and their growth, refunds in 30 days
and defects in 90, counted against the order's date."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from orders.models import Complaint, OrderComponent
from shop.core import accounts, db, measures
from shop.core.models import MeasureFigure
from tests.fixtures_orders import IN_NOVEMBER, IN_OCTOBER, NOVEMBER, month_node, month_order


def test_sales_growth_refunds_and_defects(app, publish, catalogue):
    bundle_id = publish()
    supplier, item = catalogue.supplier_id, catalogue.items["W1"]
    with app.app_context(), db.session_scope() as s:
        home = accounts.create_community(code="sp", name="阳光花园")
        building = accounts.add_building(community_id=home.id, name="1栋").id
        resident = accounts.create_user(
            email="r@sp.test", password="correct horse 42", display_name="r", roles=["resident"]
        ).id

        def sold(paid_at, settlement, status="delivered"):
            order, line = month_order(s, resident, building, home.id, paid_at, bundle_id)
            order.status = status
            s.add(
                OrderComponent(
                    order_id=order.id,
                    line_id=line.id,
                    item_id=item,
                    supplier_id=supplier,
                    name="水",
                    kind="goods",
                    quantity=2,
                    settlement_price_minor=settlement,
                    staff_role="butler",
                )
            )
            return order, line

        sold(IN_OCTOBER, 1000)  # ¥20 in October
        sold(IN_NOVEMBER, 1000)
        sold(IN_NOVEMBER, 500, status="refunded")
        late, late_line = sold(IN_NOVEMBER - timedelta(days=3), 500)
        month_node(s, late, late_line, "missed")
        complained, _line = sold(IN_NOVEMBER + timedelta(days=1), 500)
        s.add(Complaint(order_id=complained.id, resident_id=resident, text="坏了"))
        s.commit()
    with app.app_context(), db.session_scope() as s:
        measures.snapshot(NOVEMBER)
        s.commit()
    with app.app_context(), db.session_scope(write=False) as s:
        rows = {
            r.measure.removeprefix("suppliers."): (r.value, r.n)
            for r in s.exec(
                select(MeasureFigure).where(
                    MeasureFigure.month == NOVEMBER,
                    MeasureFigure.scope == "supplier",
                    MeasureFigure.scope_id == supplier,
                )
            )
        }
    # November: 2×¥10 + 2×¥5 + 2×¥5 + 2×¥5 = ¥50, October ¥20: up 150 %
    assert rows["sales_minor"] == (5000, 1)
    assert rows["growth"] == (15000, 2)
    # In the 30 days to November's end: 4 orders, one refunded. In the 90 days: 5 orders
    # (October's too), with a refund, a missed promise and a complaint.
    assert rows["refund_rate_30"] == (2500, 4)
    assert rows["defect_rate_90"] == (6000, 5)


def test_the_measures_api_is_fenced_by_role(app, known_month, catalogue, make_user, headers):
    from tests.conftest import api_token

    client = app.test_client()
    ops = {"Authorization": f"Bearer {api_token(client, 'ops@catalogue.test')}"}
    got = client.get("/api/v1/measures?party=residents&month=2026-11&scope=compound", headers=ops)
    assert got.status_code == 200
    kept = [f for f in got.get_json() if f["measure"] == "residents.promises_kept"]
    assert {(f["scope_id"], f["value"], f["band"]) for f in kept} == {
        (known_month["sun"], 6666, "red"),
        (known_month["lake"], 10_000, "green"),
    }
    member = headers(catalogue.member_email)
    mine = client.get(
        "/api/v1/measures?party=suppliers&month=2026-11&scope=supplier", headers=member
    )
    assert mine.status_code == 200
    assert {f["scope_id"] for f in mine.get_json()} <= {catalogue.supplier_id}
    assert (
        client.get("/api/v1/measures?party=residents&scope=compound", headers=member).status_code
        == 403
    )
    resident = headers("a@m.test")
    assert client.get("/api/v1/measures?party=residents", headers=resident).status_code == 403
    make_user("manager", email="boss@m.test")
    boss = headers("boss@m.test")
    assert client.get("/api/v1/measures?party=staff&scope=staff", headers=boss).get_json() == []
    assert client.get("/api/v1/measures?party=project", headers=boss).status_code == 403
    bad = client.get("/api/v1/measures?party=everyone", headers=ops)
    assert bad.status_code == 422 and "party" in bad.get_json()["error"]["fields"]
