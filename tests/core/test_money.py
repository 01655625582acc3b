"""Money in integer minor units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.core.money import Money, parse_major, percent_of


@pytest.mark.parametrize(
    ("minor", "text"),
    [
        (0, "¥0.00"),
        (5, "¥0.05"),
        (12_800, "¥128.00"),
        (123_456_789, "¥1,234,567.89"),
        (-500, "-¥5.00"),
    ],
)
def test_money_formats_fen_as_yuan(minor, text):
    assert Money(minor, "CNY").format() == text


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot mix"):
        Money(100, "CNY") + Money(100, "USD")


@given(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9))
def test_adding_then_subtracting_gives_back_the_amount(a, b):
    assert (Money(a) + Money(b) - Money(b)) == Money(a)


@pytest.mark.parametrize(
    ("amount", "bp", "expected"),
    [
        (10_000, 500, 500),
        (999, 5_000, 500),
        (1, 4_999, 0),
        (1, 5_000, 1),
        (12_800, 0, 0),
    ],
)
def test_percent_of_rounds_half_up(amount, bp, expected):
    assert percent_of(amount, bp) == expected


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.05", 1205),
        (" 0.01 ", 1),
        ("12.345", None),
        ("-5", None),
        ("1e3", None),
        ("", None),
        ("12.", None),
    ],
)
def test_amounts_typed_in_yuan(text, minor):
    assert parse_major(text) == minor


def test_money_is_typed_in_yuan_and_converted_once():
    from shop.core.money import minor_from_yuan, yuan_text

    form = {"price": "39.9", "care_price": "abc", "title": "水", "stock": "5"}
    wrong = minor_from_yuan(form, {"price_minor", "care_price_minor", "title", "stock"})
    assert form == {"price_minor": 3990, "care_price_minor": "abc", "title": "水", "stock": "5"}
    assert wrong == {"care_price": "abc"}
    assert [yuan_text(v) for v in (3990, 5, 0, -150, None, "x")] == [
        "39.90",
        "0.05",
        "0.00",
        "-1.50",
        "",
        "x",
    ]
