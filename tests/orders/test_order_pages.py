"""The pages around promises: the resident's order page (compensation, complaint, confirm)
and the operator's order pages (refund, waive, answer)."""

from __future__ import annotations

from datetime import timedelta

from orders import jobs as order_jobs
from shop.core import db
from tests.conftest import csrf_token, web_login
from tests.fixtures_orders import record, run


def test_the_order_page_shows_what_a_missed_promise_paid(app, client, shop, paid, clock):
    clock.set(db.aware(paid["accept"].due_by) + timedelta(minutes=1))
    run(app, order_jobs.watch_commitments)
    web_login(client, shop["email"])
    page = client.get(f"/shop/orders/{paid['id']}").get_data(as_text=True)
    assert "未兑现" in page
    assert "¥3.00 已存入您的余额" in page
    assert "承诺未兑现" in page  # the timeline names what happened
    assert "¥3.00" in client.get("/shop/orders").get_data(as_text=True)  # the credit balance
    assert 'class="badge">1<' in page  # the bell: one message


def test_the_resident_complains_then_the_operator_answers_on_the_console(
    app, client, shop, paid, clock
):
    record(
        app,
        paid["id"],
        "delivered",
        clock.now,
        paid["staff_id"],
        confirmation_code=paid["code"],
        early_agreed=True,
    )
    web_login(client, shop["email"])
    url = f"/shop/orders/{paid['id']}"
    page = client.get(url).get_data(as_text=True)
    assert "确认收货" in page and "投诉" in page
    client.post(
        f"{url}/complaints",
        data={"csrf_token": csrf_token(client, url), "text": "水桶有裂缝，漏水"},
    )
    page = client.get(url).get_data(as_text=True)
    assert "水桶有裂缝" in page and "等待答复" in page and "确认收货" not in page
    client.post("/logout", data={"csrf_token": csrf_token(client, url)})
    web_login(client, "ops@catalogue.test")
    listing = client.get("/console/orders").get_data(as_text=True)
    assert "水桶有裂缝" in listing
    console = f"/console/orders/{paid['id']}"
    html = client.get(console).get_data(as_text=True)
    complaint_id = html.split("/complaints/")[1].split("/resolve")[0]
    client.post(
        f"{console}/complaints/{complaint_id}/resolve",
        data={"csrf_token": csrf_token(client, console), "resolution": "已换新桶"},
    )
    assert "已换新桶" in client.get(console).get_data(as_text=True)


def test_the_operator_refunds_part_and_waives_on_the_console(app, client, shop, paid, catalogue):
    web_login(client, "ops@catalogue.test")
    console = f"/console/orders/{paid['id']}"
    token = csrf_token(client, console)
    bad = client.post(
        f"{console}/refund", data={"csrf_token": token, "amount": "abc"}, follow_redirects=True
    )
    assert "请输入以元为单位的金额" in bad.get_data(as_text=True)
    assert app.extensions["orders.services.gateway"].refunds == []
    too_much = client.post(
        f"{console}/refund",
        data={"csrf_token": token, "amount": "9999.99", "reason": "测试"},
        follow_redirects=True,
    )
    assert "退款金额超过可退金额。" in too_much.get_data(as_text=True)
    client.post(
        f"{console}/refund",
        data={"csrf_token": token, "amount": "12.00", "reason": "少送一瓶"},  # typed in yuan
    )
    assert app.extensions["orders.services.gateway"].refunds == [("pi_hand_1", 1200, "refund-1")]
    client.post(
        f"{console}/promises/{paid['accept'].id}/waive",
        data={"csrf_token": token, "reason": "住户改约"},
    )
    html = client.get(console).get_data(as_text=True)
    assert "¥12.00" in html and "住户改约" in html


def test_residents_and_staff_cannot_open_the_console_orders(client, shop, paid, make_user):
    web_login(client, shop["email"])
    assert client.get(f"/console/orders/{paid['id']}").status_code == 403
    assert client.get("/console/orders").status_code == 403


def test_checkout_groups_the_windows_by_day(app, client, shop):
    import re

    web_login(client, shop["email"])
    token = csrf_token(client, f"/shop/bundles/{shop['bundle_id']}")
    client.post(
        "/shop/basket",
        data={"csrf_token": token, "bundle_id": shop["bundle_id"], "quantity": 1, "add": "1"},
    )
    page = client.get("/shop/checkout").get_data(as_text=True)
    days = re.findall(r'<h3 class="choice-day">([^<]+)</h3>', page)
    assert len(days) >= 2 and len(days) == len(set(days))  # each day once, as a heading
    assert all("星期" in d for d in days)
    times = re.findall(
        r'<input type="radio" name="choice" value="\d+"[^>]*>\s*<span>([^<]+)</span>', page
    )
    assert times and all(re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", t) for t in times)
