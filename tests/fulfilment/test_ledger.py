"""Commissions in the staff ledger: credited when verified, available after the after-sale
window, clawed back on refund, withdrawn and paid out; the trial balance stays zero."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlmodel import func, select

from fulfilment.models import Credit, LedgerEntry, Posting, Task, Withdrawal
from fulfilment.services import payouts
from orders.models import Order
from shop.core import db
from tests.conftest import at_once
from tests.fixtures_fulfilment import (
    deliver_in_window,
    event,
    pay_another,
    pay_order,
    task_of,
    wallet,
)
from tests.fixtures_orders import FakeGateway, order_body, post, run


def trial(client, headers):
    return client.get(
        "/api/v1/ledger/trial-balance", headers=headers("ops@catalogue.test")
    ).get_json()


def test_a_verified_delivery_credits_pending_then_available_when_the_order_completes(
    app, client, shop, crew, rule, paid, clock, headers
):
    deliver_in_window(app, client, headers, paid, clock)
    money = wallet(client, headers)
    # Two bundles, ¥2 each, all to the deliverer (no referrer): ¥4 pending.
    assert money["balances"]["pending"] == 400 and money["balances"]["available"] == 0
    [credit] = money["credits"]
    assert (credit["role"], credit["amount_minor"], credit["status"]) == (
        "deliverer",
        400,
        "pending",
    )
    assert money["lines"][0]["order_id"] == paid["id"] and money["lines"][0]["task_id"]
    assert trial(client, headers)["total_minor"] == 0
    client.post(f"/api/v1/orders/{paid['id']}/complete", headers=shop["headers"])
    money = wallet(client, headers)
    assert (money["balances"]["pending"], money["balances"]["available"]) == (0, 400)
    accounts = {a["account"]: a["balance_minor"] for a in trial(client, headers)["accounts"]}
    assert accounts == {
        "commission_expense": 400,
        "staff_available": -400,
        "staff_pending": 0,
    }


def test_the_credit_job_running_twice_credits_once(app, crew, rule, paid, client, clock, headers):
    from fulfilment import jobs as fulfilment_jobs

    task_id = deliver_in_window(app, client, headers, paid, clock)
    with app.app_context(), db.session_scope() as s:
        s.get(Task, task_id).credited_at = None  # as if the first run's commit was lost…
        s.commit()
    run(app, fulfilment_jobs.credit_task, task_id)
    run(app, fulfilment_jobs.credit_task, task_id)
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(func.count()).select_from(Credit)).one() == 1
        assert s.exec(select(func.count()).select_from(Posting)).one() == 1


def test_a_missed_promise_halves_the_commission(app, client, crew, rule, paid, clock, headers):
    task_id = task_of(app, paid["id"]).id
    h = headers("busy@staff.test")
    event(client, h, task_id, "accepted")
    late = db.aware(paid["window"].due_by) + timedelta(minutes=30)
    clock.set(late)
    event(client, h, task_id, "delivered", confirmation_code=paid["code"])
    assert wallet(client, headers)["credits"][0]["amount_minor"] == 200


def test_the_referring_butler_shares_the_commission(app, client, shop, crew, rule, clock, headers):
    app.extensions["orders.services.gateway"] = FakeGateway()
    body = {**order_body(shop, 1), "referral_code": "E001"}  # the free butler's number
    order_id = post(client, shop, body).get_json()["id"]
    pay_order(app, client, order_id, 3600)
    task = task_of(app, order_id)
    h = headers("busy@staff.test")
    event(client, h, task.id, "accepted")
    with app.app_context(), db.session_scope(write=False) as s:
        code = s.get(Order, order_id).confirmation_code
    event(client, h, task.id, "delivered", confirmation_code=code, early_agreed=True)
    # ¥2 shared 80/20; delivered early with the resident's agreement, every promise kept.
    roles = {c["role"]: c["amount_minor"] for c in wallet(client, headers)["credits"]}
    assert roles == {"deliverer": 160}
    assert {
        c["role"]: c["amount_minor"] for c in wallet(client, headers, "free@staff.test")["credits"]
    } == {"referrer": 40}


def test_a_refund_claws_back_even_after_the_money_was_withdrawn(
    app, client, shop, crew, rule, paid, clock, headers
):
    ordered_at = clock.now
    deliver_in_window(app, client, headers, paid, clock)
    client.post(f"/api/v1/orders/{paid['id']}/complete", headers=shop["headers"])
    butler = {**headers("busy@staff.test"), "Idempotency-Key": "w1"}
    app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"] = 100
    assert (
        client.post(
            "/api/v1/staff/me/withdrawals", headers=butler, json={"amount_minor": 400}
        ).status_code
        == 201
    )
    operator = headers("ops@catalogue.test")
    refund = client.post(
        f"/api/v1/orders/{paid['id']}/refunds", headers=operator, json={"reason": "整单退款"}
    )
    assert refund.status_code == 201
    money = wallet(client, headers)
    assert money["balances"]["available"] == -400  # owes it back
    assert money["balances"]["in_transit"] == 400
    assert money["credits"][0]["status"] == "reversed"
    assert trial(client, headers)["total_minor"] == 0
    # The next delivery repays it first.
    clock.set(ordered_at)  # back before the windows open, to order again
    second = pay_another(app, client, shop)
    task_id = task_of(app, second).id
    h = headers("busy@staff.test")
    event(client, h, task_id, "accepted")
    with app.app_context(), db.session_scope(write=False) as s:
        code = s.get(Order, second).confirmation_code
    event(client, h, task_id, "delivered", confirmation_code=code, early_agreed=True)
    client.post(f"/api/v1/orders/{second}/complete", headers=shop["headers"])
    # ¥2 (one bundle, delivered early as the resident agreed) repays half of the ¥4.
    assert wallet(client, headers)["balances"]["available"] == -200


def test_withdrawals_need_a_minimum_one_at_a_time_and_enough_money(
    app, client, shop, crew, rule, paid, clock, headers
):
    deliver_in_window(app, client, headers, paid, clock)
    client.post(f"/api/v1/orders/{paid['id']}/complete", headers=shop["headers"])
    app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"] = 100
    url = "/api/v1/staff/me/withdrawals"

    def ask(amount, key):
        h = {**headers("busy@staff.test"), "Idempotency-Key": key}
        return client.post(url, headers=h, json={"amount_minor": amount})

    assert ask(50, "a").status_code == 422
    assert ask(500, "b").get_json()["error"]["code"] == "insufficient_balance"
    first = ask(300, "c")
    assert first.status_code == 201
    assert ask(300, "c").get_json()["id"] == first.get_json()["id"]  # a retry: the same one
    assert ask(100, "d").get_json()["error"]["code"] == "withdrawal_pending"
    no_key = client.post(url, headers=headers("busy@staff.test"), json={"amount_minor": 100})
    assert no_key.status_code == 422
    assert client.get("/api/v1/withdrawals", headers=headers("busy@staff.test")).status_code == 403
    assert (
        client.get("/api/v1/ledger/trial-balance", headers=headers("busy@staff.test")).status_code
        == 403
    )


def test_a_double_tap_asks_for_one_withdrawal(app, client, shop, crew, rule, paid, clock, headers):
    """Six requests with one key at once: one withdrawal, and each gets it back.

    On PostgreSQL they used to pass the key check together; the later ones, after waiting for
    the staff member's lock, found the first one pending (409 withdrawal_pending). Now the
    key is checked under the lock.
    """
    deliver_in_window(app, client, headers, paid, clock)
    client.post(f"/api/v1/orders/{paid['id']}/complete", headers=shop["headers"])
    app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"] = 100

    def tap(_i: int) -> int:
        with app.app_context(), db.session_scope() as s:
            row = payouts.request_withdrawal(
                staff_id=crew.busy_butler, amount_minor=300, idempotency_key="tap"
            )
            s.commit()
            return row.id

    answers = at_once(6, tap)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert len(set(answers)) == 1
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(func.count()).select_from(Withdrawal)).one() == 1
        withdrawn = s.exec(select(Posting.idempotency_key).where(Posting.kind == "withdraw")).all()
    assert withdrawn == [f"withdraw:{answers[0]}"]
    assert trial(client, headers)["total_minor"] == 0


def test_approved_withdrawals_are_exported_for_payroll_and_rejected_ones_go_back(
    app, client, shop, crew, rule, paid, clock, headers, tmp_path
):
    deliver_in_window(app, client, headers, paid, clock)
    client.post(f"/api/v1/orders/{paid['id']}/complete", headers=shop["headers"])
    app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"] = 100
    operator = headers("ops@catalogue.test")
    h = {**headers("busy@staff.test"), "Idempotency-Key": "k1"}
    first = client.post(
        "/api/v1/staff/me/withdrawals", headers=h, json={"amount_minor": 150}
    ).get_json()
    rejected = client.post(
        f"/api/v1/withdrawals/{first['id']}/decision",
        headers=operator,
        json={"decision": "reject", "reason": "银行卡信息有误"},
    )
    assert rejected.get_json()["status"] == "rejected"
    assert wallet(client, headers)["balances"]["available"] == 400
    h = {**headers("busy@staff.test"), "Idempotency-Key": "k2"}
    second = client.post(
        "/api/v1/staff/me/withdrawals", headers=h, json={"amount_minor": 250}
    ).get_json()
    client.post(
        f"/api/v1/withdrawals/{second['id']}/decision",
        headers=operator,
        json={"decision": "approve"},
    )
    out = tmp_path / "payouts.csv"
    result = app.test_cli_runner().invoke(args=["payouts", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 payouts" in result.output
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["employee_no"], r["amount_minor"], r["amount"]) for r in rows] == [
        ("E000", "250", "2.50")
    ]
    again = app.test_cli_runner().invoke(args=["payouts", "export", "--out", str(out)])
    assert "No approved withdrawals" in again.output
    money = wallet(client, headers)["balances"]
    assert (money["available"], money["in_transit"], money["paid_out"]) == (150, 0, 250)
    assert trial(client, headers)["total_minor"] == 0


def test_a_rule_changed_after_payment_does_not_change_the_orders_commission(
    app, client, shop, crew, rule, paid, clock, headers
):
    operator = headers("ops@catalogue.test")
    clock.set(clock.now + timedelta(minutes=1))
    newer = client.post(
        "/api/v1/commission-rules",
        headers=operator,
        json={
            "scope": "default",
            "basis": "fixed",
            "amount": 999,
            "split_bp": {"deliverer": 10000},
        },
    )
    assert newer.status_code == 201
    bad = client.post(
        "/api/v1/commission-rules",
        headers=operator,
        json={"scope": "category", "basis": "fixed", "amount": 1, "split_bp": {"deliverer": 1}},
    )
    assert bad.status_code == 422 and "scope_id" in bad.get_json()["error"]["fields"]
    deliver_in_window(app, client, headers, paid, clock)
    assert wallet(client, headers)["credits"][0]["amount_minor"] == 400  # the old rule's ¥2 × 2


def test_the_wallet_page_and_the_monthly_statement(
    app, client, shop, crew, rule, paid, clock, headers
):
    from tests.conftest import web_login

    deliver_in_window(app, client, headers, paid, clock)
    month = db.utcnow().strftime("%Y-%m")
    statement = client.get(
        "/api/v1/staff/me/statements",
        headers=headers("busy@staff.test"),
        query_string={"month": month},
    ).get_json()
    assert statement["earned_minor"] == 400 and statement["closing_minor"] == 400
    web_login(client, "busy@staff.test")
    page = client.get("/staff/wallet").get_data(as_text=True)
    assert "¥4.00" in page and "佣金" in page
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(func.sum(LedgerEntry.amount_minor))).one() == 0


def test_the_operator_pays_staff_from_the_console_without_a_shell(
    app, client, shop, crew, rule, paid, clock, headers
):
    from tests.conftest import csrf_token, web_login

    deliver_in_window(app, client, headers, paid, clock)
    client.post(f"/api/v1/orders/{paid['id']}/complete", headers=shop["headers"])
    app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"] = 100
    h = {**headers("busy@staff.test"), "Idempotency-Key": "c1"}
    asked = client.post("/api/v1/staff/me/withdrawals", headers=h, json={"amount_minor": 300})
    ops = app.test_client()
    web_login(ops, "ops@catalogue.test")
    token = csrf_token(ops, "/console/staff-money")
    ops.post(f"/console/withdrawals/{asked.get_json()['id']}/approve", data={"csrf_token": token})
    made = ops.post("/console/payouts", data={"csrf_token": token})
    page = ops.get(made.headers["Location"]).get_data(as_text=True)
    assert "工资批次" in page or "#1 CSV" in page
    file = ops.get("/console/payouts/1.csv")
    assert file.status_code == 200 and file.get_data().startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(file.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["employee_no"], r["amount"]) for r in rows] == [("E000", "3.00")]
    assert ops.get("/console/payouts/99.csv").status_code == 404
    ops.post("/console/payouts/1/paid", data={"csrf_token": token})
    twice = ops.post("/console/payouts/1/paid", data={"csrf_token": token})
    assert "已标记为已付" in ops.get(twice.headers["Location"]).get_data(as_text=True)
    nothing = ops.post("/console/payouts", data={"csrf_token": token})
    assert "没有待发放" in ops.get(nothing.headers["Location"]).get_data(as_text=True)
    assert wallet(client, headers)["balances"]["paid_out"] == 300
    assert trial(client, headers)["total_minor"] == 0
