"""In Chromium, from an empty database (no demo): a property company's first day.

The operator opens a compound with two buildings and a grid, adds a butler and the owner
list; a resident signs up and the butler confirms the home; a merchant applies and is
approved, lists an item; the operator composes and publishes a bundle; the resident orders
and pays; the butler delivers with the checklist and the code; every promise is kept and the
commission is credited.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlmodel import select

from fulfilment.models import Task
from orders.models import DeliveryWindow, Order
from shop.core import db
from tests.browser.steps import (
    apply_as_supplier,
    approve_supplier,
    log_in,
    log_out,
    order_and_pay,
)

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OPS, OPS_PASSWORD = "ops@xinyuan.test", "first-day-ops"


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _saved(page):
    page.wait_for_load_state()
    problems = page.locator(".flash.error, .field-error").all_inner_texts()
    assert not problems, (page.url, problems)


def _open_the_compound(page, base, tmp_path):
    page.goto(f"{base}/console/compounds")
    opening = page.locator("form", has=page.locator("input[name=do][value=community]"))
    opening.get_by_label("编码（字母和数字，例如 xinyuan）").fill("xinyuan")
    opening.get_by_label("小区名称").fill("新苑小区")
    opening.get_by_label("地址").fill("浦东新区新苑路 8 号")
    opening.get_by_label("服务中心时间（例如 08:00-20:00）").fill("08:00-20:00")
    opening.get_by_role("button", name="开通小区").click()
    _saved(page)
    compound = page.locator("section[id^=community-]", has_text="新苑小区")
    compound.locator("summary", has_text="添加楼栋").click()
    compound.get_by_label("楼栋名称，用逗号分隔").fill("1栋，2栋")
    compound.get_by_role("button", name="添加").click()
    _saved(page)
    compound = page.locator("section[id^=community-]", has_text="新苑小区")
    compound.locator("summary", has_text="划定网格").click()
    compound.get_by_label("网格名称").fill("新苑一网格")
    compound.get_by_label("1栋").check()
    compound.get_by_label("2栋").check()
    compound.get_by_role("button", name="划定").click()
    _saved(page)
    staff = page.locator("#staff")
    staff.locator("summary", has_text="添加员工").click()
    staff.get_by_label("姓名").fill("李管家")
    staff.get_by_label("手机号（用于登录）").fill("13966660001")
    staff.get_by_label("工号").fill("E0001")
    staff.get_by_label("岗位").select_option("butler")
    staff.get_by_label("新苑一网格").check()
    staff.get_by_label("初始密码（至少 8 位）").fill("butler-first")
    staff.get_by_role("button", name="添加").click()
    _saved(page)
    assert "李管家" in page.locator("#staff").inner_text()
    _shot(page, "first_day_compounds_zh")
    # The owner list from the property's system: the homes residents choose from.
    owners = tmp_path / "owners.csv"
    owners.write_text(
        "building,unit,owner_name,owner_phone\n1栋,1-101,周女士,13700000101\n"
        "2栋,2-201,吴先生,13700000201\n",
        encoding="utf-8",
    )
    page.locator("a", has_text="房屋与业主名单").click()
    page.locator("input[type=file]").set_input_files(str(owners))
    page.get_by_role("button", name="导入").click()
    _saved(page)
    assert "1-101" in page.content() and "2-201" in page.content()


def _commission_and_catalogue_rules(page, base):
    page.goto(f"{base}/console/staff-money")
    page.get_by_label("金额：每件的元数，或毛利的百分比").fill("3")  # ¥3 a piece
    page.get_by_role("button", name="添加规则").click()
    _saved(page)
    page.goto(f"{base}/console/catalogue/categories")
    page.get_by_label("中文名称").fill("饮用水")
    page.get_by_role("button", name="添加品类").click()
    _saved(page)
    page.locator("tr", has_text="饮用水").get_by_role("button", name="开放").click()
    _saved(page)
    page.goto(f"{base}/console/catalogue/policies")
    page.get_by_label("规则名称").fill("送水到家")
    for kind in ("accept", "deliver_window", "standard"):
        page.locator(f"input[name={kind}-on]").check()
    page.locator("input[name=accept-minutes]").fill("30")
    page.locator("textarea[name=standard-checklist]").fill("送到门口\n空桶回收")
    for kind in ("accept", "deliver_window", "standard"):
        page.locator(f"select[name={kind}-comp_type]").select_option("coupon")
        page.locator(f"input[name={kind}-comp_value]").fill("5")  # yuan
    page.get_by_role("button", name="保存").click()
    _saved(page)
    assert "送水到家" in page.content()


def _supplier_joins_and_lists_water(page, base, tmp_path):
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)
    apply_as_supplier(
        page,
        base,
        {
            "公司名称": "清泉水业有限公司",
            "类型": "channel_partner",
            "营业执照号": "91310000MA1WATER1",
            "联系人": "高经理",
            "电话": "13812340000",
            "邮箱（登录账号）": "gao@water.test",
            "密码": "water-first",
            "经营品类": "饮用水",
            "社区销售承诺": "专注社区桶装水配送，承诺当天送达。",
            "与物业公司的合作经历": "为三家物业供水",
        },
        str(licence),
    )
    log_out(page)
    log_in(page, base, OPS, OPS_PASSWORD)
    approve_supplier(page, base, "清泉水业有限公司", "资质齐全")
    log_out(page)

    log_in(page, base, "gao@water.test", "water-first")
    page.goto(f"{base}/supplier/items")
    page.get_by_role("link", name="添加商品").click()
    page.get_by_label("SKU", exact=True).fill("WATER-18L")
    page.get_by_label("名称", exact=True).fill("清泉桶装水 18.9L")
    page.get_by_label("品类", exact=True).fill("饮用水")
    page.get_by_label("单位", exact=True).fill("桶")
    page.get_by_label("供货价（元）", exact=True).fill("15.00")
    page.get_by_label("库存", exact=True).fill("50")
    page.get_by_role("button", name="保存").click()
    _saved(page)
    log_out(page)


def _publish_the_bundle(page, base):
    log_in(page, base, OPS, OPS_PASSWORD)
    page.goto(f"{base}/console/catalogue/bundles/new")
    page.get_by_label("标题").fill("清泉桶装水 两桶装")
    page.get_by_label("品类").select_option(label="饮用水")
    page.get_by_label("服务承诺").select_option(label="送水到家")
    page.locator("#item-search").fill("清泉")
    page.locator("#item-results button").first.click()
    page.locator("input[name='components-0-quantity']").fill("2")
    page.locator("input[name='components-0-settlement_price']").fill("15.00")
    page.locator("input[name='components-0-list_price']").fill("22.00")
    page.get_by_label("售价（元）").fill("39.90")
    page.locator("input[name=segments][value=mass]").check()
    # The figures are worked out as prices are typed in yuan: ¥30.00 to the supplier.
    assert page.locator("[data-fig=settlement]").inner_text() == "¥30.00"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the rows scroll
    _shot(page, "first_day_compose_zh")
    page.get_by_role("button", name="保存").click()
    _saved(page)
    page.get_by_role("button", name="上架").click()
    _saved(page)
    assert "已上架" in page.content()
    log_out(page)


def test_a_compound_runs_from_an_empty_database(paying_server, browser_page, tmp_path, monkeypatch):
    app, base = paying_server
    made = app.test_cli_runner().invoke(
        args=["users", "create-operator", OPS, "--password", OPS_PASSWORD]
    )
    assert made.exit_code == 0, made.output
    page = browser_page

    log_in(page, base, OPS, OPS_PASSWORD)
    _open_the_compound(page, base, tmp_path)
    _commission_and_catalogue_rules(page, base)
    log_out(page)
    _supplier_joins_and_lists_water(page, base, tmp_path)
    _publish_the_bundle(page, base)

    # A resident signs up; until the butler confirms the home they may browse, not order.
    page.goto(f"{base}/register")
    page.get_by_role("link", name="新苑小区").click()
    page.get_by_label("您的房号").select_option(label="1栋 1-101")
    page.get_by_label("您的姓名").fill("周女士")
    page.get_by_label("您的手机号（用于登录）").fill("13700009999")  # not the phone on the list
    page.get_by_label("密码（至少 8 位）").fill("resident-first")
    page.get_by_role("button", name="注册").click()
    _saved(page)
    log_out(page)
    log_in(page, base, "13966660001", "butler-first")
    page.get_by_role("button", name="上班").click()
    _saved(page)
    page.get_by_role("button", name="确认住户身份").click()
    _saved(page)
    log_out(page)

    log_in(page, base, "13700009999", "resident-first")
    order_url, code = order_and_pay(page, base, "桶装水", "清泉桶装水 两桶装", "¥39.90")
    log_out(page)

    # The butler delivers inside the chosen window, ticks the checklist and takes the code.
    with app.app_context(), db.session_scope(write=False) as s:
        task = s.exec(select(Task)).one()
        window = s.get(DeliveryWindow, s.get(Order, task.order_id).window_id)
        inside = db.aware(window.starts_at) + timedelta(minutes=15)
    log_in(page, base, "13966660001", "butler-first")
    page.get_by_role("link", name="送货上门").first.click()
    page.get_by_role("button", name="接单").click()
    _saved(page)
    monkeypatch.setattr(db, "utcnow", lambda: inside)
    page.get_by_role("button", name="已取货").click()
    _saved(page)
    page.get_by_role("button", name="已到达").click()
    _saved(page)
    for item in ("送到门口", "空桶回收"):
        page.get_by_label(item).check()
    page.get_by_label("住户的6位确认码").fill(code)
    _shot(page, "first_day_delivery_zh")
    page.get_by_role("button", name="已送达").click()
    _saved(page)
    page.goto(f"{base}/staff/wallet")
    assert "¥3.00" in page.content()  # ¥3 a piece, all to the deliverer (no referrer)
    log_out(page)

    log_in(page, base, "13700009999", "resident-first")
    page.goto(order_url)
    verdicts = page.locator(".promises .promise-head .badge").all_inner_texts()
    assert len(verdicts) == 3 and all(v == "已兑现" for v in verdicts), verdicts
    assert page.locator("h1 .badge").inner_text() == "已送达"
    _shot(page, "first_day_order_zh")
