"""Every dashboard and export of the measures, read by every role: each sees its fence only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import fulfilment.api
import suppliers.api
from fulfilment.models import GridStaff, StaffMember
from shop.core import accounts, db, measures
from shop.core.models import MeasureFigure, User
from tests.conftest import web_login

NOVEMBER = date(2026, 11, 1)
#: The secret of a figure nobody but its fence may read: a value no other row carries.
SECRET = 4242


@pytest.fixture
def world(app: Any, make_user: Any) -> dict[str, Any]:
    """Two compounds, two grids with a manager and a butler each, two suppliers with a member
    each, a committee seat on the first compound; a snapshot row for every measure and scope."""
    ids: dict[str, Any] = {
        "ops": make_user("operator", email="ops@f.test"),
        "resident": make_user("resident", email="res@f.test"),
        "committee": make_user("committee", email="yw@f.test"),
    }
    for n in (1, 2):
        ids[f"m{n}"] = make_user("manager", email=f"m{n}@f.test")
        ids[f"s{n}"] = make_user("staff", email=f"s{n}@f.test")
        ids[f"u{n}"] = make_user("supplier_member", email=f"u{n}@f.test")
    with app.app_context(), db.session_scope() as s:
        for n in (1, 2):
            home = accounts.create_community(code=f"f{n}", name=f"第{n}小区")
            building = accounts.add_building(community_id=home.id, name="1栋").id
            grid = fulfilment.api.create_grid(
                community_id=home.id,
                name=f"网格{n}",
                building_ids=[building],
                manager_id=ids[f"m{n}"],
            )
            s.get(User, ids[f"s{n}"]).display_name = f"管家{n}"
            s.add(StaffMember(user_id=ids[f"s{n}"], employee_no=f"E{n}", staff_role="butler"))
            s.flush()
            s.add(GridStaff(grid_id=grid.id, user_id=ids[f"s{n}"]))
            supplier = suppliers.api.register_supplier(
                name=f"供应商{n}",
                kind="channel_partner",
                licence_no=f"9131000000FEN00{n}",
                member_user_id=ids[f"u{n}"],
                status="active",
            )
            ids[f"c{n}"], ids[f"g{n}"], ids[f"p{n}"] = home.id, grid.id, supplier.id
        accounts.seat_committee(user_id=ids["committee"], community_id=ids["c1"])
        scope_ids = {
            "compound": (ids["c1"], ids["c2"]),
            "grid": (ids["g1"], ids["g2"]),
            "staff": (ids["s1"], ids["s2"]),
            "supplier": (ids["p1"], ids["p2"]),
        }
        for key in measures.defined():
            for scope, (mine, theirs) in scope_ids.items():
                for scope_id, value in ((mine, 1111), (theirs, SECRET)):
                    s.add(
                        MeasureFigure(
                            month=NOVEMBER,
                            measure=key,
                            scope=scope,
                            scope_id=scope_id,
                            value=value,
                            n=3,
                            order_ids=[value],
                        )
                    )
            s.add(
                MeasureFigure(
                    month=NOVEMBER, measure=key, scope="platform", scope_id=0, value=2222, n=6
                )
            )
        s.commit()
    return ids


def _client(app: Any, email: str | None) -> Any:
    client = app.test_client()
    if email:
        web_login(client, email)
    return client


PAGES = (
    "/console/measures?party={party}&month=2026-11",
    "/console/measures.csv?party={party}&month=2026-11",
)


def test_the_operator_reads_every_party_on_page_csv_and_api(app, world):
    client = _client(app, "ops@f.test")
    for party in measures.PARTIES:
        for page in PAGES:
            got = client.get(page.format(party=party))
            assert got.status_code == 200, (party, page)
        assert client.get(f"/api/v1/measures?party={party}&month=2026-11").status_code == 200
    staff = client.get(f"/console/measures?party=staff&month=2026-11&grid={world['g2']}")
    assert "管家2" in staff.get_data(as_text=True)
    assert "管家1" not in staff.get_data(as_text=True)  # one grid's staff at a time


def test_a_manager_reads_the_staff_and_grids_of_their_own_grids_only(app, world):
    client = _client(app, "m1@f.test")
    # asking for the other grid's staff gives their own grid's
    for page in PAGES:
        for party in ("staff", "managers"):
            url = page.format(party=party) + f"&grid={world['g2']}"
            got = client.get(url)
            text = got.get_data(as_text=True)
            assert got.status_code == 200, url
            assert "1111" in text or "11.1%" in text or "¥11.11" in text, url
            assert str(SECRET) not in text and "42.4%" not in text and "¥42.42" not in text, url
            assert "管家2" not in text and "网格2" not in text, url
    for party in ("residents", "suppliers", "project", "committee", "platform"):
        assert client.get(PAGES[0].format(party=party)).status_code == 404, party
        assert client.get(PAGES[1].format(party=party)).status_code == 404, party
    for scope in ("grid", "staff"):
        party = "managers" if scope == "grid" else "staff"
        rows = client.get(f"/api/v1/measures?party={party}&month=2026-11&scope={scope}")
        assert rows.status_code == 200 and rows.get_json()
        assert {r["scope_id"] for r in rows.get_json()} == {
            world["g1" if scope == "grid" else "s1"]
        }
    assert client.get("/api/v1/measures?party=staff&scope=platform").status_code == 403
    assert client.get("/committee/").status_code == 403


def test_a_supplier_reads_its_own_scorecard_only(app, world):
    client = _client(app, "u1@f.test")
    for page in PAGES:
        got = client.get(page.format(party="suppliers"))
        text = got.get_data(as_text=True)
        assert got.status_code == 200
        assert "供应商1" in text and "供应商2" not in text
        assert str(SECRET) not in text and "42.4%" not in text and "¥42.42" not in text
        # its own trend, not the platform's total of every supplier's sales
        assert "¥22.22" not in text and "22.2%" not in text
    for party in ("residents", "staff", "managers", "project", "committee", "platform"):
        assert client.get(PAGES[0].format(party=party)).status_code == 404, party
    rows = client.get("/api/v1/measures?party=suppliers&month=2026-11&scope=supplier").get_json()
    assert {r["scope_id"] for r in rows} == {world["p1"]}
    home = client.get("/supplier/").get_data(as_text=True)
    assert "/console/measures" in home  # the portal links to its scorecard


def test_the_committee_reads_its_compounds_public_figures_only(app, world):
    client = _client(app, "yw@f.test")
    page = client.get("/committee/?month=2026-11").get_data(as_text=True)
    export = client.get("/committee/figures.csv?month=2026-11")
    assert export.status_code == 200 and export.data.startswith("\ufeff".encode())
    with app.app_context():
        defined = measures.defined().values()
        shown = {"residents", "committee"}
        public = {m.key for m in defined if m.public and m.party in shown}
        private = {m.key for m in defined if not m.public}
    csv_text = export.get_data(as_text=True)
    for text in (page, csv_text):
        assert str(SECRET) not in text and "42.4%" not in text
        assert "第2小区" not in text
    assert all(key in csv_text for key in public) and not any(k in csv_text for k in private)
    assert 'class="chart"' in page  # the compound's own trend is drawn
    rows = client.get("/api/v1/measures?party=committee&month=2026-11&scope=compound").get_json()
    assert {r["scope_id"] for r in rows} == {world["c1"]}
    assert all(r["order_ids"] == [] for r in rows)  # no order, no resident
    for party in measures.PARTIES:
        assert client.get(PAGES[0].format(party=party)).status_code == 403


@pytest.mark.parametrize("email", ["res@f.test", "s1@f.test", None])
def test_residents_staff_and_strangers_read_no_dashboard(app, world, email):
    client = _client(app, email)
    for party in measures.PARTIES:
        for page in PAGES:
            got = client.get(page.format(party=party))
            assert got.status_code in (302, 401, 403), (email, party, page)
        assert client.get(f"/api/v1/measures?party={party}").status_code in (401, 403)
    assert client.get("/committee/").status_code in (302, 401, 403)
    assert client.get("/committee/figures.csv").status_code in (302, 401, 403)
