"""The operator pays a closed statement once; 'settlement paid on time' counts those payments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

import suppliers.api
from shop.core import db, months
from suppliers.models import SettlementPayment, Supplier
from suppliers.services import measures as supplier_measures
from tests.conftest import csrf_token, web_login
from tests.suppliers.conftest import service

OPS = "ops@pay.test"


@pytest.fixture
def owed(app, make_supplier, make_user):
    """A supplier approved four months ago, owed ¥50 last month, nothing (net) the month before,
    and ¥12 in the running month."""
    make_user("operator", email=OPS)
    made = make_supplier(status="active")
    now = db.utcnow()
    this = months.month_start(now, app.config["TIMEZONE"])
    last = (this - timedelta(days=1)).replace(day=1)
    before = (last - timedelta(days=1)).replace(day=1)
    with app.app_context(), db.session_scope() as s:
        s.get(Supplier, made.id).approved_at = now - timedelta(days=120)
        s.commit()
    for ref, amount, at in (
        ("order-line:1", 5000, _noon(last)),
        ("order-line:2", 800, _noon(before)),
        ("order-line:2-refund", -800, _noon(before)),
        ("order-line:3", 1200, now),
    ):
        service(
            app,
            suppliers.api.record_settlement,
            supplier_id=made.id,
            reference=ref,
            amount_minor=amount,
            description="桶装水",
            at=at,
        )
    return made, this, last, before


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, 15, 4, tzinfo=UTC)


def _payments(app) -> int:
    with app.app_context(), db.session_scope(write=False) as s:
        return s.exec(select(func.count()).select_from(SettlementPayment)).one()


def test_the_operator_pays_a_closed_statement_once(app, client, owed, headers):
    made, this, last, before = owed
    base = f"/api/v1/suppliers/{made.id}/statements"
    paid = client.post(
        f"{base}/{last.isoformat()}/payment", headers=headers(OPS), json={"bank_reference": "B1"}
    )
    assert paid.status_code == 201, paid.get_json()
    body = paid.get_json()
    assert body["paid_at"] and body["bank_reference"] == "B1"
    assert body["total"]["amount_minor"] == 5000
    assert body["due_on"] == (months.month_end(last) + timedelta(days=10)).isoformat()
    again = client.post(
        f"{base}/{last.isoformat()}/payment", headers=headers(OPS), json={"bank_reference": "B2"}
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "statement_paid"
    for period in (this, before):  # running; owes nothing
        refused = client.post(
            f"{base}/{period.isoformat()}/payment",
            headers=headers(OPS),
            json={"bank_reference": "B3"},
        )
        assert refused.status_code == 409, period
        assert refused.get_json()["error"]["code"] == "statement_open"
    bad = client.post(
        f"{base}/{before.isoformat()}/payment", headers=headers(OPS), json={"bank_reference": ""}
    )
    assert bad.status_code == 422 and "bank_reference" in bad.get_json()["error"]["fields"]
    assert (
        client.post(
            f"{base}/2026-13-01/payment", headers=headers(OPS), json={"bank_reference": "B4"}
        ).status_code
        == 404
    )
    member = client.post(
        f"{base}/{last.isoformat()}/payment",
        headers=headers(made.email),
        json={"bank_reference": "B5"},
    )
    assert member.status_code == 403  # a supplier does not mark itself paid
    assert _payments(app) == 1
    rows = client.get(base, headers=headers(made.email)).get_json()["items"]
    assert [r["bank_reference"] for r in rows if r["paid_at"]] == ["B1"]  # it sees the payment


def test_the_operators_supplier_page_marks_a_statement_paid(app, client, owed):
    made, _this, last, _before = owed
    web_login(client, OPS)
    page = client.get(f"/console/suppliers/{made.id}").get_data(as_text=True)
    assert "¥50.00" in page and f"/statements/{last.isoformat()}/payment" in page
    done = client.post(
        f"/console/suppliers/{made.id}/statements/{last.isoformat()}/payment",
        data={"bank_reference": "工行 0001", "csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "工行 0001" in done.get_data(as_text=True)
    assert _payments(app) == 1


def test_settlement_on_time_counts_the_statements_due_in_the_month(app, make_supplier, make_user):
    """September's statements fall due on 10 October (Shanghai): paid at 23:00 on the 10th is
    on time, at 01:00 on the 11th late, never paid late; a statement owing nothing is left out."""
    ops = make_user("operator", email=OPS)
    september, october = date(2026, 9, 1), date(2026, 10, 1)
    ids = [make_supplier(status="active").id for _ in range(4)]
    on_time, late, unpaid, nothing = ids
    with app.app_context(), db.session_scope() as s:
        for sid in ids:
            suppliers.api.record_settlement(
                supplier_id=sid,
                reference="l1",
                amount_minor=0 if sid == nothing else 3000,
                description="水",
                at=_noon(september),
            )
        for sid, paid_at in (
            (on_time, datetime(2026, 10, 10, 15, tzinfo=UTC)),
            (late, datetime(2026, 10, 10, 17, tzinfo=UTC)),
        ):
            s.add(
                SettlementPayment(
                    supplier_id=sid,
                    period_start=september,
                    amount_minor=3000,
                    bank_reference="x",
                    paid_by=ops,
                    paid_at=paid_at,
                )
            )
        s.commit()
        start, end = months.month_bounds(october, app.config["TIMEZONE"])
        found = {
            (f.scope, f.scope_id): (f.value, f.n)
            for f in supplier_measures.measure(october, start, end)
            if f.measure == "suppliers.settlement_on_time"
        }
    assert found == {
        ("supplier", on_time): (10_000, 1),
        ("supplier", late): (0, 1),
        ("supplier", unpaid): (0, 1),
        ("platform", 0): (3_333, 3),
    }


def test_vetting_lead_time_is_the_median_of_the_months_approvals_in_days(app, make_supplier):
    """Approved in October after 3, 9 and 20 days: the median is 9; one approved in September
    is left out; the figure reads '9 天'."""
    from shop.console import dashboards
    from shop.core import measures

    made = [make_supplier(status="active").id for _ in range(4)]
    approved = datetime(2026, 10, 15, 4, tzinfo=UTC)
    with app.app_context(), db.session_scope() as s:
        for sid, days, at in zip(
            made, (3, 9, 20, 1), (approved,) * 3 + (datetime(2026, 9, 20, tzinfo=UTC),), strict=True
        ):
            row = s.get(Supplier, sid)
            row.created_at, row.approved_at = at - timedelta(days=days, hours=2), at
        s.commit()
        start, end = months.month_bounds(date(2026, 10, 1), app.config["TIMEZONE"])
        (figure,) = (
            f
            for f in supplier_measures.measure(date(2026, 10, 1), start, end)
            if f.measure == "platform.vetting_days"
        )
    assert (figure.value, figure.n) == (9, 3)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        lead = next(m for m in measures.of_party("platform") if m.key == "platform.vetting_days")
        assert dashboards.text(lead, 9) == "9 天"
