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
    kept = [f for f in got.get_json()["items"] if f["measure"] == "residents.promises_kept"]
    assert {(f["scope_id"], f["value"], f["band"]) for f in kept} == {
        (known_month["sun"], 6666, "red"),
        (known_month["lake"], 10_000, "green"),
    }
    member = headers(catalogue.member_email)
    mine = client.get(
        "/api/v1/measures?party=suppliers&month=2026-11&scope=supplier", headers=member
    )
    assert mine.status_code == 200
    assert {f["scope_id"] for f in mine.get_json()["items"]} <= {catalogue.supplier_id}
    assert (
        client.get("/api/v1/measures?party=residents&scope=compound", headers=member).status_code
        == 403
    )
    resident = headers("a@m.test")
    assert client.get("/api/v1/measures?party=residents", headers=resident).status_code == 403
    make_user("manager", email="boss@m.test")
    boss = headers("boss@m.test")
    assert (
        client.get("/api/v1/measures?party=staff&scope=staff", headers=boss).get_json()["items"]
        == []
    )
    assert client.get("/api/v1/measures?party=project", headers=boss).status_code == 403
    bad = client.get("/api/v1/measures?party=everyone", headers=ops)
    assert bad.status_code == 422 and "party" in bad.get_json()["error"]["fields"]


def test_demand_met_is_what_the_producer_took_on_of_its_plans(app, catalogue, make_user):
    """November's weeks: asked 10 (+2 forecast), took on 8; asked 5, took on 9 (capped at 5);
    asked 4 and never answered. A plan for a December week is not November's."""
    from datetime import date

    from orders.models import PlanLine, ProductionPlan

    ops = make_user("operator", email="ops@dm.test")
    supplier, item = catalogue.supplier_id, catalogue.items["W1"]
    with app.app_context(), db.session_scope() as s:
        homes = [accounts.create_community(code=f"dm{n}", name=f"小区{n}").id for n in range(2)]
        for week, lines in (
            (date(2026, 11, 2), ((10, 2, 8), (5, 0, 9))),
            (date(2026, 11, 23), ((4, 0, None),)),
            (date(2026, 12, 7), ((50, 0, 0),)),
        ):
            plan = ProductionPlan(supplier_id=supplier, week=week, issued_by=ops)
            s.add(plan)
            s.flush()
            for n, (confirmed, tentative, answered) in enumerate(lines):
                s.add(
                    PlanLine(
                        plan_id=plan.id,
                        item_id=item,
                        community_id=homes[n],
                        confirmed=confirmed,
                        tentative=tentative,
                        planned=confirmed + tentative,
                        deliver_on=week,
                        answered_quantity=answered,
                        answer="" if answered is None else "adjusted",
                        note=str(n),
                    )
                )
        s.commit()
    with app.app_context(), db.session_scope() as s:
        measures.snapshot(NOVEMBER)
        s.commit()
        rows = s.exec(
            select(MeasureFigure).where(MeasureFigure.measure == "suppliers.demand_met")
        ).all()
        found = {(r.scope, r.scope_id): (r.value, r.n) for r in rows}
    # (8 + 5 + 0) / (12 + 5 + 4) = 13 / 21
    assert found == {("supplier", supplier): (6190, 21), ("platform", 0): (6190, 21)}
