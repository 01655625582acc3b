"""The probation review job, scorecards written through suppliers.api, settlement statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

import suppliers.api
from shop.core import db, months
from suppliers import rules
from suppliers.jobs import review_probation
from suppliers.models import Supplier, SupplierEvent
from tests.suppliers.conftest import service

GOOD = {
    "orders_count": 40,
    "met_rate_bp": 9600,
    "on_time_rate_bp": 9500,
    "refund_rate_bp": 100,
    "communities_served": 2,
}
BAD = {
    "orders_count": 12,
    "met_rate_bp": 7000,
    "on_time_rate_bp": 7000,
    "refund_rate_bp": 300,
    "communities_served": 1,
}


def _age(app, supplier_id: int, days: int) -> None:
    with app.app_context(), db.session_scope() as s:
        s.get(Supplier, supplier_id).approved_at = db.utcnow() - timedelta(days=days)
        s.commit()


def _status(app, supplier_id: int) -> Supplier:
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(Supplier, supplier_id)


def test_a_supplier_meeting_the_rule_graduates_once(app, make_supplier):
    made = make_supplier(status="approved_probation")
    _age(app, made.id, 20)
    service(app, suppliers.api.update_scorecard, supplier_id=made.id, **GOOD)
    with app.app_context():
        assert review_probation() == {"graduated": 1, "flagged": 0}
        assert review_probation() == {"graduated": 0, "flagged": 0}  # idempotent
    assert _status(app, made.id).status == "active"
    with app.app_context(), db.session_scope(write=False) as s:
        [event] = s.exec(select(SupplierEvent).where(SupplierEvent.action == "graduate")).all()
    assert event.actor_role == "system" and event.actor_id is None


@pytest.mark.parametrize(
    ("days", "card"),
    [(5, GOOD), (20, {**GOOD, "orders_count": 3}), (20, {**GOOD, "refund_rate_bp": 900})],
)
def test_too_new_or_too_weak_stays_on_probation(app, make_supplier, days, card):
    made = make_supplier(status="approved_probation")
    _age(app, made.id, days)
    service(app, suppliers.api.update_scorecard, supplier_id=made.id, **card)
    with app.app_context():
        review_probation()
    assert _status(app, made.id).status == "approved_probation"


def test_a_scorecard_under_the_floor_is_flagged_and_unflagged_when_it_recovers(app, make_supplier):
    made = make_supplier(status="active")
    service(app, suppliers.api.update_scorecard, supplier_id=made.id, **BAD)
    with app.app_context():
        assert review_probation()["flagged"] == 1
    flagged = _status(app, made.id)
    assert flagged.flagged_at is not None and "met rate 70.0%" in flagged.flag_reason
    service(app, suppliers.api.update_scorecard, supplier_id=made.id, **GOOD)
    with app.app_context():
        review_probation()
    assert _status(app, made.id).flagged_at is None


def test_the_review_is_registered_as_a_periodic_job(app):
    from shop.core import jobs

    assert "suppliers.jobs.review_probation" in [p for p, _ in app.extensions["shop.periodic"]]
    sent = jobs.run_due_periodic(app)
    assert "suppliers.jobs.review_probation" in sent
    assert jobs.run_due_periodic(app) == []  # not due again until its interval has passed


@pytest.mark.parametrize(
    ("scores", "weights", "expected"),
    [
        (
            {"community_commitment": 5, "property_experience": 4, "strength_management": 4},
            {"community_commitment": 40, "property_experience": 30, "strength_management": 30},
            440,
        ),
        (
            {"community_commitment": 3, "property_experience": 3, "strength_management": 4},
            {"community_commitment": 1, "property_experience": 1, "strength_management": 1},
            333,
        ),
        (
            {"community_commitment": 1, "property_experience": 1, "strength_management": 2},
            {"community_commitment": 0, "property_experience": 1, "strength_management": 2},
            167,
        ),
    ],
)
def test_the_weighted_score_in_hundredths(scores, weights, expected):
    assert rules.weighted_score(scores, weights) == expected


@pytest.mark.parametrize(
    ("moment", "start", "end"),
    [
        (datetime(2026, 1, 31, 16, 30, tzinfo=UTC), "2026-02-01", "2026-02-28"),  # Shanghai: Feb 1
        (datetime(2026, 12, 31, 15, 59, tzinfo=UTC), "2026-12-01", "2026-12-31"),
        (datetime(2028, 2, 10, tzinfo=UTC), "2028-02-01", "2028-02-29"),
    ],
)
def test_settlement_periods_are_months_in_the_platform_time_zone(moment, start, end):
    first = months.month_start(moment, "Asia/Shanghai")
    assert (first.isoformat(), months.month_end(first).isoformat()) == (start, end)


def test_statements_list_every_month_and_sum_their_lines_once(app, client, make_supplier, headers):
    made = make_supplier(status="active")
    now = db.utcnow()
    for _ in range(2):  # the same reference twice is owed once
        service(
            app,
            suppliers.api.record_settlement,
            supplier_id=made.id,
            reference="order-line:1",
            amount_minor=4200,
            description="景田纯净水 ×2",
            at=now,
        )
    service(
        app,
        suppliers.api.record_settlement,
        supplier_id=made.id,
        reference="refund:1",
        amount_minor=-1500,
        description="退款",
        at=now,
    )
    rows = client.get(
        f"/api/v1/suppliers/{made.id}/statements", headers=headers(made.email)
    ).get_json()["items"]
    assert rows[0]["status"] == "open" and rows[0]["lines"] == 2
    assert rows[0]["total"] == {"amount_minor": 2700, "currency": "CNY"}
    lines = client.get(
        f"/api/v1/suppliers/{made.id}/statements/{rows[0]['period_start']}/lines",
        headers=headers(made.email),
    ).get_json()["items"]
    assert [ln["amount"]["amount_minor"] for ln in lines] == [4200, -1500]


def test_a_new_supplier_has_an_empty_open_statement(client, make_supplier, headers):
    made = make_supplier(status="submitted")
    [row] = client.get(
        f"/api/v1/suppliers/{made.id}/statements", headers=headers(made.email)
    ).get_json()["items"]
    assert row["lines"] == 0 and row["total"]["amount_minor"] == 0


def test_a_90_day_defect_rate_over_the_floor_flags_and_over_the_rule_holds_back():
    card = rules.Card(40, 9600, 9500, 100, 30, defect_rate_bp=2100)
    assert rules.below_floor(card, rules.Floor()) == "90-day defect rate 21.0% > 20.0%"
    assert not rules.graduates(rules.Card(40, 9600, 9500, 100, 30, 1100), rules.GraduationRule())
    assert rules.graduates(rules.Card(40, 9600, 9500, 100, 30, 900), rules.GraduationRule())
    unmeasured = rules.Card(40, 9600, 9500, 100, 30)  # no snapshot yet: the rest decide
    assert rules.below_floor(unmeasured, rules.Floor()) is None
    assert rules.graduates(unmeasured, rules.GraduationRule())
