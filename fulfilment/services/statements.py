"""The ledger read back: balances, the wallet, monthly statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlmodel import func, select

from fulfilment.models import (
    Credit,
    LedgerEntry,
    Posting,
)
from fulfilment.services.ledger import OWED
from shop.core import db, months


@dataclass(frozen=True)
class Balances:
    """What a staff member is owed, by status (minor units)."""

    pending: int
    available: int
    in_transit: int
    paid_out: int

    @property
    def owed(self) -> int:
        """Pending, available and in transit together."""
        return self.pending + self.available + self.in_transit


def balances(staff_id: int) -> Balances:
    """The staff member's balances (negated account sums: what the platform owes them)."""
    rows = dict(
        db.session()
        .exec(
            select(LedgerEntry.account, func.sum(LedgerEntry.amount_minor))
            .where(LedgerEntry.staff_id == staff_id)
            .group_by(LedgerEntry.account)
        )
        .all()
    )
    return Balances(
        pending=-int(rows.get("staff_pending") or 0),
        available=-int(rows.get("staff_available") or 0),
        in_transit=-int(rows.get("withdrawal_in_transit") or 0),
        paid_out=-int(rows.get("paid_out") or 0),
    )


@dataclass(frozen=True)
class WalletLine:
    """A movement of what the staff member is owed, with its order and task."""

    at: datetime
    kind: str
    amount_minor: int
    order_id: int | None
    task_id: int | None
    memo: str


def _owed_lines(stmt: Any) -> list[WalletLine]:
    return [
        WalletLine(db.aware(at), kind, -int(amount), order_id, task_id, memo)
        for at, kind, amount, order_id, task_id, memo in db.session().exec(stmt)
        if int(amount) != 0
    ]


def _owed_stmt(staff_id: int) -> Any:
    return (
        select(
            func.min(LedgerEntry.created_at),
            Posting.kind,
            func.sum(LedgerEntry.amount_minor),
            Posting.order_id,
            Posting.task_id,
            Posting.memo,
        )
        .join(LedgerEntry, LedgerEntry.posting_id == Posting.id)
        .where(LedgerEntry.staff_id == staff_id, LedgerEntry.account.in_(OWED))
        .group_by(Posting.id)
    )


def wallet_lines(staff_id: int, *, limit: int = 100) -> list[WalletLine]:
    """Recent credits and movements of the staff member's money, newest first."""
    stmt = _owed_stmt(staff_id).order_by(Posting.id.desc()).limit(limit)
    return _owed_lines(stmt)


def credits_of_staff(staff_id: int, *, limit: int = 100) -> list[Credit]:
    """The staff member's credits, newest first, each with its status."""
    return list(
        db.session().exec(
            select(Credit)
            .where(Credit.staff_id == staff_id)
            .order_by(Credit.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Statement:
    """One month of what a staff member is owed: opening, every movement, closing."""

    month: date
    opening_minor: int
    lines: tuple[WalletLine, ...]
    closing_minor: int

    @property
    def earned_minor(self) -> int:
        """Credits less clawbacks in the month."""
        return sum(x.amount_minor for x in self.lines if x.kind in ("credit", "reverse"))


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month in the platform's time zone, as instants [start, end) (kernel months)."""
    return months.month_bounds(month, current_app.config["TIMEZONE"])


def month_of(text: str | None) -> date:
    """The first day of month `YYYY-MM`; this month (platform time) if absent or malformed."""
    return months.parse_month(text, now=db.utcnow(), timezone=current_app.config["TIMEZONE"])


def statement(staff_id: int, month: date) -> Statement:
    """The staff member's statement for a calendar month."""
    start, end = month_bounds(month)
    opening = (
        db.session()
        .exec(
            select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
                LedgerEntry.staff_id == staff_id,
                LedgerEntry.account.in_(OWED),
                LedgerEntry.created_at < start,
            )
        )
        .one()
    )
    stmt = _owed_stmt(staff_id).where(LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
    lines = tuple(_owed_lines(stmt.order_by(Posting.id)))
    return Statement(
        month, -int(opening), lines, -int(opening) + sum(x.amount_minor for x in lines)
    )


def statements_for_month(month: date) -> dict[int, tuple[int, int]]:
    """Every staff member's (earned, closing owed) for a month, in two grouped queries."""
    start, end = month_bounds(month)
    s = db.session()
    earned = dict(
        s.exec(
            select(LedgerEntry.staff_id, -func.sum(LedgerEntry.amount_minor))
            .join(Posting, Posting.id == LedgerEntry.posting_id)
            .where(
                LedgerEntry.account.in_(OWED),
                LedgerEntry.staff_id.is_not(None),
                Posting.kind.in_(("credit", "reverse")),
                LedgerEntry.created_at >= start,
                LedgerEntry.created_at < end,
            )
            .group_by(LedgerEntry.staff_id)
        ).all()
    )
    closing = dict(
        s.exec(
            select(LedgerEntry.staff_id, -func.sum(LedgerEntry.amount_minor))
            .where(
                LedgerEntry.account.in_(OWED),
                LedgerEntry.staff_id.is_not(None),
                LedgerEntry.created_at < end,
            )
            .group_by(LedgerEntry.staff_id)
        ).all()
    )
    return {
        staff: (int(earned.get(staff) or 0), int(closing.get(staff) or 0))
        for staff in set(earned) | set(closing)
    }
