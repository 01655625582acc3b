"""The platform operator's measure of vetting: how long a supplier waits to be approved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import select

from shop.core import db
from shop.core.measures import Figure, Measure
from suppliers.models import Supplier

MEASURES = (
    Measure(
        "platform.vetting_days",
        "platform",
        _l("Vetting lead time"),
        _l("Median days from application to approval, of the suppliers approved in the month"),
        "count",
        amber=10,
        green=5,
        lower_is_better=True,
    ),
)


def measure(month: date, start: datetime, end: datetime) -> Iterable[Figure]:
    """The median vetting time of the suppliers approved in the month."""
    rows = db.session().exec(
        select(Supplier.created_at, Supplier.approved_at).where(
            Supplier.approved_at >= start, Supplier.approved_at < end
        )
    )
    days = sorted((db.aware(done) - db.aware(asked)).days for asked, done in rows)
    median = days[len(days) // 2] if days else None
    return [Figure("platform.vetting_days", "platform", 0, median, len(days))]
