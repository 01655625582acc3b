"""In Chromium (zh, CJK fonts): the residents' dashboard of a known month, its charts drawn
on the server, and the CSV export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.steps import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")


def test_the_residents_dashboard(app, known_month, live_server, browser_page, make_user):
    make_user("operator", email="measures@shop.test")
    page, base = browser_page, live_server
    log_in(page, base, "measures@shop.test", PASSWORD)
    page.goto(f"{base}/console/measures?party=residents&month=2026-11")
    card = page.locator("#measure-residents\\.promises_kept")
    assert "75.0%" in card.locator("h2").inner_text()
    assert card.locator("svg.chart").count() == 2  # the trend and the bars per compound
    assert card.locator("tr", has_text="阳光花园").locator(".band-red").count() == 1
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/measures_residents_zh.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "阳光花园" in text and "residents.penetration" in text


#: Each reader's dashboard: who logs in, the page, what must be on it, the screenshot's name.
READERS = (
    ("m1@f.test", "/console/measures?party=staff&month=2026-11", "管家1", "staff"),
    ("m1@f.test", "/console/measures?party=managers&month=2026-11", "网格1", "managers"),
    ("u1@f.test", "/console/measures?party=suppliers&month=2026-11", "供应商1", "suppliers"),
    ("yw@f.test", "/committee/?month=2026-11", "第1小区", "committee"),
    ("ops@f.test", "/console/measures?party=project&month=2026-11", "", "project"),
    ("ops@f.test", "/console/measures?party=platform&month=2026-11", "", "platform"),
)


@pytest.mark.parametrize(("email", "url", "own", "shot"), READERS, ids=[r[3] for r in READERS])
def test_each_partys_dashboard(measure_world, live_server, browser_page, email, url, own, shot):
    page, base = browser_page, live_server
    log_in(page, base, email, PASSWORD)
    page.goto(base + url)
    body = page.locator("main").inner_text()
    assert own in body
    for other in ("管家2", "网格2", "供应商2", "第2小区") if own else ():
        assert other not in body, other  # behind the reader's fence (the operator has none)
    assert page.locator("svg.chart").count() >= 2  # every measure's trend, at least two
    # a year's trend of the reader's own figures: twelve points on the first chart's line
    assert page.locator("svg.chart").first.locator("circle").count() == 12
    if shot == "staff":
        assert page.get_by_label("网格").locator("option").all_inner_texts() == ["网格1"]
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/measures_{shot}_zh.png", full_page=True)
