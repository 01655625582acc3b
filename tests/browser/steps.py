"""Steps the browser tests share: logging in and out through the pages."""

from __future__ import annotations

from typing import Any


def log_in(page: Any, base: str, login: str, password: str) -> None:
    """Log in through the login form."""
    page.goto(f"{base}/login")
    page.get_by_label("邮箱或手机号", exact=True).fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def log_out(page: Any) -> None:
    """Press the header's log-out button."""
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def order_and_pay(page: Any, base: str, query: str, title: str, total: str) -> tuple[str, str]:
    """Find a bundle, buy one in the first window, pay with the test card and wait until the
    signed webhook marks it paid; the order's page and the resident's 6-digit code."""
    page.goto(f"{base}/shop/search?q={query}")
    page.locator(".bundle-card", has_text=title).click()
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_load_state()
    page.goto(f"{base}/shop/checkout")
    page.locator(".choice input[type=radio]").first.check()
    page.get_by_role("button", name="下单并支付").click()
    page.wait_for_url("**/pay")
    page.get_by_role("button", name=f"用测试卡 Visa ···4242 支付 {total}").click()
    page.wait_for_url("**?paid=1")
    for _ in range(20):  # localstripe sends the signed webhook about a second later
        if page.locator("h1 .badge").inner_text() == "已支付":
            break
        page.wait_for_timeout(500)
        page.reload()
    assert page.locator("h1 .badge").inner_text() == "已支付"
    return page.url.split("?")[0], page.locator(".code").inner_text()


def apply_as_supplier(page: Any, base: str, form: dict[str, str], licence: str) -> None:
    """Fill and send the public application form (labels as keys, the licence file's path)."""
    page.goto(f"{base}/suppliers/apply")
    for label, value in form.items():
        field = page.get_by_label(label, exact=True)
        if label == "类型":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_label("营业执照（PDF、JPEG 或 PNG）", exact=True).set_input_files(licence)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(f"{base}/supplier/")


def approve_supplier(page: Any, base: str, company: str, reason: str) -> None:
    """As the operator: score the application, tick the checklist and approve it."""
    page.goto(f"{base}/console/suppliers/")
    page.get_by_role("link", name=company).click()
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
    page.get_by_label("理由", exact=True).fill(reason)
    page.get_by_role("button", name="记录决定").click()
    page.wait_for_load_state()
    assert "已通过，试用期" in page.content()


def deliver_at_the_door(page: Any, code: str) -> None:
    """On an accepted task's page: picked up, arrived, the resident's code, delivered."""
    page.get_by_role("button", name="已取货").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="已到达").click()
    page.wait_for_load_state()
    page.get_by_label("住户的6位确认码").fill(code)
    page.get_by_role("button", name="已送达").click()
    page.wait_for_load_state()
