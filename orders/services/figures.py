"""Figures measured from orders: phase readiness and supplier scorecards.

Readiness: delivered orders and the met rate. Scorecards: orders, promises met, on time,
refunds and communities served, per supplier.
"""

from __future__ import annotations

from sqlalchemy import case, distinct
from sqlmodel import func, select

import suppliers.api
from orders.models import CommitmentNode, Order, OrderComponent
from shop.core import db

_TIMED = ("accept", "deliver_window", "arrive_window", "complete")
_REFUNDED = ("refunded", "partially_refunded")


def _rate_bp(part: int, whole: int) -> int | None:
    return None if not whole else part * 10_000 // whole


def readiness() -> dict[str, int | None]:
    """Delivered orders, and the share of judged promises that were kept (basis points)."""
    s = db.session()
    delivered = s.exec(select(func.count()).where(Order.delivered_at.is_not(None))).one()
    met, judged = s.exec(
        select(
            func.coalesce(func.sum(case((CommitmentNode.status == "met", 1), else_=0)), 0),
            func.count(),
        ).where(CommitmentNode.status.in_(("met", "missed")))
    ).one()
    return {"delivered_orders": int(delivered), "met_rate_bp": _rate_bp(int(met), int(judged))}


def update_scorecards() -> int:
    """Measure every supplier with orders and store its scorecard; returns how many."""
    s = db.session()
    orders = s.exec(
        select(
            OrderComponent.supplier_id,
            func.count(distinct(Order.id)),
            func.count(distinct(case((Order.status.in_(_REFUNDED), Order.id)))),
            func.count(distinct(Order.community_id)),
        )
        .join(Order, Order.id == OrderComponent.order_id)
        .where(Order.paid_at.is_not(None))
        .group_by(OrderComponent.supplier_id)
    ).all()
    # A node belongs to a line; the line's components name its suppliers.
    line_suppliers = (
        select(OrderComponent.line_id, OrderComponent.supplier_id).distinct().subquery()
    )
    promises = {
        supplier_id: (int(met), int(judged), int(timed_met), int(timed))
        for supplier_id, met, judged, timed_met, timed in s.exec(
            select(
                line_suppliers.c.supplier_id,
                func.sum(case((CommitmentNode.status == "met", 1), else_=0)),
                func.count(),
                func.sum(
                    case(
                        ((CommitmentNode.status == "met") & CommitmentNode.kind.in_(_TIMED), 1),
                        else_=0,
                    )
                ),
                func.sum(case((CommitmentNode.kind.in_(_TIMED), 1), else_=0)),
            )
            .join(line_suppliers, line_suppliers.c.line_id == CommitmentNode.line_id)
            .where(CommitmentNode.status.in_(("met", "missed")))
            .group_by(line_suppliers.c.supplier_id)
        )
    }
    for supplier_id, count, refunded, communities in orders:
        met, judged, timed_met, timed = promises.get(supplier_id, (0, 0, 0, 0))
        suppliers.api.update_scorecard(
            supplier_id=supplier_id,
            orders_count=int(count),
            met_rate_bp=10_000 if not judged else _rate_bp(met, judged),
            on_time_rate_bp=10_000 if not timed else _rate_bp(timed_met, timed),
            refund_rate_bp=_rate_bp(int(refunded), int(count)) or 0,
            communities_served=int(communities),
        )
    return len(orders)
