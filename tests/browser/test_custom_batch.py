"""In Chromium: the operator opens a custom batch on the console, a resident pledges with the
test card and watches the counter, the deadline makes it, and the butler delivers the order."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

import fulfilment.api
from orders.jobs import decide_batch
from orders.models import CustomBatch
from shop.core import accounts, db
from tests.browser.steps import deliver_at_the_door, log_in, log_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")


def _butler(app, w, make_user):
    staff_id = make_user("staff", email="butler@batch.test", phone="13900000077")
    with app.app_context(), db.session_scope() as s:
        home = accounts.find_resident_address(w["people"]["sun1"]["id"])
        grid = fulfilment.api.create_grid(
            community_id=home.community_id, name="九栋网格", building_ids=[home.building_id]
        )
        fulfilment.api.add_staff_member(
            user_id=staff_id,
            employee_no="B01",
            staff_role="butler",
            grid_ids=[grid.id],
            is_on_duty=True,
        )
        s.commit()


def test_pledge_reach_and_deliver(
    app, batch_world, live_server, browser_page, make_user, monkeypatch
):
    w, page, base = batch_world, browser_page, live_server
    _butler(app, w, make_user)

    log_in(page, base, "plans@shop.test", PASSWORD)
    page.goto(f"{base}/console/batches")
    form = page.locator(f"#open-{w['farm']}")
    form.get_by_label("单价（元）").fill("2.80")
    form.get_by_label("成团门槛（件）").fill("3")
    with page.expect_navigation():
        form.get_by_role("button", name="发起批次").click()
    assert "批次已发起" in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/console_batches_zh.png", full_page=True)
    log_out(page)

    log_in(page, base, w["people"]["sun1"]["email"], PASSWORD)
    page.clock.install()  # the page's timers on the test's clock
    page.goto(f"{base}/shop/batches")
    page.get_by_role("link", name="卤水豆腐 定制装").click()
    assert "本小区已认购 0 / 门槛 3" in page.content()
    assert "我们从不虚拟凑单" in page.content()
    page.get_by_label("数量").fill("2")
    page.get_by_role("button", name="用测试卡 Visa ···4242 认购").click()
    page.locator(".badge", has_text="已在卡上预授权").wait_for()
    assert "本小区已认购 2 / 门槛 3" in page.content()
    # A neighbour pledges from their phone: the open page's counter follows by itself.
    with app.app_context(), db.session_scope(write=False) as s:
        batch_id = s.exec(select(CustomBatch.id)).one()
    assert w["pledge"]("sun2", batch_id, 1).status_code == 201
    page.clock.run_for(16_000)
    page.get_by_text("本小区已认购 3 / 门槛 3").wait_for()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/batch_pledged_zh.png", full_page=True)

    # The deadline passes: the deadline job decides, captures the hold and makes the order.
    with app.app_context(), db.session_scope(write=False) as s:
        batch = s.exec(select(CustomBatch)).one()
    after = db.aware(batch.deadline) + timedelta(minutes=1)
    monkeypatch.setattr(db, "utcnow", lambda: after)
    with app.app_context():
        assert decide_batch(batch.id) == "reached"
    page.reload()
    assert "已成团" in page.locator("h1 .badge").inner_text() or "已成单" in page.content()
    page.get_by_role("link", name="查看订单").click()
    assert page.locator("h1 .badge").inner_text() == "已支付"
    assert "截止时公布是否成团" in page.content()
    code = page.locator(".code").inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/batch_order_zh.png", full_page=True)
    order_url = page.url
    log_out(page)

    # The butler accepts at once, and delivers on the batch's day with the resident's code.
    monkeypatch.setattr(db, "utcnow", lambda: after + timedelta(minutes=5))
    log_in(page, base, "butler@batch.test", PASSWORD)
    page.get_by_role("link", name="送货上门").first.click()
    page.get_by_role("button", name="接单").click()
    page.wait_for_load_state()
    day = datetime.combine(batch.delivery_date, time(10, 0), ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(db, "utcnow", lambda: day)
    deliver_at_the_door(page, code)
    log_out(page)

    log_in(page, base, w["people"]["sun1"]["email"], PASSWORD)
    page.goto(order_url)
    assert page.locator("h1 .badge").inner_text() == "已送达"
    verdicts = page.locator(".promises .promise-head .badge").all_inner_texts()
    assert verdicts and all(v == "已兑现" for v in verdicts)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/batch_delivered_zh.png", full_page=True)
