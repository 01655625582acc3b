"""Pure rules: derived figures, segment visibility, commitment policies in plain words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from suppliers.catalogue import rules
from suppliers.catalogue.rules import Line
from suppliers.catalogue.services import policies

WATER = Line(quantity=2, settlement_price_minor=1500, list_price_minor=1900, stock=7)
RICE = Line(quantity=1, settlement_price_minor=4000, list_price_minor=4500, stock=20)
CLEAN = Line(quantity=1, settlement_price_minor=9000, list_price_minor=11900, stock=None)


@pytest.mark.parametrize(
    ("lines", "price", "settlement", "margin", "saving", "available"),
    [
        ([WATER], 3600, 3000, 600, 200, 3),
        ([WATER, RICE], 8000, 7000, 1000, 300, 3),
        ([RICE], 4800, 4000, 800, -300, 20),
        ([CLEAN], 11000, 9000, 2000, 900, None),
        ([WATER, CLEAN], 14000, 12000, 2000, 1700, 3),
        ([Line(3, 100, 150, 2)], 400, 300, 100, 50, 0),
    ],
)
def test_derived_figures(lines, price, settlement, margin, saving, available):
    assert rules.settlement_total(lines) == settlement
    assert rules.margin(price, lines) == margin
    assert rules.saving_vs_components(price, lines) == saving
    assert rules.available(lines) == available


@pytest.mark.parametrize(
    ("price", "reference", "saving"), [(3600, 3990, 390), (3600, None, None), (4000, 3900, -100)]
)
def test_saving_against_the_reference_price(price, reference, saving):
    assert rules.saving_vs_reference(price, reference) == saving


@given(
    st.lists(
        st.tuples(st.integers(1, 9), st.integers(0, 10_000), st.integers(0, 500)),
        min_size=1,
        max_size=5,
    )
)
def test_available_bundles_never_need_more_stock_than_there_is(raw):
    lines = [Line(q, 1, 1, stock) for q, stock, _ in raw]
    n = rules.available(lines)
    assert all(n * line.quantity <= line.stock for line in lines)
    assert any((n + 1) * line.quantity > line.stock for line in lines)


OPEN_ALL = {"premium", "care"}


@pytest.mark.parametrize(
    ("bundle", "viewer", "opened", "visible"),
    [
        (["mass"], None, set(), True),
        (["mass"], "mass", set(), True),
        (["mass"], "premium", set(), True),
        (["mass"], "care", set(), True),
        (["premium"], "premium", set(), False),  # premium not opened yet
        (["premium"], "premium", OPEN_ALL, True),
        (["premium"], "mass", OPEN_ALL, True),
        (["premium"], "care", OPEN_ALL, False),
        (["premium"], None, OPEN_ALL, True),  # a visitor counts as mass
        (["care"], "care", set(), False),  # care not opened yet
        (["care"], "care", OPEN_ALL, True),
        (["care"], "mass", OPEN_ALL, False),
        (["care"], "premium", OPEN_ALL, False),
        (["mass", "care"], "care", OPEN_ALL, True),
    ],
)
def test_who_sees_which_bundle(bundle, viewer, opened, visible):
    assert rules.is_visible(bundle, viewer, opened) is visible


@pytest.mark.parametrize(
    ("viewer", "opened", "price"),
    [
        ("care", {"care"}, 3300),
        ("care", set(), 3600),
        ("mass", {"care"}, 3600),
        (None, {"care"}, 3600),
        ("premium", OPEN_ALL, 3600),
    ],
)
def test_care_residents_pay_the_care_price_once_care_is_open(viewer, opened, price):
    assert rules.unit_price(3600, 3300, viewer, opened) == price
    assert rules.unit_price(3600, None, viewer, opened) == 3600


GOOD = {
    "name": "上门",
    "nodes": [
        {
            "kind": "accept",
            "minutes": 30,
            "service_start": "08:00",
            "service_end": "21:00",
            "compensation": {"type": "coupon", "amount_minor": 300},
        },
        {"kind": "arrive_window", "compensation": {"type": "refund_amount", "amount_minor": 1000}},
        {
            "kind": "complete",
            "minutes": 30,
            "compensation": {"type": "refund_percent", "basis_points": 1000},
        },
        {
            "kind": "standard",
            "checklist": ["清洁到位"],
            "requires_confirmation": True,
            "compensation": {"type": "refund_amount", "amount_minor": 500},
        },
    ],
}


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        (
            {"nodes": [{"kind": "accept", "compensation": {"type": "coupon", "amount_minor": 1}}]},
            "minutes",
        ),
        (
            {
                "nodes": [
                    {"kind": "standard", "compensation": {"type": "coupon", "amount_minor": 1}}
                ]
            },
            "checklist",
        ),
        (
            {"nodes": [{"kind": "deliver_window", "compensation": {"type": "refund_percent"}}]},
            "basis_points",
        ),
        (
            {
                "nodes": [
                    {
                        "kind": "deliver_window",
                        "compensation": {"type": "coupon", "amount_minor": 1},
                    },
                    {
                        "kind": "arrive_window",
                        "compensation": {"type": "coupon", "amount_minor": 1},
                    },
                ]
            },
            "nodes",
        ),
        (
            {
                "nodes": [
                    {"kind": "teleport", "compensation": {"type": "coupon", "amount_minor": 1}}
                ]
            },
            "kind",
        ),
    ],
)
def test_broken_policies_are_refused_by_field(broken, field):
    with pytest.raises(ValidationError) as refused:
        policies.PolicySchema().load({"name": "x", **broken})
    assert field in str(refused.value.messages)


def test_a_policy_reads_as_plain_chinese_and_english(app):
    nodes = policies.PolicySchema().load(GOOD)["nodes"]
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        zh = policies.describe_all(nodes)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        en = policies.describe_all(nodes)
    assert zh[1] == "上门时间：您选择的时段内；超时赔付 ¥10.00"
    assert "30 分钟" in zh[0] and "08:00–21:00" in zh[0]
    assert "退还订单金额的 10%" in zh[2]
    assert en[1] == "We arrive within the time window you choose; if late: refund ¥10.00"
