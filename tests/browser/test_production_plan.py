"""In Chromium: the operator issues a plan; the producer answers it on its portal page, in
Chinese, one big field a line."""

from __future__ import annotations

import os

import pytest

from tests.browser.steps import log_in, log_out
from tests.conftest import PASSWORD
from tests.fixtures_orders import MONDAY

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")


def test_the_producer_answers_its_plan(app, client, live_server, browser_page, producer):
    made = client.post(
        "/api/v1/production-plans",
        json={"supplier_id": producer["farm"], "week": MONDAY.isoformat()},
        headers=producer["operator"],
    )
    assert made.status_code == 201
    page, base = browser_page, live_server
    log_in(page, base, "farm@producer.test", PASSWORD)
    page.goto(f"{base}/supplier/plans")
    assert "卤水豆腐" in page.content() and "等待您答复" in page.content()
    page.get_by_label("您将生产 鲜豆浆").fill("1")
    page.get_by_label("如少于建议量，请说明原因 鲜豆浆").fill("只能做一箱")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/production_plan_zh.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="提交答复").click()
    assert "平台运营已收到您的答复" in page.content()
    assert "只能做一箱" in page.content()
    log_out(page)
    log_in(page, base, "plans@shop.test", PASSWORD)
    page.goto(f"{base}/console/plans")
    assert "豆香工坊" in page.content() and "只能做一箱" in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/console_plans_zh.png", full_page=True)
    page.goto(f"{base}/console/forecasts")
    assert "需求预测" in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/console_forecasts_zh.png", full_page=True)
