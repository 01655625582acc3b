"""Every dashboard and export of the measures, read by every role: each sees its fence only."""

from __future__ import annotations

from typing import Any

import pytest

from shop.core import measures
from tests.conftest import web_login
from tests.fixtures_measures import SECRET


def _client(app: Any, email: str | None) -> Any:
    client = app.test_client()
    if email:
        web_login(client, email)
    return client


PAGES = (
    "/console/measures?party={party}&month=2026-11",
    "/console/measures.csv?party={party}&month=2026-11",
)


def test_the_operator_reads_every_party_on_page_csv_and_api(app, measure_world):
    client = _client(app, "ops@f.test")
    for party in measures.PARTIES:
        for page in PAGES:
            got = client.get(page.format(party=party))
            assert got.status_code == 200, (party, page)
        assert client.get(f"/api/v1/measures?party={party}&month=2026-11").status_code == 200
    staff = client.get(f"/console/measures?party=staff&month=2026-11&grid={measure_world['g2']}")
    assert "管家2" in staff.get_data(as_text=True)
    assert "管家1" not in staff.get_data(as_text=True)  # one grid's staff at a time
    api = "/api/v1/measures?party=staff&month=2026-11&scope="
    rows = client.get(f"{api}staff&grid={measure_world['g2']}").get_json()["items"]
    assert rows and {r["scope_id"] for r in rows} == {measure_world["s2"]}
    rows = client.get(f"{api}grid&grid={measure_world['g2']}").get_json()["items"]
    assert rows and {r["scope_id"] for r in rows} == {measure_world["g2"]}
    for bad in (f"supplier&grid={measure_world['g2']}", "staff&grid=99999", "staff&grid=x"):
        refused = client.get(api + bad)
        assert refused.status_code == 422, bad
        assert "grid" in refused.get_json()["error"]["fields"], bad


def test_the_measures_api_comes_a_page_at_a_time(app, measure_world):
    client = _client(app, "ops@f.test")
    api = "/api/v1/measures?party=staff&month=2026-11&scope=staff"
    whole = client.get(f"{api}&per_page=100").get_json()
    assert whole["total"] == len(whole["items"]) >= 3
    seen = []
    for page in range(1, whole["total"] + 1):
        one = client.get(f"{api}&per_page=1&page={page}").get_json()
        assert (one["page"], one["per_page"], one["total"]) == (page, 1, whole["total"])
        seen += one["items"]
    assert seen == whole["items"]  # by measure, then staff: no row twice, none left out
    beyond = client.get(f"{api}&per_page=1&page={whole['total'] + 1}").get_json()
    assert beyond["items"] == [] and beyond["total"] == whole["total"]
    for bad in ("per_page=0", "per_page=101", "page=0"):
        refused = client.get(f"{api}&{bad}")
        assert refused.status_code == 422, bad
        assert bad.split("=")[0] in refused.get_json()["error"]["fields"], bad


def test_a_manager_reads_the_staff_and_grids_of_their_own_grids_only(app, measure_world):
    client = _client(app, "m1@f.test")
    # asking for the other grid's staff gives their own grid's
    for page in PAGES:
        for party in ("staff", "managers"):
            url = page.format(party=party) + f"&grid={measure_world['g2']}"
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
        assert rows.status_code == 200 and rows.get_json()["items"]
        assert {r["scope_id"] for r in rows.get_json()["items"]} == {
            measure_world["g1" if scope == "grid" else "s1"]
        }
    other = f"/api/v1/measures?party=staff&month=2026-11&scope=staff&grid={measure_world['g2']}"
    assert (
        client.get(other).get_json()["items"] == []
    )  # the other grid's staff stay behind the fence
    assert client.get("/api/v1/measures?party=staff&scope=platform").status_code == 403
    assert client.get("/committee/").status_code == 403


def test_a_supplier_reads_its_own_scorecard_only(app, measure_world):
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
    rows = client.get("/api/v1/measures?party=suppliers&month=2026-11&scope=supplier").get_json()[
        "items"
    ]
    assert {r["scope_id"] for r in rows} == {measure_world["p1"]}
    home = client.get("/supplier/").get_data(as_text=True)
    assert "/console/measures" in home  # the portal links to its scorecard


def test_the_committee_reads_its_compounds_public_figures_only(app, measure_world):
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
    rows = client.get("/api/v1/measures?party=committee&month=2026-11&scope=compound").get_json()[
        "items"
    ]
    assert {r["scope_id"] for r in rows} == {measure_world["c1"]}
    assert all(r["order_ids"] == [] for r in rows)  # no order, no resident
    for party in measures.PARTIES:
        assert client.get(PAGES[0].format(party=party)).status_code == 403


@pytest.mark.parametrize("email", ["res@f.test", "s1@f.test", None])
def test_residents_staff_and_strangers_read_no_dashboard(app, measure_world, email):
    client = _client(app, email)
    for party in measures.PARTIES:
        for page in PAGES:
            got = client.get(page.format(party=party))
            assert got.status_code in (302, 401, 403), (email, party, page)
        assert client.get(f"/api/v1/measures?party={party}").status_code in (401, 403)
    assert client.get("/committee/").status_code in (302, 401, 403)
    assert client.get("/committee/figures.csv").status_code in (302, 401, 403)
