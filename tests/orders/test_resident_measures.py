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
