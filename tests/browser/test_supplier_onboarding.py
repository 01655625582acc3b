"""In Chromium: a merchant applies, the operator approves, the supplier adds an item."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(page, base, login, password):
    page.goto(f"{base}/login")
    page.get_by_label("邮箱或手机号", exact=True).fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def log_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_apply_then_approve_then_add_an_item(app, live_server, browser_page, tmp_path):
    app.test_cli_runner().invoke(args=["demo"])
    page, base = browser_page, live_server
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)

    page.goto(f"{base}/suppliers/apply")
    page.get_by_label("公司名称", exact=True).fill("洁净家政服务有限公司")
    page.get_by_label("类型", exact=True).select_option("channel_partner")
    page.get_by_label("营业执照号", exact=True).fill("91310000MA1WALK01")
    page.get_by_label("联系人", exact=True).fill("宋经理")
    page.get_by_label("电话", exact=True).fill("13812345678")
    page.get_by_label("邮箱（登录账号）", exact=True).fill("song@clean.test")
    page.get_by_label("密码", exact=True).fill("walk password")
    page.get_by_label("经营品类", exact=True).fill("家政保洁")
    page.get_by_label("社区销售承诺", exact=True).fill("专注社区家政，承诺当天上门。")
    page.get_by_label("与物业公司的合作经历", exact=True).fill("为两家物业提供保洁外包")
    page.get_by_label("营业执照（PDF、JPEG 或 PNG）", exact=True).set_input_files(str(licence))
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(f"{base}/supplier/")
    assert "已提交" in page.content() and "营业执照.pdf" in page.content()
    log_out(page)

    log_in(page, base, "operator@demo.local", "demo1234")
    page.goto(f"{base}/ops/suppliers/")
    page.get_by_role("link", name="洁净家政服务有限公司").click()
    page.get_by_label("社区销售投入度（1–5）", exact=True).select_option("5")
    page.get_by_label("物业合作经验（1–5）", exact=True).select_option("4")
    page.get_by_label("实力与管理（1–5）", exact=True).select_option("4")
    page.get_by_role("button", name="保存评估").click()
    page.wait_for_load_state()
    for box in page.locator(".checklist input[type=checkbox]").all():
        box.check()
    page.get_by_role("button", name="保存清单").click()
    page.wait_for_load_state()
    page.get_by_label("决定", exact=True).select_option("approve")
    page.get_by_label("理由", exact=True).fill("资质齐全，评分达标")
    page.get_by_role("button", name="记录决定").click()
    page.wait_for_load_state()
    assert "已通过，试用期" in page.content()
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
    page.get_by_label("供货价（分）", exact=True).fill("9000")
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
