"""The residents' measures on a hand-built month whose figures are known, per compound and
for the platform; the snapshot re-run for the same month gives the same rows."""

from __future__ import annotations

from sqlmodel import select

from shop.core import db, measures
from shop.core.models import MeasureFigure
from tests.fixtures_orders import NOVEMBER


def test_a_known_month(app, known_month):
    sun_id, lake_id, b_id = known_month["sun"], known_month["lake"], known_month["b"]
    first = known_month["rows"]
    with app.app_context(), db.session_scope() as s:
        assert measures.snapshot(NOVEMBER) == first  # re-run: the same rows, replaced
        s.commit()
    with app.app_context(), db.session_scope(write=False) as s:
        rows = {
            (r.measure.removeprefix("residents."), r.scope, r.scope_id): (r.value, r.n, r.order_ids)
            for r in s.exec(select(MeasureFigure).where(MeasureFigure.month == NOVEMBER))
        }
    assert len(rows) == first
    # 阳光花园: 2 of 3 judged promises met; 翠湖苑 1 of 1; the platform 3 of 4
    assert rows[("promises_kept", "compound", sun_id)] == (6666, 3, [b_id])
    assert rows[("promises_kept", "compound", lake_id)][:2] == (10_000, 1)
    assert rows[("promises_kept", "platform", 0)][:2] == (7500, 4)
    # a had ordered before, b had not: half of 阳光花园's ordering households repeat
    assert rows[("repeat_rate", "compound", sun_id)][:2] == (5000, 2)
    assert rows[("repeat_rate", "platform", 0)][:2] == (3333, 3)
    assert rows[("complaint_rate", "compound", sun_id)] == (5000, 2, [b_id])
    assert rows[("compensation_minor", "platform", 0)] == (300, 1, [b_id])
    # 2 of 4 households in 阳光花园 ordered, 1 of 2 in 翠湖苑; 1 of 2 care households
    assert rows[("penetration", "compound", sun_id)][:2] == (5000, 4)
    assert rows[("penetration", "platform", 0)][:2] == (5000, 6)
    assert rows[("care_served", "compound", sun_id)][:2] == (5000, 2)
    assert ("care_served", "compound", lake_id) not in rows  # no care household there


def test_the_project_committee_and_platform_figures_of_the_known_month(app, known_month):
    with app.app_context(), db.session_scope(write=False) as s:
        rows = {
            (r.measure, r.scope, r.scope_id): (r.value, r.n)
            for r in s.exec(select(MeasureFigure).where(MeasureFigure.month == NOVEMBER))
        }
    sun = known_month["sun"]
    # 阳光花园: two orders of ¥10, ¥3 compensation, no suppliers' cost in these orders
    assert rows[("project.gmv_minor", "compound", sun)] == (2000, 0)
    assert rows[("project.gmv_minor", "platform", 0)][0] == 3000
    assert rows[("project.margin", "compound", sun)] == (8500, 2000)
    assert rows[("project.compensation_cost", "compound", sun)] == (1500, 2000)
    assert rows[("project.revenue_per_household_minor", "compound", sun)] == (500, 4)
    # the complaint about b's order is not answered: 0 of 1 in a day
    assert rows[("committee.complaints_answered", "compound", sun)] == (0, 1)
    assert rows[("platform.batches_reached", "platform", 0)] == (None, 0)


def test_bands_turn_round_for_measures_where_less_is_better(app):
    with app.app_context():
        kept, complaints = (
            measures.defined()[k] for k in ("residents.promises_kept", "residents.complaint_rate")
        )
        assert [measures.band(kept, v) for v in (9600, 9200, 8000, None)] == [
            "green",
            "amber",
            "red",
            "",
        ]
        assert [measures.band(complaints, v) for v in (50, 200, 400)] == ["green", "amber", "red"]
        app.config["MEASURE_BANDS"] = {"residents.promises_kept": [9700, 9900]}
        assert measures.band(measures.defined()["residents.promises_kept"], 9600) == "red"


def test_the_residents_dashboard_and_its_csv(app, known_month, make_user):
    from tests.conftest import web_login

    make_user("operator", email="measures@shop.test")
    client = app.test_client()
    web_login(client, "measures@shop.test")
    page = client.get("/console/measures?party=residents&month=2026-11").get_data(as_text=True)
    assert "守约" in page and "75.0%" in page and "<svg" in page
    assert page.count('class="card measure"') == 6
    export = client.get("/console/measures.csv?party=residents&month=2026-11")
    body = export.get_data()
    assert body.startswith("\ufeff".encode()) and "阳光花园".encode() in body
    assert b"residents.promises_kept" in body and b",6666,bp,3,red" in body
    resident = app.test_client()
    web_login(resident, "a@m.test")
    assert resident.get("/console/measures").status_code in (302, 403)
    assert resident.get("/console/measures.csv").status_code in (302, 403)


def test_the_owners_committee_sees_its_compounds_public_figures_only(app, known_month, headers):
    from shop.core import accounts
    from tests.conftest import web_login

    with app.app_context(), db.session_scope() as s:
        user = accounts.create_user(
            email="ywh@m.test", password="correct horse 42", display_name="业委会", roles=[]
        )
        accounts.seat_committee(user_id=user.id, community_id=known_month["sun"])
        s.commit()
    client = app.test_client()
    web_login(client, "ywh@m.test")
    page = client.get("/committee/?month=2026-11").get_data(as_text=True)
    assert "阳光花园" in page and "66.7%" in page  # its own compound's promises kept
    assert "复购率" not in page and "已付赔偿" not in page  # not public
    assert "#" + str(known_month["b"]) not in page
    export = client.get("/committee/figures.csv?month=2026-11").get_data(as_text=True)
    assert "residents.promises_kept" in export and "翠湖苑" not in export
    assert client.get("/console/measures").status_code in (302, 403)
    api = headers("ywh@m.test")
    got = client.get("/api/v1/measures?party=residents&scope=compound&month=2026-11", headers=api)
    figures = got.get_json()["items"]
    assert {f["scope_id"] for f in figures} == {known_month["sun"]}
    assert {f["measure"] for f in figures} == {
        "residents.promises_kept",
        "residents.complaint_rate",
        "residents.care_served",
    }
    assert all(f["order_ids"] == [] for f in figures)
    other = client.get("/api/v1/measures?party=staff&scope=staff", headers=api)
    assert other.status_code == 403
