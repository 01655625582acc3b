"""Calendar months and weeks in a time zone (pure).

Staff statements, supplier settlements and monthly figures all count the same months; the
demand series count weeks from Monday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def month_start(moment: datetime, timezone: str) -> date:
    """The first day of the month `moment` falls in, in `timezone`."""
    local = moment.astimezone(ZoneInfo(timezone))
    return date(local.year, local.month, 1)


def next_month(start: date) -> date:
    """The first day of the following month."""
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def month_end(start: date) -> date:
    """The last day of the month that starts on `start`."""
    return date.fromordinal(next_month(start).toordinal() - 1)


def months_between(first: date, last: date) -> list[date]:
    """Month starts from `first` to `last`, newest first."""
    months, cursor = [], date(first.year, first.month, 1)
    while cursor <= last:
        months.append(cursor)
        cursor = next_month(cursor)
    return months[::-1]


def month_bounds(month: date, timezone: str) -> tuple[datetime, datetime]:
    """The month in `timezone` as instants [start, end)."""
    tz = ZoneInfo(timezone)
    following = next_month(month)
    return (
        datetime(month.year, month.month, 1, tzinfo=tz),
        datetime(following.year, following.month, 1, tzinfo=tz),
    )


def parse_month(text: str | None, *, now: datetime, timezone: str) -> date:
    """The first day of month `YYYY-MM`; the month of `now` if absent or malformed."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return month_start(now, timezone)


def week_start(moment: datetime, timezone: str) -> date:
    """The Monday of the week `moment` falls in, in `timezone` (a weekly series' key)."""
    local = moment.astimezone(ZoneInfo(timezone)).date()
    return local - timedelta(days=local.weekday())
