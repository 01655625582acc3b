"""Periodic work of suppliers: graduate probation, flag scorecards under the floor."""

from __future__ import annotations

from datetime import UTC

from flask import current_app
from sqlmodel import select

from shop.core import db
from shop.core.jobs import job
from suppliers import rules
from suppliers.models import Scorecard, Supplier, SupplierStatus
from suppliers.services import vetting


def _card(supplier: Supplier, row: Scorecard | None) -> rules.Card:
    approved = supplier.approved_at
    if approved is not None and approved.tzinfo is None:
        approved = approved.replace(tzinfo=UTC)
    days = (db.utcnow() - approved).days if approved else 0
    if row is None:
        return rules.Card(0, 0, 0, 0, days)
    return rules.Card(
        row.orders_count,
        row.met_rate_bp,
        row.on_time_rate_bp,
        row.refund_rate_bp,
        days,
        row.defect_rate_bp,
    )


@job
def review_probation() -> dict[str, int]:
    """Graduate suppliers whose scorecard meets the rule; flag (or unflag) those under the floor.

    Idempotent: running it twice changes nothing the second time.
    """
    config = current_app.config
    rule = rules.GraduationRule(**config["SUPPLIER_GRADUATION"])
    floor = rules.Floor(**config["SUPPLIER_FLOOR"])
    s = db.session()
    watched = (SupplierStatus.APPROVED_PROBATION.value, SupplierStatus.ACTIVE.value)
    graduated = flagged = 0
    rows = s.exec(
        select(Supplier, Scorecard)
        .join(Scorecard, Scorecard.supplier_id == Supplier.id, isouter=True)
        .where(Supplier.status.in_(watched))
        .order_by(Supplier.id)
    ).all()
    for supplier, row in rows:
        card = _card(supplier, row)
        why = rules.below_floor(card, floor)
        flagged += vetting.mark_below_floor(supplier, why)
        if (
            supplier.status == SupplierStatus.APPROVED_PROBATION
            and why is None
            and rules.graduates(card, rule)
        ):
            vetting.system_transition(
                supplier_id=supplier.id,
                action="graduate",
                reason="scorecard met the graduation rule",
            )
            graduated += 1
    s.flush()
    return {"graduated": graduated, "flagged": flagged}
