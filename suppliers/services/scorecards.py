"""A supplier's measured performance, stored for ranking and probation."""

from __future__ import annotations

from shop.core import db
from suppliers import signals
from suppliers.models import Scorecard


def update_scorecard(
    *,
    supplier_id: int,
    orders_count: int,
    met_rate_bp: int,
    on_time_rate_bp: int,
    refund_rate_bp: int,
    communities_served: int,
    defect_rate_bp: int | None = None,
) -> None:
    """Store a supplier's measured performance (computed by the orders and fulfilment jobs)."""
    card = db.session().get(Scorecard, supplier_id) or Scorecard(supplier_id=supplier_id)
    ranked_before = (card.met_rate_bp, card.communities_served, card.defect_rate_bp)
    card.orders_count, card.met_rate_bp = orders_count, met_rate_bp
    card.on_time_rate_bp, card.refund_rate_bp = on_time_rate_bp, refund_rate_bp
    card.communities_served, card.updated_at = communities_served, db.utcnow()
    card.defect_rate_bp = defect_rate_bp
    db.session().add(card)
    db.session().flush()
    if ranked_before != (met_rate_bp, communities_served, defect_rate_bp):
        signals.scorecard_changed.send(supplier_id)
