"""The staff commission ledger: double-entry, append-only, each movement once.

Accounts: `commission_expense` (the platform's), and per staff member `staff_pending`,
`staff_available`, `withdrawal_in_transit` and `paid_out`. Debits are positive, credits
negative; every posting's entries sum to zero, so the whole ledger does. A staff member is
owed the negated sum of their pending, available and in-transit accounts.

* a verified task credits its roles: expense +a / pending −a (`credit:{task}:{role}`);
* the order completes (the after-sale window closed): pending +a / available −a;
* the order is refunded: the credit's account +a / expense −a (a clawback; if the money was
  already withdrawn, available goes negative and later credits repay it);
* a withdrawal: available +w / in transit −w; rejected: back; paid in a batch: in transit +w /
  paid out −w.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import func, select

import orders.api
import suppliers.catalogue.api as catalogue
from fulfilment import rules
from fulfilment.errors import (
    AlreadyDecided,
    InsufficientBalance,
    WithdrawalPending,
)
from fulfilment.models import (
    CommissionRule,
    Credit,
    LedgerEntry,
    PayoutBatch,
    Posting,
    StaffMember,
    Task,
    Withdrawal,
)
from shop.core import audit, db, jobs, months, notifications
from shop.core.errors import IdempotencyMismatch, Invalid, NotFound
from shop.core.money import Money

CREDIT_JOB = "fulfilment.jobs.credit_task"
#: The accounts whose (negated) sum is what the platform owes a staff member.
OWED = ("staff_pending", "staff_available", "withdrawal_in_transit")
Entry = tuple[str, int | None, int]


def post(
    key: str,
    kind: str,
    entries: Sequence[Entry],
    *,
    staff_id: int | None = None,
    order_id: int | None = None,
    task_id: int | None = None,
    memo: str = "",
) -> Posting | None:
    """Write one balanced posting, once per key (None if the key was already posted)."""
    if sum(amount for _a, _s, amount in entries) != 0 or any(a == 0 for *_x, a in entries):
        raise ValueError(f"posting {key} does not balance: {entries}")
    s = db.session()
    posting = Posting(
        idempotency_key=key,
        kind=kind,
        staff_id=staff_id,
        order_id=order_id,
        task_id=task_id,
        memo=memo[:200],
    )
    if not db.add_once(posting):  # posted already (or at this moment by another transaction)
        return None
    for account, owner, amount in entries:
        s.add(
            LedgerEntry(
                posting_id=posting.id,
                account=account,
                staff_id=owner,
                amount_minor=amount,
                created_at=posting.created_at,
            )
        )
    s.flush()
    return posting


# Commission rules


def _rule(row: CommissionRule) -> rules.Rule:
    return rules.Rule(
        row.id,
        row.scope,
        row.scope_id,
        row.basis,
        row.amount,
        row.split_bp,
        row.missed_factor_bp,
        db.aware(row.valid_from),
    )


def save_rule(*, actor_id: int, data: dict[str, Any]) -> CommissionRule:
    """Add a rule version (it applies to orders paid from `valid_from`, default now)."""
    split = {k: int(v) for k, v in data["split_bp"].items()}
    if not split or set(split) - set(rules.ROLES) or any(v < 0 for v in split.values()):
        raise Invalid(
            _("Share among deliverer, performer and referrer."),
            fields={"split_bp": [_("Share among deliverer, performer and referrer.")]},
        )
    row = CommissionRule(
        scope=data["scope"],
        scope_id=data.get("scope_id"),
        basis=data["basis"],
        amount=int(data["amount"]),
        split_bp=split,
        missed_factor_bp=int(data.get("missed_factor_bp", 10_000)),
        valid_from=data.get("valid_from") or db.utcnow(),
        created_by=actor_id,
    )
    db.session().add(row)
    db.session().flush()
    audit.record(
        actor_id=actor_id,
        action="commission_rule.save",
        subject_type="commission_rule",
        subject_id=row.id,
        data={k: str(v) for k, v in data.items()},
    )
    return row


def rules_in_force() -> list[rules.Rule]:
    """Every rule version as frozen values, newest first."""
    return [_rule(row) for row in list_rules()]


def list_rules() -> list[CommissionRule]:
    """Every rule version, newest first."""
    return list(
        db.session().exec(
            select(CommissionRule).order_by(CommissionRule.valid_from.desc(), CommissionRule.id)
        )
    )


# Credits


def credit_task(task_id: int) -> list[Credit]:
    """Credit the roles of a verified task once (the job; idempotent, safe to run twice)."""
    s = db.session()
    found = s.get(Task, task_id)
    if found is None:
        return []
    # The order's row first: a refund committing meanwhile either sees these credits (and
    # reverses them) or has already made the order refunded (and nothing is credited).
    orders.api.lock_order(found.order_id)
    task = s.get(Task, task_id, with_for_update=True, populate_existing=True)
    if task.status != "done" or task.credited_at is not None:
        return []
    brief = orders.api.order_brief(task.order_id)
    made: list[Credit] = []
    bundle_id = brief.bundle_ids[0] if brief.bundle_ids else 0
    rule = rules.pick_rule(
        [_rule(r) for r in list_rules()],
        bundle_id=bundle_id,
        category_id=catalogue.categories_of([bundle_id]).get(bundle_id),
        paid_at=brief.paid_at or db.utcnow(),
    )
    # A refunded order earns nothing; one completed before this job ran is paid out at once.
    if rule is not None and task.assignee_id is not None and brief.status != "refunded":
        people = {"performer" if task.kind == "service" else "deliverer": task.assignee_id}
        referrer = _referrer(brief.referral_code)
        if referrer is not None:
            people["referrer"] = referrer
        total = rules.commission_total(
            rule,
            pieces=brief.pieces,
            margin_minor=brief.total_minor - brief.settlement_minor,
            missed=brief.missed_promises > 0,
        )
        for role, amount in rules.split(total, rule.split_bp, list(people)).items():
            credit = _credit(task, role, people[role], amount, rule.id)
            if credit is not None:
                made.append(credit)
    task.credited_at = db.utcnow()
    s.flush()
    if brief.status == "completed":
        release_order(task.order_id)
    return made


def _referrer(code: str) -> int | None:
    if not code:
        return None
    return (
        db.session()
        .exec(select(StaffMember.user_id).where(StaffMember.employee_no == code))
        .first()
    )


def _credit(task: Task, role: str, staff_id: int, amount: int, rule_id: int) -> Credit | None:
    posting = post(
        f"credit:{task.id}:{role}",
        "credit",
        [("commission_expense", None, amount), ("staff_pending", staff_id, -amount)],
        staff_id=staff_id,
        order_id=task.order_id,
        task_id=task.id,
        memo=role,
    )
    if posting is None:
        return None
    credit = Credit(
        task_id=task.id,
        order_id=task.order_id,
        staff_id=staff_id,
        role=role,
        amount_minor=amount,
        rule_id=rule_id,
    )
    db.session().add(credit)
    db.session().flush()
    notifications.notify(
        staff_id,
        "commission",
        lambda: (
            _("You earned %(money)s", money=Money(amount, current_app.config["CURRENCY"]).format()),
            _("Order %(id)s", id=task.order_id),
        ),
        link="/staff/wallet",
    )
    return credit


def sweep_uncredited() -> int:
    """Send the credit job for done tasks whose credit was never posted (a lost job)."""
    cutoff = db.utcnow() - timedelta(minutes=1)
    ids = db.session().exec(
        select(Task.id)
        .where(Task.status == "done", Task.credited_at.is_(None), Task.done_at < cutoff)
        .limit(1000)
    )
    return jobs.enqueue_each(CREDIT_JOB, ids)


def _credits_of(order_id: int, statuses: Iterable[str]) -> list[Credit]:
    return list(
        db.session().exec(
            select(Credit)
            .where(Credit.order_id == order_id, Credit.status.in_(tuple(statuses)))
            .order_by(Credit.id)
            .with_for_update()
        )
    )


def release_order(order_id: int, **_kwargs: Any) -> int:
    """The order completed (its after-sale window closed): its credits become available."""
    released = 0
    for credit in _credits_of(order_id, ("pending",)):
        post(
            f"release:{credit.id}",
            "release",
            [
                ("staff_pending", credit.staff_id, credit.amount_minor),
                ("staff_available", credit.staff_id, -credit.amount_minor),
            ],
            staff_id=credit.staff_id,
            order_id=order_id,
            task_id=credit.task_id,
        )
        credit.status, credit.available_at = "available", db.utcnow()
        released += 1
    db.session().flush()
    return released


def reverse_order(order_id: int, **_kwargs: Any) -> int:
    """The order was refunded: claw back its credits, whatever their status."""
    reversed_ = 0
    for credit in _credits_of(order_id, ("pending", "available")):
        account = "staff_pending" if credit.status == "pending" else "staff_available"
        post(
            f"reverse:{credit.id}",
            "reverse",
            [
                (account, credit.staff_id, credit.amount_minor),
                ("commission_expense", None, -credit.amount_minor),
            ],
            staff_id=credit.staff_id,
            order_id=order_id,
            task_id=credit.task_id,
            memo="refund",
        )
        credit.status, credit.reversed_at = "reversed", db.utcnow()
        reversed_ += 1
    db.session().flush()
    return reversed_


# Balances, statements, the trial balance


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


def trial_balance() -> tuple[list[tuple[str, int]], int]:
    """Every account's balance (staff accounts summed over staff) and the total (zero)."""
    rows = (
        db.session()
        .exec(
            select(LedgerEntry.account, func.sum(LedgerEntry.amount_minor))
            .group_by(LedgerEntry.account)
            .order_by(LedgerEntry.account)
        )
        .all()
    )
    accounts = [(account, int(total)) for account, total in rows]
    return accounts, sum(total for _a, total in accounts)


# Withdrawals and payouts


def request_withdrawal(*, staff_id: int, amount_minor: int, idempotency_key: str) -> Withdrawal:
    """Ask to be paid part of the available balance (one request at a time, a minimum)."""
    s = db.session()
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
    if s.get(StaffMember, staff_id, with_for_update=True) is None:
        raise NotFound(_("You are not registered as staff."))
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


def list_withdrawals(*, status: str | None = None, staff_id: int | None = None) -> list[Withdrawal]:
    """Withdrawals, oldest first, optionally of one status or one staff member."""
    stmt = select(Withdrawal).order_by(Withdrawal.id)
    if status:
        stmt = stmt.where(Withdrawal.status == status)
    if staff_id is not None:
        stmt = stmt.where(Withdrawal.staff_id == staff_id)
    return list(db.session().exec(stmt))


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
