"""Reads of suppliers for other packages: frozen views of suppliers and their items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import func, or_, select

from shop.core import db
from shop.core.errors import NotFound
from shop.core.values import view_of
from suppliers import process
from suppliers.models import Item, Scorecard, Supplier, SupplierMember, SupplierStatus


@dataclass(frozen=True)
class SupplierRef:
    """A supplier as other packages see it."""

    id: int
    name: str
    kind: str
    status: str

    @property
    def may_sell(self) -> bool:
        """Approved (on probation) or active: its items may be sold."""
        return self.status in process.SELLING


def supplier_ref(row: Supplier) -> SupplierRef:
    """The frozen view of a supplier row."""
    return SupplierRef(id=row.id, name=row.name, kind=row.kind, status=row.status)


def get_supplier(supplier_id: int) -> SupplierRef:
    """The supplier with this id. Raises NotFound."""
    row = db.session().get(Supplier, supplier_id)
    if row is None:
        raise NotFound(_("No such supplier."))
    return supplier_ref(row)


def member_ids(supplier_id: int) -> list[int]:
    """The users who act for this supplier."""
    rows = db.session().exec(
        select(SupplierMember.user_id)
        .where(SupplierMember.supplier_id == supplier_id)
        .order_by(SupplierMember.user_id)
    )
    return list(rows)


def selling() -> list[SupplierRef]:
    """The suppliers that may sell (approved or active), by name."""
    rows = db.session().exec(
        select(Supplier).where(Supplier.status.in_(tuple(process.SELLING))).order_by(Supplier.name)
    )
    return [supplier_ref(s) for s in rows]


def producers() -> list[SupplierRef]:
    """The producers that may sell (approved or active), by name."""
    rows = db.session().exec(
        select(Supplier)
        .where(Supplier.kind == "producer", Supplier.status.in_(tuple(process.SELLING)))
        .order_by(Supplier.name)
    )
    return [supplier_ref(s) for s in rows]


def count_by_status() -> dict[str, int]:
    """How many suppliers are in each status."""
    rows = db.session().exec(select(Supplier.status, func.count()).group_by(Supplier.status))
    return {status: count for status, count in rows}


def open_order_limit(status: str) -> int | None:
    """How many open orders a supplier in this status may carry (None: no limit)."""
    if status == SupplierStatus.APPROVED_PROBATION:
        return int(current_app.config["SUPPLIER_PROBATION_MAX_OPEN_ORDERS"])
    return None


@dataclass(frozen=True)
class ItemRef:
    """A supplier item as the catalogue sees it."""

    id: int
    supplier_id: int
    supplier_name: str
    supplier_status: str
    kind: str
    sku: str
    name: str
    category: str
    unit: str
    supply_price_minor: int
    stock: int
    staff_role: str
    duration_minutes: int | None
    slot_times: tuple[str, ...]
    slot_capacity: int
    is_active: bool
    images: tuple[str, ...] = ()
    service_community_ids: tuple[int, ...] = ()

    @property
    def may_sell(self) -> bool:
        """The item is active and its supplier is approved or active."""
        return self.is_active and self.supplier_status in process.SELLING

    def serves(self, community_id: int) -> bool:
        """Goods go everywhere; a service only to its service communities (none listed: all)."""
        return (
            self.kind != "service"
            or not self.service_community_ids
            or community_id in self.service_community_ids
        )


_items, _suppliers = db.table(Item), db.table(Supplier)
_REF_COLUMNS = [
    _items.c[f.name] for f in fields(ItemRef) if f.name not in ("supplier_name", "supplier_status")
]
#: An item's view with its supplier's name and status: plain rows, no ORM objects (checkout
#: reads it on every order, and items in the session would go stale as stock is taken).
_REFS = sa_select(
    *_REF_COLUMNS,
    _suppliers.c.name.label("supplier_name"),
    _suppliers.c.status.label("supplier_status"),
).join_from(_items, _suppliers)
_REFS_BY_ID = _REFS.where(_items.c.id.in_(bindparam("ids", expanding=True)))


def _item_refs(stmt: Any, params: dict[str, Any] | None = None) -> list[ItemRef]:
    return [view_of(ItemRef, row) for row in db.run(stmt, params)]


def get_items(item_ids: Sequence[int]) -> dict[int, ItemRef]:
    """The items with these ids (missing ids are simply absent)."""
    if not item_ids:
        return {}
    return {ref.id: ref for ref in _item_refs(_REFS_BY_ID, {"ids": list(item_ids)})}


def find_items(text: str, *, limit: int = 20, sellable_only: bool = True) -> list[ItemRef]:
    """Items whose name, SKU or category contains `text` (for composing bundles)."""
    pattern = f"%{text.strip()}%"
    c = _items.c
    stmt = _REFS.where(or_(c.name.ilike(pattern), c.sku.ilike(pattern), c.category.ilike(pattern)))
    if sellable_only:
        stmt = stmt.where(c.is_active, _suppliers.c.status.in_(tuple(process.SELLING)))
    return _item_refs(stmt.order_by(c.name).limit(limit))


def supplier_scores(supplier_ids: Sequence[int]) -> dict[int, int]:
    """A ranking figure per supplier from its scorecard; 0 if it has none.

    The promises it keeps count most (the met rate in basis points, up to 10,000), then how
    many compounds it serves (100 each, up to ten); its orders with a defect in 90 days (the
    monthly snapshot's rate) count against it, half their basis points: a reliable supplier
    who serves widely comes first among equally relevant bundles.
    """
    if not supplier_ids:
        return {}
    rows = db.session().exec(
        select(
            Scorecard.supplier_id,
            Scorecard.met_rate_bp,
            Scorecard.communities_served,
            Scorecard.defect_rate_bp,
        ).where(Scorecard.supplier_id.in_(list(supplier_ids)))
    )
    return {
        sid: max(0, met + 100 * min(served, 10) - (defects or 0) // 2)
        for sid, met, served, defects in rows
    }


def item_ids_of_supplier(supplier_id: int) -> list[int]:
    """The ids of every item of one supplier."""
    return list(db.session().exec(select(Item.id).where(Item.supplier_id == supplier_id)))
