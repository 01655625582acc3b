"""Demand forecasts for weekly series (pure numpy): the pattern, the method, its measured error.

A series is classified by its demand pattern (Syntetos–Boylan: the average demand interval ADI
and the squared coefficient of variation CV² of the non-zero sizes, cut at 1.32 and 0.49), and
forecast by the method that suits it:

* smooth or erratic: simple exponential smoothing, or the seasonal naive forecast when the
  series repeats itself every `season` weeks;
* intermittent: SBA (Croston's method with the Syntetos–Boylan bias correction);
* lumpy, or dying out (silent for two seasons and three times its usual interval): TSB
  (Teunter–Syntetos–Babai), which lets the demand probability fall between demands.

Every forecast carries its error from a rolling-origin backtest: MASE (mean absolute error over
that of the one-step naive forecast in the training data) and WAPE (absolute errors over the
actual demand). A series with too little history gets no figure, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

ADI_CUT = 1.32
CV2_CUT = 0.49
#: Weeks of history a forecast needs: less, and the result says "too little history".
MIN_HISTORY = 8
SMOOTH, ERRATIC, INTERMITTENT, LUMPY, DYING, EMPTY = (
    "smooth",
    "erratic",
    "intermittent",
    "lumpy",
    "dying",
    "empty",
)

Method = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Forecast:
    """The next weeks of one series, the method that made them and how wrong it was before."""

    pattern: str
    method: str
    values: tuple[float, ...]
    #: Weeks of history the forecast stands on.
    n: int
    #: Backtest errors; None when the history is too short to measure (see `reason`).
    mase: float | None
    wape: float | None
    #: Why there is no figure ("too little history"), else "".
    reason: str = ""


def adi_cv2(y: Sequence[float]) -> tuple[float, float]:
    """The average interval between demands and the squared CV of the non-zero sizes."""
    series = np.asarray(y, dtype=float)
    sizes = series[series > 0]
    if sizes.size == 0:
        return float("inf"), 0.0
    adi = series.size / sizes.size
    mean = sizes.mean()
    cv2 = float((sizes.std() / mean) ** 2) if sizes.size > 1 else 0.0
    return float(adi), cv2


def classify(y: Sequence[float], *, season: int = 4) -> str:
    """The demand pattern: smooth, erratic, intermittent, lumpy, dying or empty."""
    series = np.asarray(y, dtype=float)
    if not (series > 0).any():
        return EMPTY
    adi, cv2 = adi_cv2(series)
    if _silent_weeks(series) >= max(2 * season, 3 * _mean_interval(series)):
        return DYING
    if adi < ADI_CUT:
        return SMOOTH if cv2 < CV2_CUT else ERRATIC
    return INTERMITTENT if cv2 < CV2_CUT else LUMPY


def _silent_weeks(series: np.ndarray) -> int:
    """How many weeks have passed since the last demand."""
    demand = np.flatnonzero(series > 0)
    return int(series.size - 1 - demand[-1]) if demand.size else int(series.size)


def _mean_interval(series: np.ndarray) -> float:
    """The mean number of weeks between demands (1 when there was a single demand)."""
    demand = np.flatnonzero(series > 0)
    return float(np.diff(demand).mean()) if demand.size > 1 else 1.0


def naive(y: np.ndarray, h: int) -> np.ndarray:
    """The last value, repeated."""
    return np.full(h, float(y[-1]))


def seasonal_naive(y: np.ndarray, h: int, season: int = 4) -> np.ndarray:
    """The value of the same week one season ago (the naive forecast when shorter)."""
    if y.size < season:
        return naive(y, h)
    last = y[-season:]
    return np.array([last[i % season] for i in range(h)], dtype=float)


def ses(y: np.ndarray, h: int, alpha: float = 0.2) -> np.ndarray:
    """Simple exponential smoothing, started at the first value: a flat forecast."""
    level = float(y[0])
    for value in y[1:]:
        level += alpha * (float(value) - level)
    return np.full(h, level)


def croston(y: np.ndarray, h: int, alpha: float = 0.1, *, debias: bool = False) -> np.ndarray:
    """Croston's method: smoothed sizes over smoothed intervals; `debias` gives SBA."""
    demand = np.flatnonzero(y > 0)
    if demand.size == 0:
        return np.zeros(h)
    size, interval = float(y[demand[0]]), float(demand[0] + 1)
    for previous, index in pairwise(demand):
        size += alpha * (float(y[index]) - size)
        interval += alpha * (float(index - previous) - interval)
    rate = size / interval * ((1 - alpha / 2) if debias else 1.0)
    return np.full(h, rate)


def sba(y: np.ndarray, h: int, alpha: float = 0.1) -> np.ndarray:
    """Syntetos–Boylan approximation: Croston's rate times (1 − α/2)."""
    return croston(y, h, alpha, debias=True)


def tsb(y: np.ndarray, h: int, alpha: float = 0.1, beta: float = 0.1) -> np.ndarray:
    """Teunter–Syntetos–Babai: the demand probability times the demand size.

    The probability is smoothed every week (by `beta`), the size on demand weeks (by `alpha`).
    """
    sizes = y[y > 0]
    if sizes.size == 0:
        return np.zeros(h)
    probability = ses((y > 0).astype(float), 1, beta)[0]
    return np.full(h, probability * ses(sizes, 1, alpha)[0])


def is_seasonal(y: np.ndarray, season: int) -> bool:
    """Whether the series repeats every `season` weeks (autocorrelation at that lag ≥ 0.5)."""
    if season < 2 or y.size < 2 * season + 2:
        return False
    centred = y - y.mean()
    denominator = float((centred**2).sum())
    if denominator == 0:
        return False
    return float((centred[season:] * centred[:-season]).sum()) / denominator >= 0.5


def method_for(pattern: str, y: np.ndarray, season: int = 4) -> tuple[str, Method]:
    """The method a pattern calls for, by name."""
    if pattern in (SMOOTH, ERRATIC):
        if is_seasonal(y, season):
            return "seasonal_naive", lambda s, h: seasonal_naive(s, h, season)
        return "ses", ses
    if pattern == INTERMITTENT:
        return "sba", sba
    if pattern in (LUMPY, DYING):
        return "tsb", tsb
    return "zero", lambda _s, h: np.zeros(h)


def backtest(
    y: Sequence[float], method: Method, *, horizon: int = 1, min_train: int = MIN_HISTORY
) -> tuple[float | None, float | None]:
    """Rolling-origin errors of `method`: (MASE, WAPE) over every origin from `min_train` on.

    MASE divides the mean absolute error by the in-sample one-step naive error of the whole
    history (None when that is zero, as for a constant series the naive forecast gets right);
    WAPE divides the absolute errors by the actual demand (None when there was none).
    """
    series = np.asarray(y, dtype=float)
    errors, actuals = [], []
    for origin in range(min_train, series.size - horizon + 1):
        predicted = method(series[:origin], horizon)
        actual = series[origin : origin + horizon]
        errors.append(np.abs(actual - predicted))
        actuals.append(actual)
    if not errors:
        return None, None
    error = np.concatenate(errors)
    actual = np.concatenate(actuals)
    scale = float(np.abs(np.diff(series)).mean()) if series.size > 1 else 0.0
    mase = float(error.mean() / scale) if scale > 0 else (0.0 if error.sum() == 0 else None)
    wape = float(error.sum() / actual.sum()) if actual.sum() > 0 else None
    return mase, wape


def forecast(y: Sequence[float], *, horizon: int = 4, season: int = 4) -> Forecast:
    """The next `horizon` weeks of a weekly series, with its pattern, method and errors."""
    series = np.asarray(y, dtype=float)
    if series.size < MIN_HISTORY:
        return Forecast(
            pattern=classify(series, season=season) if series.size else EMPTY,
            method="",
            values=(),
            n=int(series.size),
            mase=None,
            wape=None,
            reason="too little history",
        )
    pattern = classify(series, season=season)
    name, method = method_for(pattern, series, season)
    values = np.clip(method(series, horizon), 0.0, None)
    mase, wape = backtest(series, method, horizon=1, min_train=max(MIN_HISTORY // 2, season))
    return Forecast(
        pattern=pattern,
        method=name,
        values=tuple(round(float(v), 3) for v in values),
        n=int(series.size),
        mase=None if mase is None else round(mase, 3),
        wape=None if wape is None else round(wape, 3),
    )
