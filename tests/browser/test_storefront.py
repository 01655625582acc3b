"""In Chromium: search in Chinese, open a bundle, add it to the basket; care residents' prices."""

from __future__ import annotations

import os

import pytest

from tests.browser.steps import log_in, log_out

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")


def test_search_open_and_add_to_basket_then_the_care_price(
    app, live_server, browser_page, demo_snapshot
):
    demo_snapshot.seed(app)
    page, base = browser_page, live_server

    log_in(page, base, "resident1@demo.local", "demo1234")
    page.goto(f"{base}/shop/")
    page.get_by_role("searchbox", name="搜索").fill("矿泉水")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/shop/search?q=*")
    assert page.locator("b.match").first.inner_text() == "矿泉水"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/search_zh.png", full_page=True)
    page.locator(".bundle-card", has_text="百岁山天然矿泉水").click()
    assert "送达时间：您选择的时段内" in page.content()
    normal_price = page.locator(".price.big").inner_text()
    page.get_by_label("数量").fill("2")
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_load_state()
    assert "已加入购物车" in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/bundle_zh.png", full_page=True)
    page.goto(f"{base}/shop/basket")
    assert "百岁山天然矿泉水" in page.content()
    assert page.locator(".basket-line input[name=quantity]").input_value() == "2"
    log_out(page)

    log_in(page, base, "resident6@demo.local", "demo1234")
    page.goto(f"{base}/shop/search?q=矿泉水")
    page.locator(".bundle-card", has_text="百岁山天然矿泉水").click()
    assert "关怀价" in page.content()
    assert page.locator(".price.big").inner_text() != normal_price
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/bundle_care_zh.png", full_page=True)
