"""A resident logs in on a phone-sized screen, in Chinese, and switches to English."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")


def test_a_resident_logs_in_and_switches_language(app, live_server, browser_page, demo_snapshot):
    demo_snapshot.seed(app)
    page = browser_page
    page.goto(f"{live_server}/login")
    assert page.locator("h1").inner_text() == "登录"
    page.get_by_label("邮箱或手机号").fill("resident6@demo.local")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server}/shop/")
    assert "郑奶奶，您好" in page.locator("h1").inner_text()
    assert "关怀" in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/resident_home_zh.png", full_page=True)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "Hello, 郑奶奶" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/login")


def test_the_staff_duty_button_is_big_enough_for_a_thumb(
    app, live_server, browser_page, demo_snapshot
):
    demo_snapshot.seed(app)
    page = browser_page
    page.goto(f"{live_server}/login")
    page.get_by_label("邮箱或手机号").fill("staff1@demo.local")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server}/staff")
    button = page.get_by_role("button", name="下班")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 60 and box["width"] >= 300
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/staff_home_zh.png", full_page=True)
    button.click()
    page.get_by_role("button", name="上班").wait_for()
