"""Withdrawals and payouts: requested by staff, decided by the operator, paid in batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import select

from fulfilment.errors import (
    AlreadyDecided,
    BatchPaid,
    InsufficientBalance,
    WithdrawalPending,
)
from fulfilment.models import (
    PayoutBatch,
    StaffMember,
    Withdrawal,
)
from fulfilment.services.ledger import post
from fulfilment.services.statements import balances
from shop.core import audit, db
from shop.core.errors import IdempotencyMismatch, Invalid, NotFound
from shop.core.models import User
from shop.core.money import Money


def request_withdrawal(*, staff_id: int, amount_minor: int, idempotency_key: str) -> Withdrawal:
    """Ask to be paid part of the available balance (one request at a time, a minimum)."""
    s = db.session()
    # The staff member's row first: a second request with the same key (a double tap) waits
    # here for the first to commit, and then finds its withdrawal below.
    if s.get(StaffMember, staff_id, with_for_update=True) is None:
        raise NotFound(_("You are not registered as staff."))
    existing = s.exec(
        select(Withdrawal).where(
            Withdrawal.staff_id == staff_id, Withdrawal.idempotency_key == idempotency_key
        )
    ).first()
    if existing is not None:
        if existing.amount_minor != amount_minor:
            raise IdempotencyMismatch(
                _("This Idempotency-Key was used for another withdrawal."),
            )
        return existing
    minimum = int(current_app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"])
    if amount_minor < minimum:
        raise Invalid(
            _("The least you can withdraw is %(money)s.", money=Money(minimum, "CNY").format()),
            fields={"amount_minor": [_("Too little.")]},
        )
    if s.exec(
        select(Withdrawal.id).where(
            Withdrawal.staff_id == staff_id, Withdrawal.status == "requested"
        )
    ).first():
        raise WithdrawalPending(_("You already have a withdrawal waiting."))
    if amount_minor > balances(staff_id).available:
        raise InsufficientBalance(_("That is more than your available balance."))
    row = Withdrawal(staff_id=staff_id, amount_minor=amount_minor, idempotency_key=idempotency_key)
    s.add(row)
    s.flush()
    post(
        f"withdraw:{row.id}",
        "withdraw",
        [
            ("staff_available", staff_id, amount_minor),
            ("withdrawal_in_transit", staff_id, -amount_minor),
        ],
        staff_id=staff_id,
    )
    return row


def decide_withdrawal(
    *, withdrawal_id: int, actor_id: int, approve: bool, reason: str = ""
) -> Withdrawal:
    """The operator approves (it goes into the next payout batch) or rejects (money back)."""
    row = db.session().get(Withdrawal, withdrawal_id, with_for_update=True)
    if row is None:
        raise NotFound(_("No such withdrawal."))
    if row.status != "requested":
        raise AlreadyDecided(_("This withdrawal has been decided."))
    if not approve and len(reason.strip()) < 2:
        raise Invalid(_("Say why."), fields={"reason": [_("Say why.")]})
    row.status = "approved" if approve else "rejected"
    row.decided_by, row.decided_at, row.reason = actor_id, db.utcnow(), reason.strip()[:200]
    if not approve:
        post(
            f"return:{row.id}",
            "return",
            [
                ("withdrawal_in_transit", row.staff_id, row.amount_minor),
                ("staff_available", row.staff_id, -row.amount_minor),
            ],
            staff_id=row.staff_id,
            memo=row.reason,
        )
    audit.record(
        actor_id=actor_id,
        action="withdrawal.approve" if approve else "withdrawal.reject",
        subject_type="withdrawal",
        subject_id=row.id,
        data={"reason": row.reason},
    )
    db.session().flush()
    return row


def _withdrawals(status: str | None, staff_id: int | None) -> Any:
    stmt = select(Withdrawal).order_by(Withdrawal.id)
    if status:
        stmt = stmt.where(Withdrawal.status == status)
    if staff_id is not None:
        stmt = stmt.where(Withdrawal.staff_id == staff_id)
    return stmt


def list_withdrawals(*, status: str | None = None, staff_id: int | None = None) -> list[Withdrawal]:
    """Withdrawals, oldest first, optionally of one status or one staff member."""
    return list(db.session().exec(_withdrawals(status, staff_id)))


def withdrawals_page(
    *, status: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[Withdrawal], int]:
    """A page of all withdrawals (the operator's list, which grows with every payroll)."""
    return db.page(_withdrawals(status, None), page, per_page)


def export_payouts(
    *, actor_id: int | None, progress: Callable[[int], None] | None = None
) -> tuple[PayoutBatch | None, list[tuple[Withdrawal, StaffMember]]]:
    """Put every approved withdrawal into a new payout batch and post it as paid out."""
    s = db.session()
    rows = s.exec(
        select(Withdrawal, StaffMember)
        .join(StaffMember, StaffMember.user_id == Withdrawal.staff_id)
        .where(Withdrawal.status == "approved", Withdrawal.batch_id.is_(None))
        .order_by(Withdrawal.id)
        .with_for_update(of=Withdrawal)
    ).all()
    if not rows:
        return None, []
    batch = PayoutBatch(created_by=actor_id)
    s.add(batch)
    s.flush()
    for withdrawal, _member in rows:
        post(
            f"payout:{withdrawal.id}",
            "payout",
            [
                ("withdrawal_in_transit", withdrawal.staff_id, withdrawal.amount_minor),
                ("paid_out", withdrawal.staff_id, -withdrawal.amount_minor),
            ],
            staff_id=withdrawal.staff_id,
            memo=f"batch {batch.id}",
        )
        withdrawal.status, withdrawal.batch_id = "paid", batch.id
        batch.total_minor += withdrawal.amount_minor
        batch.count += 1
        if progress is not None:
            progress(1)
    s.flush()
    return batch, [(w, m) for w, m in rows]


#: The payroll file's columns (the bank's import takes them in this order).
CSV_COLUMNS = ("batch", "withdrawal", "employee_no", "name", "amount_minor", "amount", "currency")


def payroll_rows(batch_id: int, currency: str) -> list[tuple[object, ...]]:
    """A batch's payroll lines, one per withdrawal (the same file every time it is asked for)."""
    s = db.session()
    rows = s.exec(
        select(Withdrawal, StaffMember, User.display_name)
        .join(StaffMember, StaffMember.user_id == Withdrawal.staff_id)
        .join(User, User.id == Withdrawal.staff_id)
        .where(Withdrawal.batch_id == batch_id)
        .order_by(Withdrawal.id)
    )
    return [
        (
            batch_id,
            w.id,
            member.employee_no,
            name,
            w.amount_minor,
            f"{w.amount_minor // 100}.{w.amount_minor % 100:02d}",
            currency,
        )
        for w, member, name in rows
    ]


def list_batches(limit: int = 50) -> list[PayoutBatch]:
    """Payroll batches, newest first."""
    stmt = select(PayoutBatch).order_by(PayoutBatch.id.desc()).limit(limit)
    return list(db.session().exec(stmt))


def mark_batch_paid(*, batch_id: int, actor_id: int) -> PayoutBatch:
    """The bank has paid the batch: the staff have their money (once; 409 after)."""
    batch = db.session().get(PayoutBatch, batch_id, with_for_update=True)
    if batch is None:
        raise NotFound(_("No such payroll batch."))
    if batch.paid_at is not None:
        raise BatchPaid(_("This payroll batch is marked paid already."))
    batch.paid_at, batch.paid_by = db.utcnow(), actor_id
    audit.record(
        actor_id=actor_id,
        action="payout_batch.paid",
        subject_type="payout_batch",
        subject_id=batch.id,
        data={"count": batch.count, "total_minor": batch.total_minor},
    )
    db.session().flush()
    return batch
