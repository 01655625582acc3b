"""In Chromium: an empty search offers a demand request; a neighbour says +1; the operator
answers it from the board (phase 3, demo community)."""

from __future__ import annotations

import os

import pytest

from shop.core import accounts, db
from suppliers.models import PhaseChange
from tests.browser.steps import log_in, log_out

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")


def test_ask_for_it_plus_one_and_the_answer(app, live_server, browser_page, demo_snapshot):
    demo_snapshot.seed(app)
    with app.app_context(), db.session_scope() as s:
        operator = accounts.find_user_by_email("operator@demo.local")
        s.add(PhaseChange(phase=3, actor_id=operator.id, override_reason="demo: phase 3"))
        s.commit()
    page, base = browser_page, live_server

    log_in(page, base, "resident1@demo.local", "demo1234")
    page.goto(f"{base}/shop/search?q=天文望远镜")
    page.get_by_role("link", name="登记需求：“天文望远镜”").click()
    assert page.get_by_label("您想要什么？").input_value() == "天文望远镜"
    page.get_by_label("数量").fill("2")
    page.get_by_label("频率").select_option("weekly")
    with page.expect_navigation():
        page.get_by_role("button", name="提交需求").click()
    assert "本小区共 1 户想要" in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/demand_zh.png", full_page=True)
    log_out(page)

    log_in(page, base, "resident2@demo.local", "demo1234")
    page.goto(f"{base}/shop/demand")
    with page.expect_navigation():
        page.get_by_role("button", name="我也想要").click()
    assert "2 户想要" in page.content()
    log_out(page)

    log_in(page, base, "operator@demo.local", "demo1234")
    page.goto(f"{base}/console/demands")
    card = page.locator("section.card", has_text="天文望远镜")
    assert "2 户" in card.inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/demand_board_zh.png", full_page=True)
    card.get_by_label("或不予满足，并说明原因").fill("本季暂无合作农场")
    with page.expect_navigation():
        card.get_by_role("button", name="不予满足").click()
    assert "已回复不予满足" in page.content()
