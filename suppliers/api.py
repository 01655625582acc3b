"""What other packages may use of suppliers: frozen views and the commands they may call."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import gettext as _

from shop.core.errors import Invalid, NotFound
from suppliers import errors as errors  # the refusals other packages may catch
from suppliers.queries import ItemRef as ItemRef
from suppliers.queries import SupplierRef as SupplierRef
from suppliers.queries import count_by_status as count_by_status
from suppliers.queries import find_items as find_items
from suppliers.queries import get_items as get_items
from suppliers.queries import get_supplier as get_supplier
from suppliers.queries import item_ids_of_supplier as item_ids_of_supplier
from suppliers.queries import member_ids as member_ids
from suppliers.queries import open_order_limit as open_order_limit
from suppliers.queries import producers as producers
from suppliers.queries import selling as selling
from suppliers.queries import supplier_ref
from suppliers.queries import supplier_scores as supplier_scores
from suppliers.services import capacity as _capacity
from suppliers.services import items as _items
from suppliers.services import phase as _phase
from suppliers.services import scorecards as _scorecards
from suppliers.services import settlement as _settlement
from suppliers.services import vetting as _vetting

ReadinessSource = _phase.ReadinessSource
#: The columns of an item CSV (`import_items`).
ITEM_CSV_COLUMNS = _items.CSV_COLUMNS
add_item_image = _items.add_image


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
    return supplier_ref(supplier)


def current_phase() -> int:
    """The platform phase in force (1, 2 or 3)."""
    return _phase.current_phase()


def register_readiness_source(app: Flask, source: ReadinessSource) -> None:
    """Add figures computed above (delivered orders, met rate) to the phase readiness check."""
    _phase.register_readiness_source(app, source)


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


update_scorecard = _scorecards.update_scorecard


#: Record a supplier company with its first member (the demo and data imports use this).
register_supplier = _vetting.register_supplier


Figure = _phase.Figure


def readiness(target: int, as_of: datetime | None = None) -> list[Figure]:
    """The readiness figures for entering phase `target`, against the configured thresholds."""
    return _phase.readiness(target, as_of)


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
    _vetting.ensure_default_requirements()


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
