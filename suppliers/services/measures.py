"""Measures of the suppliers package: vetting lead time, settlement paid on time, readiness."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import func, select

from shop.core import db
from shop.core.measures import Figure, Measure
from shop.core.months import months_between, next_month
from suppliers.models import SettlementLine, SettlementPayment, Supplier
from suppliers.services import phase
from suppliers.services.settlement import due_on

MEASURES = (
    Measure(
        "platform.vetting_days",
        "platform",
        _l("Vetting lead time"),
        _l("Median days from application to approval, of the suppliers approved in the month"),
        "days",
        amber=10,
        green=5,
        lower_is_better=True,
    ),
    Measure(
        "suppliers.settlement_on_time",
        "suppliers",
        _l("Settlement paid on time"),
        _l(
            "Statements falling due in the month that the platform paid by their due day ÷ "
            "statements falling due that owed the supplier something"
        ),
        "bp",
        amber=9_000,
        green=9_800,
    ),
    Measure(
        "project.phase_readiness",
        "project",
        _l("Readiness for the next phase"),
        _l(
            "Readiness figures of the next platform phase met at the month's end (or now) ÷ "
            "the phase's figures; none once in the last phase"
        ),
        "bp",
        amber=5_000,
        green=10_000,
    ),
)


def measure(month: date, start: datetime, end: datetime) -> Iterable[Figure]:
    """Vetting time, statements paid on time, and readiness for the next phase at month end."""
    return [*_vetting(start, end), *_settlement(month), _readiness(min(end, db.utcnow()))]


def _readiness(as_of: datetime) -> Figure:
    """How many of the next phase's readiness figures were met at `as_of`."""
    target = phase.current_phase(as_of) + 1
    if str(target) not in current_app.config["PHASE_THRESHOLDS"]:
        return Figure("project.phase_readiness", "platform", 0, None, 0)
    figures = phase.readiness(target, as_of)
    met = [f.met for f in figures]
    return Figure("project.phase_readiness", "platform", 0, _bp(met), len(met))


def _settlement(month: date) -> list[Figure]:
    """Per supplier and overall: of the statements due in `month`, those paid by the due day."""
    after = next_month(month)
    # the periods falling due this month (the due day may be set more than a month out)
    earlier = months_between(month - timedelta(days=92), month)[1:]
    periods = [p for p in earlier if month <= due_on(p) < after]
    owed = (
        db.session()
        .exec(
            select(SettlementLine.supplier_id, SettlementLine.period_start)
            .where(SettlementLine.period_start.in_(periods))
            .group_by(SettlementLine.supplier_id, SettlementLine.period_start)
            .having(func.sum(SettlementLine.amount_minor) > 0)
        )
        .all()
    )
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    paid = {
        (p.supplier_id, p.period_start): db.aware(p.paid_at).astimezone(zone).date()
        for p in db.session().exec(
            select(SettlementPayment).where(SettlementPayment.period_start.in_(periods))
        )
    }
    today = db.utcnow().astimezone(zone).date()
    per: dict[int, list[bool]] = {}
    for supplier_id, period in owed:
        day = paid.get((supplier_id, period))
        if day is None and due_on(period) >= today:
            continue  # not paid, but not late yet
        per.setdefault(supplier_id, []).append(day is not None and day <= due_on(period))
    out = [
        Figure("suppliers.settlement_on_time", "supplier", sid, _bp(kept), len(kept))
        for sid, kept in sorted(per.items())
    ]
    every = [k for kept in per.values() for k in kept]
    out.append(Figure("suppliers.settlement_on_time", "platform", 0, _bp(every), len(every)))
    return out


def _bp(kept: list[bool]) -> int | None:
    return sum(kept) * 10_000 // len(kept) if kept else None


def _vetting(start: datetime, end: datetime) -> list[Figure]:
    """The median vetting time of the suppliers approved in the month."""
    rows = db.session().exec(
        select(Supplier.created_at, Supplier.approved_at).where(
            Supplier.approved_at >= start, Supplier.approved_at < end
        )
    )
    days = sorted((db.aware(done) - db.aware(asked)).days for asked, done in rows)
    median = days[len(days) // 2] if days else None
    return [Figure("platform.vetting_days", "platform", 0, median, len(days))]
