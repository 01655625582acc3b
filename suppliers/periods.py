"""Settlement periods: calendar months in the platform's time zone (pure)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def period_start(moment: datetime, timezone: str) -> date:
    """The first day of the month `moment` falls in, in `timezone`."""
    local = moment.astimezone(ZoneInfo(timezone))
    return date(local.year, local.month, 1)


def next_period(start: date) -> date:
    """The first day of the following month."""
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def period_end(start: date) -> date:
    """The last day of the month that starts on `start`."""
    return date.fromordinal(next_period(start).toordinal() - 1)


def periods_between(first: date, last: date) -> list[date]:
    """Month starts from `first` to `last`, newest first."""
    months, cursor = [], date(first.year, first.month, 1)
    while cursor <= last:
        months.append(cursor)
        cursor = next_period(cursor)
    return months[::-1]
