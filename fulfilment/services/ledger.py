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

from collections.abc import Sequence

from sqlmodel import func, select

from fulfilment.models import (
    LedgerEntry,
    Posting,
)
from shop.core import db

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
