"""A resident's credit balance: compensations in, spending at checkout out, returns back.

Append-only entries with a unique reference each, so every movement happens once: a
compensation (`node-{id}`), a spend at checkout (`order-{id}-spend`), and the spend given
back when that order is cancelled, expires or is refunded in full (`order-{id}-back`).
Spending locks the resident's user row, so two checkouts never spend the same credit.
"""

from __future__ import annotations

from sqlmodel import func, select

from orders.models import CreditEntry, Order
from shop.core import db
from shop.core.models import User


def balance(resident_id: int) -> int:
    """The resident's credit balance in minor units."""
    total = db.session().exec(
        select(func.sum(CreditEntry.amount_minor)).where(CreditEntry.resident_id == resident_id)
    )
    return int(total.one() or 0)


def _add(
    resident_id: int, amount: int, currency: str, reference: str, reason: str, order_id: int
) -> bool:
    return db.add_once(  # each reference once, even when two transactions race
        CreditEntry(
            resident_id=resident_id,
            amount_minor=amount,
            currency=currency,
            reference=reference,
            reason=reason,
            order_id=order_id,
        )
    )


def lock_resident(resident_id: int) -> None:
    """Serialise the resident's checkouts that spend credit: taken first in the transaction.

    FOR NO KEY UPDATE (PostgreSQL) does not conflict with the key-share lock that inserting
    an order takes on its resident's row, so two checkouts cannot deadlock on it.
    """
    db.session().get(User, resident_id, with_for_update={"key_share": True})


def spend_on(order: Order) -> int:
    """Use as much of the resident's credit as the order costs (after `lock_resident`)."""
    used = min(balance(order.resident_id), order.total_minor)
    if used > 0 and _add(
        order.resident_id, -used, order.currency, f"order-{order.id}-spend", "checkout", order.id
    ):
        order.credit_minor = used
    db.session().flush()
    return order.credit_minor


def give_back(order: Order, reason: str) -> int:
    """Return the credit the order used (once); returns how much came back."""
    if order.credit_minor <= 0:
        return 0
    back = _add(
        order.resident_id,
        order.credit_minor,
        order.currency,
        f"order-{order.id}-back",
        reason[:200],
        order.id,
    )
    db.session().flush()
    return order.credit_minor if back else 0


def given_back(order_id: int) -> int:
    """How much of the order's credit has been returned."""
    total = db.session().exec(
        select(func.sum(CreditEntry.amount_minor)).where(
            CreditEntry.reference == f"order-{order_id}-back"
        )
    )
    return int(total.one() or 0)


def compensate(order: Order, node_id: int, node_kind: str, amount: int) -> bool:
    """Credit a missed promise's compensation to the resident (once per node)."""
    return _add(
        order.resident_id,
        amount,
        order.currency,
        f"node-{node_id}",
        f"promise missed: {node_kind}",
        order.id,
    )
