"""Forecasts: the pattern classification, each method on series whose answer is known, the
backtest's errors, and properties that hold for any demand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shop.core import forecast as fc

weeks = st.lists(st.integers(min_value=0, max_value=500), min_size=0, max_size=60)


def test_the_patterns_follow_syntetos_boylan_cut_offs():
    assert fc.classify([10, 11, 9, 10, 12, 10, 9, 11]) == fc.SMOOTH
    assert fc.classify([1, 30, 2, 40, 1, 35, 3, 50]) == fc.ERRATIC  # every week, sizes vary
    assert fc.classify([0, 0, 5, 0, 0, 5, 0, 6, 0, 0, 5, 0]) == fc.INTERMITTENT
    assert fc.classify([0, 0, 1, 0, 0, 40, 0, 2, 0, 0, 60, 0]) == fc.LUMPY
    assert fc.classify([5, 6, 5, 7, 6, 5, 0, 0, 0, 0, 0, 0, 0, 0]) == fc.DYING  # two seasons
    assert fc.classify([0, 0, 0]) == fc.EMPTY
    adi, cv2 = fc.adi_cv2([0, 0, 5, 0, 0, 5, 0, 6, 0, 0, 5, 0])
    assert adi == 3.0
    assert cv2 == pytest.approx((np.std([5, 5, 6, 5]) / 5.25) ** 2)  # 0.0068


def test_each_method_on_a_series_whose_answer_is_known():
    y = np.array([0, 0, 4, 0, 0, 4, 0, 0, 4], dtype=float)
    assert fc.croston(y, 2).tolist() == [4 / 3, 4 / 3]  # every third week, four
    assert fc.sba(y, 1, alpha=0.1)[0] == pytest.approx(4 / 3 * 0.95)
    assert fc.ses(np.array([10.0, 10.0, 10.0]), 3).tolist() == [10.0, 10.0, 10.0]
    assert fc.ses(np.array([0.0, 10.0]), 1, alpha=0.5)[0] == 5.0
    assert fc.seasonal_naive(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), 5, season=3).tolist() == [
        4.0,
        5.0,
        6.0,
        4.0,
        5.0,
    ]
    dying = np.array([5.0] * 8 + [0.0] * 12)
    assert fc.tsb(dying, 1)[0] < fc.croston(dying, 1)[0]  # TSB lets a dead item fade
    assert fc.tsb(np.zeros(5), 2).tolist() == [0.0, 0.0]


def test_a_seasonal_series_gets_the_seasonal_naive_forecast():
    y = [10, 40, 10, 40, 10, 40, 10, 40, 10, 40, 10, 40]
    result = fc.forecast(y, horizon=4, season=2)
    assert (result.pattern, result.method) == (fc.SMOOTH, "seasonal_naive")  # CV² 0.36
    assert result.values == (10.0, 40.0, 10.0, 40.0)
    assert result.mase == 0.0
    assert result.wape == 0.0


def test_the_backtest_measures_mase_and_wape_by_rolling_origin():
    y = [2, 4, 2, 4, 2, 4]
    mase, wape = fc.backtest(y, fc.naive, horizon=1, min_train=2)
    # origins 2..5 predict 4, 2, 4, 2 for 2, 4, 2, 4: every error 2; naive's in-sample MAE 2
    assert mase == 1.0
    assert wape == pytest.approx(8 / 12)
    assert fc.backtest([1, 2], fc.naive, min_train=2) == (None, None)


def test_too_little_history_says_so_instead_of_a_figure():
    result = fc.forecast([3, 4, 5])
    assert result.reason == "too little history"
    assert (result.values, result.mase, result.wape, result.n) == ((), None, None, 3)


@settings(max_examples=200, deadline=None)
@given(weeks)
def test_any_demand_gets_a_non_negative_forecast_of_the_asked_length(y):
    result = fc.forecast(y, horizon=3)
    if len(y) < fc.MIN_HISTORY:
        assert result.values == ()
    else:
        assert len(result.values) == 3
        assert all(v >= 0 for v in result.values)
        assert result.mase is None or result.mase >= 0
        assert result.wape is None or result.wape >= 0


@settings(max_examples=200, deadline=None)
@given(weeks, st.integers(min_value=2, max_value=9))
def test_the_pattern_does_not_depend_on_the_unit(y, factor):
    """Counting in boxes of six or in bottles: the same pattern."""
    assert fc.classify(y) == fc.classify([v * factor for v in y])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=100), st.integers(min_value=8, max_value=40))
def test_a_constant_demand_is_forecast_exactly(level, n):
    result = fc.forecast([level] * n)
    assert result.method == "ses"
    assert result.values == (float(level),) * 4
    assert result.wape == 0.0


@settings(max_examples=200, deadline=None)
@given(weeks.filter(lambda y: any(y)), st.floats(min_value=0.01, max_value=0.9))
def test_sba_is_croston_less_its_bias(y, alpha):
    series = np.asarray(y, dtype=float)
    assert fc.sba(series, 1, alpha)[0] == pytest.approx(
        fc.croston(series, 1, alpha)[0] * (1 - alpha / 2)
    )
