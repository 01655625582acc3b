"""What other packages may use of suppliers: frozen views and the commands they may call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlmodel import func, or_, select

from shop.core import db
from shop.core.errors import Invalid, NotFound
from suppliers import process, signals
from suppliers.models import (
    Item,
    Scorecard,
    Supplier,
    SupplierKind,
    SupplierMember,
    SupplierStatus,
)
from suppliers.services import capacity as _capacity
from suppliers.services import items as _items
from suppliers.services import phase as _phase
from suppliers.services import settlement as _settlement

ReadinessSource = _phase.ReadinessSource
#: The columns of an item CSV (`import_items`).
ITEM_CSV_COLUMNS = _items.CSV_COLUMNS
add_item_image = _items.add_image


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


def _ref(row: Supplier) -> SupplierRef:
    return SupplierRef(id=row.id, name=row.name, kind=row.kind, status=row.status)


def get_supplier(supplier_id: int) -> SupplierRef:
    """The supplier with this id. Raises NotFound."""
    row = db.session().get(Supplier, supplier_id)
    if row is None:
        raise NotFound("No such supplier.")
    return _ref(row)


def supplier_for(user_id: int, supplier_id: int | None = None) -> SupplierRef:
    """The supplier this user may act for: theirs (a member), or `supplier_id` for the operator.

    A member asking for another supplier, or a user of no supplier, gets NotFound.
    """
    from suppliers.services import access

    who = access.actor(user_id)
    wanted = supplier_id if supplier_id is not None else who.supplier_id
    if wanted is None:
        raise NotFound(_("No such supplier."))
    supplier, _who = access.get_supplier_for(user_id, wanted)
    return _ref(supplier)


def count_by_status() -> dict[str, int]:
    """How many suppliers are in each status."""
    rows = db.session().exec(select(Supplier.status, func.count()).group_by(Supplier.status))
    return {status: count for status, count in rows}


def current_phase() -> int:
    """The platform phase in force (1, 2 or 3)."""
    return _phase.current_phase()


def register_readiness_source(app: Flask, source: ReadinessSource) -> None:
    """Add figures computed above (delivered orders, met rate) to the phase readiness check."""
    _phase.register_readiness_source(app, source)


def max_open_orders(supplier_id: int) -> int | None:
    """How many open orders the supplier may carry (None: no limit; probation has one)."""
    row = db.session().get(Supplier, supplier_id)
    if row is not None and row.status == SupplierStatus.APPROVED_PROBATION:
        return int(current_app.config["SUPPLIER_PROBATION_MAX_OPEN_ORDERS"])
    return None


def update_scorecard(
    *,
    supplier_id: int,
    orders_count: int,
    met_rate_bp: int,
    on_time_rate_bp: int,
    refund_rate_bp: int,
    communities_served: int,
) -> None:
    """Store a supplier's measured performance (computed by the orders and fulfilment jobs)."""
    card = db.session().get(Scorecard, supplier_id) or Scorecard(supplier_id=supplier_id)
    ranked_before = (card.met_rate_bp, card.communities_served)
    card.orders_count, card.met_rate_bp = orders_count, met_rate_bp
    card.on_time_rate_bp, card.refund_rate_bp = on_time_rate_bp, refund_rate_bp
    card.communities_served, card.updated_at = communities_served, db.utcnow()
    db.session().add(card)
    db.session().flush()
    if ranked_before != (met_rate_bp, communities_served):
        signals.scorecard_changed.send(supplier_id)


def record_settlement(
    *, supplier_id: int, reference: str, amount_minor: int, description: str, at: datetime
) -> None:
    """Owe the supplier an amount for an order line (negative: a refund); once per reference."""
    _settlement.record_line(
        supplier_id=supplier_id,
        reference=reference,
        amount_minor=amount_minor,
        description=description,
        at=at,
    )


def register_supplier(
    *,
    name: str,
    kind: str,
    licence_no: str,
    member_user_id: int,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    categories: tuple[str, ...] = (),
    status: str = SupplierStatus.SUBMITTED.value,
) -> SupplierRef:
    """Record a supplier company with its first member (the demo and data imports use this)."""
    row = Supplier(
        name=name,
        kind=SupplierKind(kind).value,
        licence_no=licence_no,
        status=SupplierStatus(status).value,
        contact_name=contact_name,
        phone=phone,
        email=email,
        categories=list(categories),
    )
    if row.status in process.SELLING:
        row.approved_at = db.utcnow()
    if row.status == SupplierStatus.ACTIVE:
        row.graduated_at = row.approved_at
    db.session().add(row)
    db.session().flush()
    db.session().add(SupplierMember(supplier_id=row.id, user_id=member_user_id))
    db.session().flush()
    return _ref(row)


Figure = _phase.Figure


def readiness(target: int) -> list[Figure]:
    """The readiness figures for entering phase `target`, against the configured thresholds."""
    return _phase.readiness(target)


def advance_phase(*, phase: int, actor_id: int, override_reason: str = "") -> None:
    """Advance the platform phase (operator); refused while unmet unless overridden. Audited."""
    _phase.advance_phase(phase=phase, actor_id=actor_id, override_reason=override_reason)


def phase_history() -> list[tuple[int, datetime, str]]:
    """Every advance as (phase, when, override reason), oldest first."""
    return [(c.phase, c.at, c.override_reason) for c in _phase.history()]


def import_items(*, supplier_id: int, actor_id: int, csv_text: str) -> int:
    """Import items from CSV text as `actor_id`, all or nothing; returns how many rows.

    Raises Invalid with the rows' errors when any row is wrong.
    """
    report = _items.import_items(
        supplier_id=supplier_id, actor_id=actor_id, text=csv_text, dry_run=False
    )
    if report.error_rows:
        bad = {str(r.line): r.errors for r in report.rows if r.errors}
        raise Invalid("Some rows are not valid.", fields=bad)
    return len(report.rows)


def ensure_onboarding_defaults() -> None:
    """Insert the default onboarding requirements that are missing (idempotent)."""
    from suppliers.services import vetting as _vetting

    _vetting.ensure_default_requirements()


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


def _item_refs(stmt: Any) -> list[ItemRef]:
    rows = db.session().exec(stmt)
    return [
        ItemRef(
            id=item.id,
            supplier_id=item.supplier_id,
            supplier_name=supplier.name,
            supplier_status=supplier.status,
            kind=item.kind,
            sku=item.sku,
            name=item.name,
            category=item.category,
            unit=item.unit,
            supply_price_minor=item.supply_price_minor,
            stock=item.stock,
            staff_role=item.staff_role,
            duration_minutes=item.duration_minutes,
            slot_times=tuple(item.slot_times),
            slot_capacity=item.slot_capacity,
            is_active=item.is_active,
            images=tuple(item.images),
            service_community_ids=tuple(item.service_community_ids),
        )
        for item, supplier in rows
    ]


def get_items(item_ids: Sequence[int]) -> dict[int, ItemRef]:
    """The items with these ids (missing ids are simply absent)."""
    if not item_ids:
        return {}
    stmt = (
        select(Item, Supplier)
        .join(Supplier, Supplier.id == Item.supplier_id)
        .where(Item.id.in_(list(item_ids)))
    )
    return {ref.id: ref for ref in _item_refs(stmt)}


def find_items(text: str, *, limit: int = 20, sellable_only: bool = True) -> list[ItemRef]:
    """Items whose name, SKU or category contains `text` (for composing bundles)."""
    pattern = f"%{text.strip()}%"
    stmt = (
        select(Item, Supplier)
        .join(Supplier, Supplier.id == Item.supplier_id)
        .where(or_(Item.name.ilike(pattern), Item.sku.ilike(pattern), Item.category.ilike(pattern)))
    )
    if sellable_only:
        stmt = stmt.where(Item.is_active, Supplier.status.in_(tuple(process.SELLING)))
    return _item_refs(stmt.order_by(Item.name).limit(limit))


def supplier_scores(supplier_ids: Sequence[int]) -> dict[int, int]:
    """A ranking figure per supplier from its scorecard; 0 if it has none.

    The promises it keeps count most (the met rate in basis points, up to 10,000), then how
    many compounds it serves (100 each, up to ten): a reliable supplier who serves widely
    comes first among equally relevant bundles.
    """
    if not supplier_ids:
        return {}
    rows = db.session().exec(
        select(Scorecard.supplier_id, Scorecard.met_rate_bp, Scorecard.communities_served).where(
            Scorecard.supplier_id.in_(list(supplier_ids))
        )
    )
    return {sid: met + 100 * min(served, 10) for sid, met, served in rows}


def item_ids_of_supplier(supplier_id: int) -> list[int]:
    """The ids of every item of one supplier."""
    return list(db.session().exec(select(Item.id).where(Item.supplier_id == supplier_id)))


def take_stock(*, item_id: int, quantity: int, reference: str) -> bool:
    """Take stock for an order if enough is left; False otherwise (never below zero)."""
    return _capacity.take_stock(item_id=item_id, quantity=quantity, reference=reference)


def return_stock(*, item_id: int, quantity: int, reference: str) -> None:
    """Give an order's stock back."""
    _capacity.return_stock(item_id=item_id, quantity=quantity, reference=reference)


def take_slot(*, item_id: int, starts_at: datetime, quantity: int = 1) -> bool:
    """Book places in a service slot if free; False when it is full."""
    return _capacity.take_slot(item_id=item_id, starts_at=starts_at, quantity=quantity)


def return_slot(*, item_id: int, starts_at: datetime, quantity: int = 1) -> None:
    """Free places in a service slot."""
    _capacity.return_slot(item_id=item_id, starts_at=starts_at, quantity=quantity)


def slot_remaining(*, item_id: int, starts_at: datetime) -> int:
    """Places still free in a service slot."""
    return _capacity.slot_remaining(item_id=item_id, starts_at=starts_at)


def me_section(user_id: int) -> dict[str, object] | None:
    """What `GET /me` tells a supplier member: the supplier they act for (None for others)."""
    from suppliers.services import access

    supplier_id = access.actor(user_id).supplier_id
    if supplier_id is None:
        return None
    ref = get_supplier(supplier_id)
    return {"id": ref.id, "name": ref.name, "kind": ref.kind, "status": ref.status}
