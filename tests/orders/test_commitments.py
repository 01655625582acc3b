"""Commitments as pure rules: promised times in the community's hours, and the verdicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orders.rules import Promise, compensation_minor, judge, promises_for

SH = "Asia/Shanghai"
ACCEPT = {
    "kind": "accept",
    "minutes": 30,
    "service_start": "08:00",
    "service_end": "21:00",
    "compensation": {"type": "coupon", "amount_minor": 300},
}
WINDOW = {"kind": "deliver_window", "compensation": {"type": "refund_amount", "amount_minor": 500}}
COMPLETE = {
    "kind": "complete",
    "minutes": 30,
    "compensation": {"type": "refund_percent", "basis_points": 1000},
}
STANDARD = {
    "kind": "standard",
    "checklist": ["厨房", "卫生间"],
    "requires_confirmation": True,
    "compensation": {"type": "refund_amount", "amount_minor": 2000},
}


def at(local: str) -> datetime:
    """A Shanghai wall-clock time as UTC."""
    return (datetime.fromisoformat(local) - timedelta(hours=8)).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("paid", "due"),
    [
        ("2026-11-23 10:00", "2026-11-23 10:30"),  # inside service hours
        ("2026-11-23 20:50", "2026-11-24 08:20"),  # 10 minutes today, 20 tomorrow morning
        ("2026-11-23 23:30", "2026-11-24 08:30"),  # paid at night: counted from opening
        ("2026-11-23 06:00", "2026-11-23 08:30"),  # paid early morning
    ],
)
def test_accept_by_counts_only_service_hours(paid, due):
    [promise] = promises_for(
        [ACCEPT], paid_at=at(paid), window=None, service_minutes=0, timezone=SH
    )
    assert promise.due_by == at(due)


def test_window_and_complete_promises_follow_the_chosen_window():
    window = (at("2026-11-24 14:00"), at("2026-11-24 16:00"))
    deliver, complete = promises_for(
        [WINDOW, COMPLETE],
        paid_at=at("2026-11-23 10:00"),
        window=window,
        service_minutes=120,
        timezone=SH,
    )
    assert (deliver.due_from, deliver.due_by) == window
    assert complete.due_by == at("2026-11-24 16:30")


NOW = at("2026-11-24 18:00")
DELIVER = Promise("deliver_window", at("2026-11-24 14:00"), at("2026-11-24 16:00"), {})


@pytest.mark.parametrize(
    ("actual", "now", "verdict"),
    [
        (at("2026-11-24 15:00"), NOW, "met"),
        (at("2026-11-24 16:00"), NOW, "met"),  # the last minute still counts
        (at("2026-11-24 16:01"), NOW, "missed"),  # late
        (at("2026-11-24 13:30"), NOW, "missed"),  # early is not what was promised either
        (None, at("2026-11-24 15:00"), "pending"),  # still time
        (None, NOW, "missed"),  # the deadline passed with nothing recorded
    ],
)
def test_a_window_promise_is_judged_from_the_recorded_time(actual, now, verdict):
    assert judge(DELIVER, actual_at=actual, now=now) == verdict


@pytest.mark.parametrize(
    ("checked", "confirmed", "verdict"),
    [
        (["厨房", "卫生间"], True, "met"),
        (["厨房", "卫生间"], False, "missed"),  # the resident's confirmation is part of it
        (["厨房"], True, "missed"),
    ],
)
def test_the_standard_needs_the_whole_checklist_and_the_confirmation(checked, confirmed, verdict):
    [standard] = promises_for([STANDARD], paid_at=NOW, window=None, service_minutes=0, timezone=SH)
    assert judge(standard, actual_at=NOW, checked=checked, confirmed=confirmed, now=NOW) == verdict
    assert judge(standard, actual_at=None, now=NOW) == "pending"


@pytest.mark.parametrize(
    ("comp", "total", "pays"),
    [
        ({"type": "refund_amount", "amount_minor": 500}, 3600, 500),
        ({"type": "refund_amount", "amount_minor": 5000}, 3600, 3600),  # never more than paid
        ({"type": "refund_percent", "basis_points": 1000}, 3650, 365),
        ({"type": "refund_percent", "basis_points": 1000}, 3655, 366),  # half up
        ({"type": "coupon", "amount_minor": 300}, 3600, 300),
    ],
)
def test_what_a_missed_promise_pays(comp, total, pays):
    assert compensation_minor(comp, total) == pays
