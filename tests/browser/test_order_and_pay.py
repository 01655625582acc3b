"""In Chromium: a resident orders a bundle, picks a window, pays in test mode and sees it paid."""

from __future__ import annotations

import os

import pytest

from tests.browser.steps import log_in, order_and_pay

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")


def test_order_pick_a_window_pay_and_see_it_paid(paying_server, browser_page, demo_snapshot):
    app, base = paying_server
    demo_snapshot.seed(app)
    page = browser_page
    log_in(page, base, "resident1@demo.local", "demo1234")
    page.goto(f"{base}/shop/search?q=矿泉水")
    page.locator(".bundle-card", has_text="百岁山天然矿泉水").click()
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_load_state()
    page.goto(f"{base}/shop/basket")
    page.get_by_role("link", name="去结算").click()
    page.locator(".choice input[type=radio]").nth(1).check()  # the second window offered
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/checkout_zh.png", full_page=True)
    page.get_by_role("button", name="下单并支付").click()
    page.wait_for_url("**/pay")
    assert "测试模式" in page.content()
    page.get_by_role("button", name="用测试卡 Visa ···4242 支付 ¥49.90").click()
    page.wait_for_url("**?paid=1")
    for _ in range(20):  # localstripe sends the signed webhook about a second later
        if page.locator("h1 .badge").inner_text() == "已支付":
            break
        page.wait_for_timeout(500)
        page.reload()
    assert page.locator("h1 .badge").inner_text() == "已支付"
    assert len(page.locator(".code").inner_text()) == 6
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/order_paid_zh.png", full_page=True)


def test_a_declined_test_card_says_so_and_the_order_stays_unpaid(
    paying_server, browser_page, demo_snapshot
):
    app, base = paying_server
    demo_snapshot.seed(app)
    page = browser_page
    log_in(page, base, "resident2@demo.local", "demo1234")
    page.goto(f"{base}/shop/search?q=大米")
    page.locator(".bundle-card").first.click()
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_load_state()
    page.goto(f"{base}/shop/checkout")
    page.get_by_role("button", name="下单并支付").click()
    page.wait_for_url("**/pay")
    page.get_by_role("button", name="试用一张会被拒付的测试卡").click()
    page.locator("#pay-message").filter(has_text="银行卡被拒").wait_for()


def test_the_whole_slice_order_pay_deliver_with_the_code_promises_kept_commission_seen(
    paying_server, browser_page, monkeypatch, demo_snapshot
):
    from datetime import timedelta

    from sqlmodel import select

    from fulfilment.models import Task
    from orders.models import DeliveryWindow, Order
    from shop.core import db
    from tests.browser.steps import log_out

    app, base = paying_server
    demo_snapshot.seed(app)
    page = browser_page
    # The resident orders and pays.
    log_in(page, base, "resident1@demo.local", "demo1234")
    order_url, code = order_and_pay(page, base, "矿泉水", "百岁山天然矿泉水", "¥49.90")
    log_out(page)
    # The butler on duty in the resident's grid has the task: accept now…
    with app.app_context(), db.session_scope(write=False) as s:
        task = s.exec(select(Task)).one()
        order = s.get(Order, task.order_id)
        window = s.get(DeliveryWindow, order.window_id)
        starts = db.aware(window.starts_at)
    log_in(page, base, "staff1@demo.local", "demo1234")
    page.get_by_role("link", name="送货上门").first.click()
    assert "138****0001" in page.content()  # masked until accepted
    page.get_by_role("button", name="接单").click()
    page.wait_for_load_state()
    assert "13800000001" in page.content()
    # …and deliver inside the chosen window (the clock moves there).
    inside = starts + timedelta(minutes=15)
    monkeypatch.setattr(db, "utcnow", lambda: inside)
    page.get_by_role("button", name="已取货").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="已到达").click()
    page.wait_for_load_state()
    page.get_by_label("住户的6位确认码").fill(code)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/staff_task_zh.png", full_page=True)
    page.get_by_role("button", name="已送达").click()
    page.wait_for_load_state()
    page.goto(f"{base}/staff/wallet")
    assert "¥2.00" in page.content()  # ¥2 a bundle, all to the deliverer (no referrer)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/staff_wallet_zh.png", full_page=True)
    log_out(page)
    # The resident sees every promise kept.
    log_in(page, base, "resident1@demo.local", "demo1234")
    page.goto(order_url)
    verdicts = page.locator(".promises .promise-head .badge").all_inner_texts()
    assert verdicts and all(v == "已兑现" for v in verdicts)
    assert page.locator("h1 .badge").inner_text() == "已送达"
