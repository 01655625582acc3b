"""The weekly demand series of each compound and their forecasts, rebuilt by a job.

A series is an item's (pieces of delivered orders) or a category's (pieces of its bundles
delivered, plus what open demand requests in it asked for that week), per compound and week
(from Monday, in the platform's time zone). The job rebuilds the last year of complete weeks
and forecasts the next four of every series (`shop.core.forecast`): re-running it gives the
same rows, so it may run twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlmodel import delete, select

import suppliers.catalogue.api as catalogue
from orders.models import (
    Demand,
    DemandForecast,
    DemandRequest,
    DemandWeek,
    Order,
    OrderComponent,
    OrderLine,
)
from shop.core import db, forecast, months

HISTORY_WEEKS = 52
HORIZON = 4
#: Orders whose pieces count as delivered demand.
COUNTED = ("delivered", "completed", "partially_refunded")

Key = tuple[int, str, date]


def _weeks(now: datetime) -> tuple[date, date, datetime]:
    """The first week of the history, this (incomplete) week, and the history's first instant."""
    timezone = current_app.config["TIMEZONE"]
    this_week = months.week_start(now, timezone)
    first = this_week - timedelta(weeks=HISTORY_WEEKS)
    return first, this_week, datetime.combine(first, time(), ZoneInfo(timezone))


def _delivered(since: datetime, counts: dict[Key, list[int]]) -> None:
    """Pieces of delivered orders, by item and by category, per compound and week."""
    timezone = current_app.config["TIMEZONE"]
    s = db.session()
    items = s.exec(
        select(
            Order.community_id, Order.delivered_at, OrderComponent.item_id, OrderComponent.quantity
        )
        .join(Order, Order.id == OrderComponent.order_id)
        .where(Order.delivered_at >= since, Order.status.in_(COUNTED))
    )
    for community_id, at, item_id, quantity in items:
        counts[(community_id, f"item:{item_id}", months.week_start(db.aware(at), timezone))][0] += (
            quantity
        )
    lines = s.exec(
        select(Order.community_id, Order.delivered_at, OrderLine.bundle_id, OrderLine.quantity)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.delivered_at >= since, Order.status.in_(COUNTED))
    ).all()
    category_of = catalogue.categories_of(sorted({bundle_id for _c, _a, bundle_id, _q in lines}))
    for community_id, at, bundle_id, quantity in lines:
        if bundle_id in category_of:
            week = months.week_start(db.aware(at), timezone)
            counts[(community_id, f"category:{category_of[bundle_id]}", week)][0] += quantity


def _asked(since: datetime, counts: dict[Key, list[int]]) -> None:
    """Pieces open demand requests asked for, by category, per compound and week."""
    timezone = current_app.config["TIMEZONE"]
    rows = db.session().exec(
        select(
            Demand.community_id,
            Demand.category_id,
            DemandRequest.created_at,
            DemandRequest.quantity,
        )
        .join(Demand, Demand.id == DemandRequest.demand_id)
        .where(
            Demand.status == "open",
            Demand.category_id.is_not(None),
            DemandRequest.created_at >= since,
        )
    )
    for community_id, category_id, at, quantity in rows:
        week = months.week_start(db.aware(at), timezone)
        counts[(community_id, f"category:{category_id}", week)][1] += quantity


def refresh(now: datetime | None = None) -> int:
    """Rebuild the series of the last year's complete weeks and their forecasts; how many."""
    first, this_week, since = _weeks(now or db.utcnow())
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    _delivered(since, counts)
    _asked(since, counts)
    s = db.session()
    db.serialize("orders.forecasts.refresh")  # a second run at once waits, then replaces
    s.exec(delete(DemandWeek))
    s.exec(delete(DemandForecast))
    series: dict[tuple[int, str], dict[date, int]] = defaultdict(dict)
    for (community_id, name, week), (delivered, asked) in sorted(counts.items()):
        if first <= week < this_week:
            s.add(
                DemandWeek(
                    community_id=community_id,
                    series=name,
                    week=week,
                    delivered=delivered,
                    asked=asked,
                )
            )
            series[(community_id, name)][week] = delivered + asked
    for (community_id, name), by_week in sorted(series.items()):
        s.add(_forecast(community_id, name, by_week, this_week))
    s.flush()
    return len(series)


def _forecast(
    community_id: int, name: str, by_week: dict[date, int], this_week: date
) -> DemandForecast:
    """A series' forecast from its first week with demand to last week (zeros in between)."""
    start = min(by_week)
    weeks = (this_week - start).days // 7
    values = [by_week.get(start + timedelta(weeks=i), 0) for i in range(weeks)]
    result = forecast.forecast(values, horizon=HORIZON)
    return DemandForecast(
        community_id=community_id,
        series=name,
        weeks=result.n,
        pattern=result.pattern,
        method=result.method,
        values=list(result.values),
        mase=result.mase,
        wape=result.wape,
        reason=result.reason,
    )
