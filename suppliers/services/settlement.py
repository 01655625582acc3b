"""Settlement statements: per month, what the platform owes each supplier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import func, select

from shop.core import audit, db
from shop.core.errors import NotFound
from shop.core.months import month_end, month_start, months_between
from suppliers.errors import StatementOpen, StatementPaid
from suppliers.models import SettlementLine, SettlementPayment, Supplier
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
    #: The day by which the platform pays a closed statement.
    due_on: date
    #: When the platform paid it, and the bank's reference (None while unpaid).
    paid_at: datetime | None = None
    bank_reference: str = ""


def due_on(period_start: date) -> date:
    """The day by which the statement of the month starting `period_start` is to be paid."""
    days = int(current_app.config["SUPPLIER_SETTLEMENT_DUE_DAYS"])
    return month_end(period_start) + timedelta(days=days)


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
    paid = {
        p.period_start: p
        for p in db.session().exec(
            select(SettlementPayment).where(SettlementPayment.supplier_id == supplier_id)
        )
    }
    return [
        Statement(
            start,
            month_end(start),
            "open" if start == current else "closed",
            sums.get(start, (0, 0))[0],
            int(sums.get(start, (0, 0))[1] or 0),
            currency,
            due_on(start),
            paid[start].paid_at if start in paid else None,
            paid[start].bank_reference if start in paid else "",
        )
        for start in starts
    ]


def mark_paid(
    *, supplier_id: int, period_start: date, actor_id: int, bank_reference: str
) -> SettlementPayment:
    """Record that the platform paid a closed statement (operator; once per statement)."""
    access.require_operator(actor_id)
    access.get_supplier_for(actor_id, supplier_id)
    s = db.session()
    s.get(Supplier, supplier_id, with_for_update=True)  # one payment at a time per supplier
    statement = next(
        (
            st
            for st in list_statements(supplier_id=supplier_id, actor_id=actor_id, months=120)
            if st.period_start == period_start
        ),
        None,
    )
    if statement is None:
        raise NotFound(_("No such statement."))
    if statement.paid_at is not None:
        raise StatementPaid(
            _("This statement was paid on %(day)s.", day=statement.paid_at.date().isoformat())
        )
    if statement.status == "open" or statement.total_minor <= 0:
        raise StatementOpen(
            _("A statement is paid once its month has closed, and only when it owes something.")
        )
    payment = SettlementPayment(
        supplier_id=supplier_id,
        period_start=period_start,
        amount_minor=statement.total_minor,
        currency=statement.currency,
        bank_reference=bank_reference.strip()[:60],
        paid_by=actor_id,
    )
    s.add(payment)
    s.flush()
    audit.record(
        actor_id=actor_id,
        action="supplier.statement_paid",
        subject_type="supplier",
        subject_id=str(supplier_id),
        data={"period": period_start.isoformat(), "amount_minor": statement.total_minor},
    )
    return payment


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
