"""In Chromium: a merchant applies, the operator approves, the supplier adds an item."""

from __future__ import annotations

import os

import pytest

from tests.browser.steps import apply_as_supplier, approve_supplier, log_in, log_out

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_apply_then_approve_then_add_an_item(
    app, live_server, browser_page, tmp_path, demo_snapshot
):
    demo_snapshot.seed(app)
    page, base = browser_page, live_server
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)

    apply_as_supplier(
        page,
        base,
        {
            "公司名称": "洁净家政服务有限公司",
            "类型": "channel_partner",
            "营业执照号": "91310000MA1WALK01",
            "联系人": "宋经理",
            "电话": "13812345678",
            "邮箱（登录账号）": "song@clean.test",
            "密码": "walk password",
            "经营品类": "家政保洁",
            "社区销售承诺": "专注社区家政，承诺当天上门。",
            "与物业公司的合作经历": "为两家物业提供保洁外包",
        },
        str(licence),
    )
    assert "已提交" in page.content() and "营业执照.pdf" in page.content()
    log_out(page)

    log_in(page, base, "operator@demo.local", "demo1234")
    approve_supplier(page, base, "洁净家政服务有限公司", "资质齐全，评分达标")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/ops_supplier_zh.png", full_page=True)
    log_out(page)

    log_in(page, base, "song@clean.test", "walk password")
    page.goto(f"{base}/supplier/items")
    page.get_by_role("link", name="添加服务").click()
    page.get_by_label("SKU", exact=True).fill("CLEAN-2H")
    page.get_by_label("名称", exact=True).fill("钟点工保洁 2小时")
    page.get_by_label("品类", exact=True).fill("家政保洁")
    page.get_by_label("单位", exact=True).fill("次")
    page.get_by_label("供货价（元）", exact=True).fill("90")
    page.get_by_label("时长（分钟）", exact=True).fill("120")
    page.get_by_label("每日时段", exact=True).fill("09:00, 14:00")
    page.get_by_label("每时段可约数", exact=True).fill("2")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "商品已添加" in page.content()
    page.goto(f"{base}/supplier/items")
    assert "钟点工保洁 2小时" in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/supplier_items_zh.png", full_page=True)
