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
