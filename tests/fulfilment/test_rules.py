"""Commission rules as pure arithmetic: which rule, how much, and a split that loses no fen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulfilment.rules import Rule, commission_total, pick_rule, split

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def rule(id_, scope, scope_id=None, *, basis="fixed", amount=200, days=0, missed=5000):
    split_bp = {"deliverer": 8000, "referrer": 2000}
    return Rule(id_, scope, scope_id, basis, amount, split_bp, missed, T0 + timedelta(days=days))


RULES = [
    rule(1, "default"),
    rule(2, "category", 7, amount=300),
    rule(3, "bundle", 42, amount=500),
    rule(4, "default", days=10, amount=250),  # a later version of the default
]


@pytest.mark.parametrize(
    ("bundle", "category", "paid_days", "expected"),
    [
        (42, 7, 1, 3),  # the bundle's own rule beats its category's
        (41, 7, 1, 2),  # the category's beats the default
        (41, 8, 1, 1),  # the default in force then
        (41, 8, 11, 4),  # the newer default for orders paid after it
        (42, 7, -1, None),  # nothing was in force yet
    ],
)
def test_the_most_specific_rule_in_force_at_payment_applies(bundle, category, paid_days, expected):
    found = pick_rule(
        RULES, bundle_id=bundle, category_id=category, paid_at=T0 + timedelta(days=paid_days)
    )
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    ("basis", "amount", "pieces", "margin", "missed", "total"),
    [
        ("fixed", 200, 3, 0, False, 600),
        ("fixed", 200, 3, 0, True, 300),  # half when a promise was missed
        ("margin_bp", 1000, 1, 4550, False, 455),
        ("margin_bp", 1000, 1, 4555, False, 456),  # half up
        ("margin_bp", 1000, 1, -300, False, 0),  # a loss earns nothing, never negative
    ],
)
def test_what_a_task_earns(basis, amount, pieces, margin, missed, total):
    r = rule(9, "default", basis=basis, amount=amount)
    assert commission_total(r, pieces=pieces, margin_minor=margin, missed=missed) == total


def test_the_split_goes_to_the_roles_present():
    shares = {"deliverer": 8000, "referrer": 2000}
    assert split(500, shares, ["deliverer", "referrer"]) == {"deliverer": 400, "referrer": 100}
    assert split(500, shares, ["deliverer"]) == {"deliverer": 500}  # no referrer: all of it
    assert split(500, shares, ["performer"]) == {}  # nobody with a share
    assert split(1, shares, ["deliverer", "referrer"]) == {"deliverer": 1}


@given(
    total=st.integers(min_value=0, max_value=10**9),
    shares=st.dictionaries(
        st.sampled_from(["deliverer", "performer", "referrer"]),
        st.integers(min_value=0, max_value=10_000),
    ),
    present=st.lists(
        st.sampled_from(["deliverer", "performer", "referrer"]), unique=True, max_size=3
    ),
)
def test_a_split_adds_up_to_the_total_and_pays_only_roles_present(total, shares, present):
    parts = split(total, shares, present)
    assert set(parts) <= set(present)
    assert all(v > 0 for v in parts.values())
    weighted = any(shares.get(r, 0) > 0 for r in present)
    assert sum(parts.values()) == (total if weighted else 0)
