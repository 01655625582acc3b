"""Settlement statements: per month, what the platform owes each supplier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import func, select

from shop.core import db
from shop.core.errors import NotFound
from shop.core.months import month_end, month_start, months_between
from suppliers.models import SettlementLine
from suppliers.services import access


@dataclass(frozen=True)
class Statement:
    """One period's total for one supplier."""

    period_start: date
    period_end: date
    status: str  # "open" for the running month, "closed" after it
    lines: int
    total_minor: int
    currency: str


def record_line(
    *, supplier_id: int, reference: str, amount_minor: int, description: str, at: datetime
) -> SettlementLine:
    """Owe the supplier `amount_minor` (negative for a refund) once per `reference`."""
    s = db.session()
    existing = s.exec(
        select(SettlementLine).where(
            SettlementLine.supplier_id == supplier_id, SettlementLine.reference == reference
        )
    ).first()
    if existing is not None:
        return existing
    line = SettlementLine(
        supplier_id=supplier_id,
        reference=reference,
        description=description[:200],
        amount_minor=amount_minor,
        currency=current_app.config["CURRENCY"],
        at=at,
        period_start=month_start(at, current_app.config["TIMEZONE"]),
    )
    s.add(line)
    s.flush()
    return line


def list_statements(*, supplier_id: int, actor_id: int, months: int = 12) -> list[Statement]:
    """The supplier's statements, newest first: every month since it joined, up to `months`."""
    supplier, _who = access.get_supplier_for(actor_id, supplier_id)
    tz = current_app.config["TIMEZONE"]
    current = month_start(db.utcnow(), tz)
    first = month_start(supplier.approved_at or supplier.created_at, tz)
    starts = months_between(first, current)[:months]
    sums = dict(
        (start, (count, total))
        for start, count, total in db.session()
        .exec(
            select(SettlementLine.period_start, func.count(), func.sum(SettlementLine.amount_minor))
            .where(SettlementLine.supplier_id == supplier_id)
            .group_by(SettlementLine.period_start)
        )
        .all()
    )
    currency = current_app.config["CURRENCY"]
    return [
        Statement(
            start,
            month_end(start),
            "open" if start == current else "closed",
            sums.get(start, (0, 0))[0],
            int(sums.get(start, (0, 0))[1] or 0),
            currency,
        )
        for start in starts
    ]


def statement_lines(*, supplier_id: int, period_start: date, actor_id: int) -> list[SettlementLine]:
    """The lines of one period's statement, oldest first."""
    access.get_supplier_for(actor_id, supplier_id)
    if period_start.day != 1:
        raise NotFound(_("No such statement."))
    return list(
        db.session().exec(
            select(SettlementLine)
            .where(
                SettlementLine.supplier_id == supplier_id,
                SettlementLine.period_start == period_start,
            )
            .order_by(SettlementLine.at, SettlementLine.id)
        )
    )
