"""Stock and service-slot capacity taken by orders: conditional updates, never oversold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update
from sqlmodel import select

from shop.core import db
from suppliers.models import Item, SlotBooking, StockMovement

# Checkout's hot path: built once, so a checkout neither builds it nor flushes.
_ITEMS = db.table(Item)
_TAKE = (
    update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("taken_item"), _ITEMS.c.stock >= bindparam("taken"))
    .values(stock=_ITEMS.c.stock - bindparam("taken"))
    .returning(_ITEMS.c.stock)
)


def take_stock(*, item_id: int, quantity: int, reference: str) -> bool:
    """Take `quantity` from stock if that much is left (one conditional UPDATE); else False."""
    row = db.run(_TAKE, {"taken_item": item_id, "taken": quantity}).first()
    if row is None:
        return False
    db.insert_row(
        StockMovement(item_id=item_id, delta=-quantity, stock_after=row[0], reason=reference)
    )
    return True


def return_stock(*, item_id: int, quantity: int, reference: str) -> None:
    """Put `quantity` back (a cancelled or expired order)."""
    s = db.session()
    row = s.execute(
        update(Item)
        .where(Item.id == item_id)
        .values(stock=Item.stock + quantity)
        .returning(Item.stock)
    ).first()
    if row is not None:
        s.add(StockMovement(item_id=item_id, delta=quantity, stock_after=row[0], reason=reference))
        s.flush()


def _ensure_slot(item_id: int, starts_at: datetime) -> None:
    s = db.session()
    exists = s.exec(
        select(SlotBooking.id).where(
            SlotBooking.item_id == item_id, SlotBooking.starts_at == starts_at
        )
    ).first()
    if exists:
        return
    item = s.get(Item, item_id)
    # Another checkout may create the same row at the same moment: either one is it.
    db.add_once(SlotBooking(item_id=item_id, starts_at=starts_at, capacity=item.slot_capacity))


def take_slot(*, item_id: int, starts_at: datetime, quantity: int = 1) -> bool:
    """Book `quantity` places in a service slot if they are free (conditional UPDATE)."""
    _ensure_slot(item_id, starts_at)
    result = db.session().execute(
        update(SlotBooking)
        .where(
            SlotBooking.item_id == item_id,
            SlotBooking.starts_at == starts_at,
            SlotBooking.taken + quantity <= SlotBooking.capacity,
        )
        .values(taken=SlotBooking.taken + quantity)
    )
    return result.rowcount == 1


def return_slot(*, item_id: int, starts_at: datetime, quantity: int = 1) -> None:
    """Free `quantity` places of a service slot."""
    db.session().execute(
        update(SlotBooking)
        .where(
            SlotBooking.item_id == item_id,
            SlotBooking.starts_at == starts_at,
            SlotBooking.taken >= quantity,
        )
        .values(taken=SlotBooking.taken - quantity)
    )


def slot_remaining(*, item_id: int, starts_at: datetime) -> int:
    """Places still free in a service slot."""
    s = db.session()
    booking = s.exec(
        select(SlotBooking).where(
            SlotBooking.item_id == item_id, SlotBooking.starts_at == starts_at
        )
    ).first()
    if booking is not None:
        return booking.capacity - booking.taken
    item = s.get(Item, item_id)
    return item.slot_capacity if item else 0
