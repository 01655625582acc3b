"""Figures measured from orders: phase readiness and supplier scorecards.

Readiness: delivered orders and the met rate. Scorecards: orders, promises met, on time,
refunds and communities served, per supplier, with the 90-day defect rate of the last monthly
snapshot (which ranking and the probation review weigh).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, distinct
from sqlmodel import func, select

import suppliers.api
from orders.models import CommitmentNode, Order, OrderComponent
from shop.core import db
from shop.core.models import MeasureFigure

_TIMED = ("accept", "deliver_window", "arrive_window", "complete")
_REFUNDED = ("refunded", "partially_refunded")


def _rate_bp(part: int, whole: int) -> int | None:
    return None if not whole else part * 10_000 // whole


def readiness(as_of: datetime | None = None) -> dict[str, int | None]:
    """Delivered orders and the share of judged promises kept (bp), up to `as_of` or now."""
    s = db.session()
    delivered = select(func.count()).where(Order.delivered_at.is_not(None))
    judged = select(
        func.coalesce(func.sum(case((CommitmentNode.status == "met", 1), else_=0)), 0),
        func.count(),
    ).where(CommitmentNode.status.in_(("met", "missed")))
    if as_of is not None:
        delivered = delivered.where(Order.delivered_at < as_of)
        judged = judged.where(CommitmentNode.judged_at < as_of)
    met, count = s.exec(judged).one()
    return {
        "delivered_orders": int(s.exec(delivered).one()),
        "met_rate_bp": _rate_bp(int(met), int(count)),
    }


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
    _store_scorecards(orders, promises, _last_defect_rates())
    return len(orders)


def _store_scorecards(orders: Sequence, promises: dict, defects: dict[int, int | None]) -> None:
    for supplier_id, count, refunded, communities in orders:
        met, judged, timed_met, timed = promises.get(supplier_id, (0, 0, 0, 0))
        suppliers.api.update_scorecard(
            supplier_id=supplier_id,
            orders_count=int(count),
            met_rate_bp=10_000 if not judged else _rate_bp(met, judged),
            on_time_rate_bp=10_000 if not timed else _rate_bp(timed_met, timed),
            refund_rate_bp=_rate_bp(int(refunded), int(count)) or 0,
            communities_served=int(communities),
            defect_rate_bp=defects.get(supplier_id),
        )


def _last_defect_rates() -> dict[int, int | None]:
    """Each supplier's 90-day defect rate from the newest monthly snapshot that has them."""
    s = db.session()
    key = "suppliers.defect_rate_90"
    newest = s.exec(
        select(func.max(MeasureFigure.month)).where(
            MeasureFigure.measure == key, MeasureFigure.scope == "supplier"
        )
    ).one()
    if newest is None:
        return {}
    return dict(
        s.exec(
            select(MeasureFigure.scope_id, MeasureFigure.value).where(
                MeasureFigure.measure == key,
                MeasureFigure.scope == "supplier",
                MeasureFigure.month == newest,
            )
        ).all()
    )
