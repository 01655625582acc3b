"""Production plans: each week the operator issues a producer what to make, and for whom.

Per item and compound a plan line holds the confirmed pieces (paid orders not yet delivered,
and the pledges of reached custom batches not yet ordered),
the tentative ones (the week's forecast, rounded up), and what to make: their sum, at least
the minimum batch, rounded up to the multiple. The producer answers each line with what it
will make (accepted as planned, or adjusted to its capacity); the operator sees the answers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlmodel import func, select

import suppliers.api
from orders import rules
from orders.errors import NotAProducer, PlanAnswered, PlanExists
from orders.models import (
    CustomBatch,
    DemandForecast,
    Order,
    OrderComponent,
    PlanLine,
    Pledge,
    ProductionPlan,
)
from orders.services.demand import require_phase
from shop.core import audit, db
from shop.core.errors import Forbidden, Invalid, NotFound

#: Orders whose pieces are confirmed demand: paid, not yet delivered.
UNDELIVERED = ("paid", "accepted", "in_progress")


def _confirmed(item_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """Pieces of paid, undelivered orders per (item, compound)."""
    rows = db.session().exec(
        select(OrderComponent.item_id, Order.community_id, func.sum(OrderComponent.quantity))
        .join(Order, Order.id == OrderComponent.order_id)
        .where(OrderComponent.item_id.in_(list(item_ids)), Order.status.in_(UNDELIVERED))
        .group_by(OrderComponent.item_id, Order.community_id)
    )
    confirmed = {(item_id, community_id): int(n) for item_id, community_id, n in rows}
    wanted = set(item_ids)
    for (item_id, community_id), n in _pledged().items():
        if item_id in wanted:
            key = (item_id, community_id)
            confirmed[key] = confirmed.get(key, 0) + n
    return confirmed


#: Pledges a reached batch will turn into orders (once ordered, the orders count instead).
_TO_BE_ORDERED = ("held", "saved", "charge_failed", "captured")


def _pledged() -> dict[tuple[int, int], int]:
    """Pieces of reached batches' pledges not yet orders, per (item, compound)."""
    rows = db.session().exec(
        select(CustomBatch.components, Pledge.community_id, func.sum(Pledge.quantity))
        .join(CustomBatch, CustomBatch.id == Pledge.batch_id)
        .where(
            CustomBatch.status.in_(("reached", "captured")),
            Pledge.fate == "capture",
            Pledge.status.in_(_TO_BE_ORDERED),
        )
        .group_by(CustomBatch.id, Pledge.community_id)
    )
    out: dict[tuple[int, int], int] = {}
    for components, community_id, pledged in rows:
        for c in components:
            key = (c["item_id"], community_id)
            out[key] = out.get(key, 0) + c["quantity"] * int(pledged)
    return out


def _tentative(item_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """The next week's forecast per (item, compound), rounded up (none without a figure)."""
    series = {f"item:{i}": i for i in item_ids}
    rows = db.session().exec(select(DemandForecast).where(DemandForecast.series.in_(list(series))))
    return {
        (series[f.series], f.community_id): math.ceil(f.values[0])
        for f in rows
        if f.values and f.values[0] > 0
    }


def issue_plan(
    *,
    actor_id: int,
    supplier_id: int,
    week: date,
    rules_by_item: Mapping[int, Mapping[str, int]] | None = None,
    deliver_after_days: int = 3,
    deliveries: Mapping[int, date] | None = None,
) -> ProductionPlan:
    """Issue a producer's plan for the week starting `week` (a Monday); once per week.

    `rules_by_item` gives an item's `min_batch` and `multiple` (1 and 1 when not given).
    A compound gets its goods on its day in `deliveries` (within the week), else
    `deliver_after_days` into the week.
    """
    require_phase()
    supplier = suppliers.api.get_supplier(supplier_id)
    if supplier.kind != "producer":
        raise NotAProducer(_("Plans are issued to producers only."))
    if week.weekday() != 0:
        raise Invalid(_("A plan's week starts on a Monday."), fields={"week": [_("A Monday.")]})
    if (
        db.session()
        .exec(
            select(ProductionPlan.id).where(
                ProductionPlan.supplier_id == supplier_id, ProductionPlan.week == week
            )
        )
        .first()
    ):
        raise PlanExists(_("The producer has a plan for that week already."))
    days = dict(deliveries or {})
    if any(not week <= day < week + timedelta(days=7) for day in days.values()):
        message = _("A delivery day falls within the plan's week.")
        raise Invalid(message, fields={"deliveries": [message]})
    plan = ProductionPlan(supplier_id=supplier_id, week=week, issued_by=actor_id)
    db.session().add(plan)
    db.session().flush()
    _add_lines(plan, rules_by_item or {}, days, week + timedelta(days=deliver_after_days))
    audit.record(
        actor_id=actor_id,
        action="plan.issued",
        subject_type="production_plan",
        subject_id=plan.id,
        data={"supplier_id": supplier_id, "week": week.isoformat()},
    )
    db.session().flush()
    return plan


def _add_lines(
    plan: ProductionPlan,
    rules_by_item: Mapping[int, Mapping[str, int]],
    days: Mapping[int, date],
    default_day: date,
) -> None:
    """A line per item and compound with confirmed or forecast pieces."""
    item_ids = suppliers.api.item_ids_of_supplier(plan.supplier_id)
    confirmed, tentative = _confirmed(item_ids), _tentative(item_ids)
    for key in sorted(set(confirmed) | set(tentative)):
        item_id, community_id = key
        batch = {"min_batch": 1, "multiple": 1, **rules_by_item.get(item_id, {})}
        sure, maybe = confirmed.get(key, 0), tentative.get(key, 0)
        db.session().add(
            PlanLine(
                plan_id=plan.id,
                item_id=item_id,
                community_id=community_id,
                confirmed=sure,
                tentative=maybe,
                planned=rules.planned_quantity(sure + maybe, **batch),
                deliver_on=days.get(community_id, default_day),
                **batch,
            )
        )


def answer_plan(
    *, user_id: int, supplier_id: int, plan_id: int, answers: Sequence[Mapping[str, Any]]
) -> ProductionPlan:
    """The producer answers every line: the quantity it will make, and a note if it differs."""
    require_phase()
    suppliers.api.supplier_for(user_id, supplier_id)  # NotFound for another supplier's member
    plan = db.session().get(ProductionPlan, plan_id, with_for_update=True)
    if plan is None or plan.supplier_id != supplier_id:
        raise NotFound(_("No such plan."))
    if plan.status == "answered":
        raise PlanAnswered(_("The plan has been answered already."))
    lines = {
        ln.id: ln for ln in db.session().exec(select(PlanLine).where(PlanLine.plan_id == plan.id))
    }
    given = {int(a["line_id"]): a for a in answers}
    if set(given) != set(lines):
        message = _("Answer every line of the plan, and only those.")
        raise Invalid(message, fields={"lines": [message]})
    for line_id, line in lines.items():
        quantity = int(given[line_id]["quantity"])
        line.answered_quantity = quantity
        line.answer = "accepted" if quantity == line.planned else "adjusted"
        line.note = str(given[line_id].get("note", ""))[:200]
    plan.status, plan.answered_at = "answered", db.utcnow()
    db.session().flush()
    return plan


def may_read(user_id: int, roles: frozenset[str], supplier_id: int) -> None:
    """The operator reads every producer's plans; a member only its own supplier's."""
    if "operator" in roles:
        return
    if "supplier_member" not in roles:
        raise Forbidden(_("You may not see these plans."))
    suppliers.api.supplier_for(user_id, supplier_id)
