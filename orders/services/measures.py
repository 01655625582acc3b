"""The residents' measures (业主), per compound and for the platform, measured from orders.

A month's orders are those paid in it (the order date counts, as marketplace scorecards count
defects against it); a re-run for a past month sees its later verdicts too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlmodel import func, select

from orders.models import (
    BatchEvent,
    CommitmentNode,
    Compensation,
    Complaint,
    Demand,
    Order,
    OrderComponent,
    PlanLine,
    ProductionPlan,
)
from shop.core import db
from shop.core.measures import Figure, Measure, rate_bp
from shop.core.models import Building, ResidentProfile
from shop.core.months import next_month

MEASURES = (
    Measure(
        "residents.promises_kept",
        "residents",
        _l("Promises kept"),
        _l(
            "Promises met ÷ promises judged (met or missed, not waived) of orders paid in the month"
        ),
        "bp",
        amber=9000,
        green=9500,
        public=True,
    ),
    Measure(
        "residents.repeat_rate",
        "residents",
        _l("Repeat purchase"),
        _l("Households ordering this month that ordered before ÷ households ordering this month"),
        "bp",
        amber=3000,
        green=5000,
    ),
    Measure(
        "residents.complaint_rate",
        "residents",
        _l("Complaints"),
        _l("Orders paid in the month with a complaint ÷ orders paid in the month"),
        "bp",
        amber=300,
        green=100,
        lower_is_better=True,
        public=True,
    ),
    Measure(
        "residents.compensation_minor",
        "residents",
        _l("Compensation paid"),
        _l("Sum of the compensations paid in the month for missed promises (fen)"),
        "minor",
        amber=50_000,
        green=10_000,
        lower_is_better=True,
    ),
    Measure(
        "residents.penetration",
        "residents",
        _l("Households ordering"),
        _l("Households with an order paid in the month ÷ registered households"),
        "bp",
        amber=1000,
        green=3000,
    ),
    Measure(
        "residents.care_served",
        "residents",
        _l("Care households served"),
        _l("Care-segment households with an order paid in the month ÷ care-segment households"),
        "bp",
        amber=2000,
        green=4000,
        public=True,
    ),
)

_Counts = dict[int, list]  # compound -> [part, whole, order ids]


def _new() -> _Counts:
    return defaultdict(lambda: [0, 0, []])


def _figures(
    key: str, counts: _Counts, *, share: bool = True, scope: str = "compound"
) -> list[Figure]:
    """Per scope and for the platform: a share (part ÷ whole) or a sum (part, n = whole)."""
    out, total = [], [0, 0, []]
    for community_id, (part, whole, orders) in sorted(counts.items()):
        value = rate_bp(part, whole) if share else part
        out.append(Figure(key, scope, community_id, value, whole, tuple(orders)))
        total[0], total[1], total[2] = total[0] + part, total[1] + whole, total[2] + orders
    value = rate_bp(total[0], total[1]) if share else total[0]
    return [*out, Figure(key, "platform", 0, value, total[1], tuple(total[2]))]


def measure(month: date, start: datetime, end: datetime) -> Iterable[Figure]:
    """The residents' figures of one month."""
    s = db.session()
    orders = s.exec(
        select(Order.id, Order.community_id, Order.resident_id).where(
            Order.paid_at >= start, Order.paid_at < end
        )
    ).all()
    compound_of = {order_id: community_id for order_id, community_id, _r in orders}
    return [
        *_promises(compound_of),
        *_repeat(orders, start),
        *_complaints(compound_of),
        *_compensation(start, end),
        *_households(orders),
    ]


def _promises(compound_of: dict[int, int]) -> list[Figure]:
    counts = _new()
    for order_id, status in db.session().exec(
        select(CommitmentNode.order_id, CommitmentNode.status).where(
            CommitmentNode.order_id.in_(list(compound_of)),
            CommitmentNode.status.in_(("met", "missed")),
        )
    ):
        row = counts[compound_of[order_id]]
        row[0] += status == "met"
        row[1] += 1
        if status == "missed":
            row[2].append(order_id)
    return _figures("residents.promises_kept", counts)


def _repeat(orders: list, start: datetime) -> list[Figure]:
    households = {(community_id, resident) for _o, community_id, resident in orders}
    before = set(
        db.session().exec(
            select(Order.resident_id)
            .where(
                Order.paid_at < start,
                Order.resident_id.in_(sorted({r for _c, r in households})),
            )
            .distinct()
        )
    )
    counts = _new()
    for community_id, resident in households:
        counts[community_id][0] += resident in before
        counts[community_id][1] += 1
    return _figures("residents.repeat_rate", counts)


def _complaints(compound_of: dict[int, int]) -> list[Figure]:
    complained = set(
        db.session().exec(
            select(Complaint.order_id).where(Complaint.order_id.in_(list(compound_of))).distinct()
        )
    )
    counts = _new()
    for order_id, community_id in compound_of.items():
        counts[community_id][1] += 1
        if order_id in complained:
            counts[community_id][0] += 1
            counts[community_id][2].append(order_id)
    return _figures("residents.complaint_rate", counts)


def _compensation(start: datetime, end: datetime) -> list[Figure]:
    counts = _new()
    for order_id, community_id, amount in db.session().exec(
        select(Compensation.order_id, Order.community_id, Compensation.amount_minor)
        .join(Order, Order.id == Compensation.order_id)
        .where(Compensation.created_at >= start, Compensation.created_at < end)
    ):
        counts[community_id][0] += amount
        counts[community_id][1] += 1
        counts[community_id][2].append(order_id)
    return _figures("residents.compensation_minor", counts, share=False)


def _households(orders: list) -> list[Figure]:
    ordering = {resident for _o, _c, resident in orders}
    everyone, care = _new(), _new()
    for user_id, community_id, segment in db.session().exec(
        select(ResidentProfile.user_id, Building.community_id, ResidentProfile.segment).join(
            Building, Building.id == ResidentProfile.building_id
        )
    ):
        for counts, counted in ((everyone, True), (care, segment == "care")):
            if counted:
                counts[community_id][0] += user_id in ordering
                counts[community_id][1] += 1
    return [
        *_figures("residents.penetration", everyone),
        *_figures("residents.care_served", care),
    ]


SUPPLIER_MEASURES = (
    Measure(
        "suppliers.sales_minor",
        "suppliers",
        _l("Sales"),
        _l("Settlement value of the supplier's items in orders paid in the month (fen)"),
        "minor",
        amber=100_000,
        green=500_000,
    ),
    Measure(
        "suppliers.growth",
        "suppliers",
        _l("Sales growth"),
        _l("This month's sales ÷ last month's, less one"),
        "bp",
        amber=0,
        green=1000,
    ),
    Measure(
        "suppliers.refund_rate_30",
        "suppliers",
        _l("Refunds, 30 days"),
        _l("Orders paid in the 30 days to the month's end, later refunded ÷ those orders"),
        "bp",
        amber=300,
        green=100,
        lower_is_better=True,
    ),
    Measure(
        "suppliers.defect_rate_90",
        "suppliers",
        _l("Defects, 90 days"),
        _l(
            "Orders paid in the 90 days to the month's end with a missed promise, a complaint "
            "or a refund ÷ those orders (counted against the order date)"
        ),
        "bp",
        amber=500,
        green=200,
        lower_is_better=True,
    ),
    Measure(
        "suppliers.demand_met",
        "suppliers",
        _l("Demand met"),
        _l(
            "Pieces the producer answered it would make, up to what was asked, ÷ pieces asked "
            "(confirmed and forecast) in its production plans for the weeks starting in the "
            "month; an unanswered line makes none"
        ),
        "bp",
        amber=8000,
        green=9500,
    ),
)
_REFUNDED = ("refunded", "partially_refunded")


def _sales(start: datetime, end: datetime) -> dict[int, int]:
    rows = db.session().exec(
        select(
            OrderComponent.supplier_id,
            func.sum(OrderComponent.settlement_price_minor * OrderComponent.quantity),
        )
        .join(Order, Order.id == OrderComponent.order_id)
        .where(Order.paid_at >= start, Order.paid_at < end)
        .group_by(OrderComponent.supplier_id)
    )
    return {supplier_id: int(total) for supplier_id, total in rows}


def _supplier_orders(since: datetime, end: datetime) -> dict[int, dict[int, str]]:
    """Each supplier's orders paid in [since, end), with their status."""
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for supplier_id, order_id, status in db.session().exec(
        select(OrderComponent.supplier_id, Order.id, Order.status)
        .join(Order, Order.id == OrderComponent.order_id)
        .where(Order.paid_at >= since, Order.paid_at < end)
        .distinct()
    ):
        out[supplier_id][order_id] = status
    return out


def measure_suppliers(month: date, start: datetime, end: datetime) -> Iterable[Figure]:
    """The suppliers' figures of one month (windows end with the month)."""
    this, last = _sales(start, end), _sales((start - timedelta(days=1)).replace(day=1), start)
    out = []
    for supplier_id in sorted(set(this) | set(last)):
        now, before = this.get(supplier_id, 0), last.get(supplier_id, 0)
        growth = (now - before) * 10_000 // before if before else None
        out.append(Figure("suppliers.sales_minor", "supplier", supplier_id, now, 1))
        out.append(Figure("suppliers.growth", "supplier", supplier_id, growth, 2))
    out.append(Figure("suppliers.sales_minor", "platform", 0, sum(this.values()), len(this)))
    out += _defects("suppliers.refund_rate_30", end - timedelta(days=30), end, refunds_only=True)
    out += _defects("suppliers.defect_rate_90", end - timedelta(days=90), end, refunds_only=False)
    return out + _demand_met(month)


def _demand_met(month: date) -> list[Figure]:
    """Per producer: of the pieces its plans for the month's weeks asked, those it took on."""
    counts = _new()
    after = next_month(month)
    for supplier_id, asked, answered in db.session().exec(
        select(
            ProductionPlan.supplier_id,
            PlanLine.confirmed + PlanLine.tentative,
            PlanLine.answered_quantity,
        )
        .join(ProductionPlan, ProductionPlan.id == PlanLine.plan_id)
        .where(ProductionPlan.week >= month, ProductionPlan.week < after)
    ):
        counts[supplier_id][0] += min(answered or 0, asked)
        counts[supplier_id][1] += asked
    return _figures("suppliers.demand_met", counts, scope="supplier")


def _defects(key: str, since: datetime, end: datetime, *, refunds_only: bool) -> list[Figure]:
    by_supplier = _supplier_orders(since, end)
    every = sorted({o for orders in by_supplier.values() for o in orders})
    flawed: set[int] = set()
    if not refunds_only:
        missed = db.session().exec(
            select(CommitmentNode.order_id).where(
                CommitmentNode.order_id.in_(every), CommitmentNode.status == "missed"
            )
        )
        complained = db.session().exec(
            select(Complaint.order_id).where(Complaint.order_id.in_(every))
        )
        flawed = set(missed) | set(complained)
    counts = _new()
    for supplier_id, orders in by_supplier.items():
        for order_id, status in orders.items():
            bad = status in _REFUNDED or order_id in flawed
            counts[supplier_id][0] += bad
            counts[supplier_id][1] += 1
            if bad:
                counts[supplier_id][2].append(order_id)
    return _figures(key, counts, scope="supplier")


PROJECT_MEASURES = (
    Measure(
        "project.gmv_minor",
        "project",
        _l("GMV"),
        _l("Totals of the orders paid in the month (fen)"),
        "minor",
        amber=1_000_000,
        green=5_000_000,
    ),
    Measure(
        "project.margin",
        "project",
        _l("Margin"),
        _l("(Order totals − suppliers' settlement − compensation paid) ÷ order totals"),
        "bp",
        amber=1000,
        green=1800,
    ),
    Measure(
        "project.revenue_per_household_minor",
        "project",
        _l("Revenue per household"),
        _l("Order totals of the month ÷ registered households (fen)"),
        "minor",
        amber=3000,
        green=10_000,
    ),
    Measure(
        "project.compensation_cost",
        "project",
        _l("Cost of compensation"),
        _l("Compensation paid in the month ÷ order totals of the month"),
        "bp",
        amber=100,
        green=30,
        lower_is_better=True,
    ),
    Measure(
        "committee.complaints_answered",
        "committee",
        _l("Complaints answered within a day"),
        _l("Complaints filed in the month answered within 24 hours ÷ complaints filed"),
        "bp",
        amber=8000,
        green=9500,
        public=True,
    ),
    Measure(
        "platform.demand_answered",
        "platform",
        _l("Demand answered"),
        _l("Demands opened in the month and answered, batched or declined with a reason ÷ opened"),
        "bp",
        amber=5000,
        green=8000,
    ),
    Measure(
        "platform.batches_reached",
        "platform",
        _l("Batches reached"),
        _l("Custom batches decided in the month that reached their threshold ÷ decided"),
        "bp",
        amber=4000,
        green=7000,
    ),
)
ANSWER_WITHIN = timedelta(hours=24)


def measure_project(month: date, start: datetime, end: datetime) -> Iterable[Figure]:
    """The project's money, the committee's complaint answers, the platform's demand work."""
    s = db.session()
    totals, costs, comp, homes = _new(), _new(), _new(), _new()
    for community_id, total, cost in s.exec(
        select(
            Order.community_id,
            func.sum(Order.total_minor),
            select(
                func.coalesce(
                    func.sum(OrderComponent.settlement_price_minor * OrderComponent.quantity), 0
                )
            )
            .where(OrderComponent.order_id == Order.id)
            .scalar_subquery(),
        )
        .where(Order.paid_at >= start, Order.paid_at < end)
        .group_by(Order.id, Order.community_id)
    ):
        totals[community_id][0] += int(total)
        costs[community_id][0] += int(cost)
    for f in _compensation(start, end):
        if f.scope == "compound":
            comp[f.scope_id][0] = f.value or 0
    for _user, community_id in s.exec(
        select(ResidentProfile.user_id, Building.community_id).join(
            Building, Building.id == ResidentProfile.building_id
        )
    ):
        homes[community_id][1] += 1
    return [
        *_figures("project.gmv_minor", totals, share=False),
        *_money_shares(totals, costs, comp, homes),
        *_answered(start, end),
        *_platform(start, end),
    ]


def _money_shares(totals: _Counts, costs: _Counts, comp: _Counts, homes: _Counts) -> list[Figure]:
    margin, per_home, cost = _new(), _new(), _new()
    for cid in set(totals) | set(homes):
        gmv = totals[cid][0]
        margin[cid][0], margin[cid][1] = gmv - costs[cid][0] - comp[cid][0], gmv
        cost[cid][0], cost[cid][1] = comp[cid][0], gmv
        per_home[cid][0], per_home[cid][1] = gmv, homes[cid][1]
    per_household = [  # a share in basis points is 10,000 times the fen per household
        Figure(f.measure, f.scope, f.scope_id, f.value and f.value // 10_000, f.n)
        for f in _figures("project.revenue_per_household_minor", per_home)
    ]
    return [
        *_figures("project.margin", margin),
        *per_household,
        *_figures("project.compensation_cost", cost),
    ]


def _answered(start: datetime, end: datetime) -> list[Figure]:
    counts = _new()
    for community_id, filed, answered in db.session().exec(
        select(Order.community_id, Complaint.created_at, Complaint.resolved_at)
        .join(Order, Order.id == Complaint.order_id)
        .where(Complaint.created_at >= start, Complaint.created_at < end)
    ):
        on_time = answered is not None and db.aware(answered) - db.aware(filed) <= ANSWER_WITHIN
        counts[community_id][0] += on_time
        counts[community_id][1] += 1
    return _figures("committee.complaints_answered", counts)


def _platform(start: datetime, end: datetime) -> list[Figure]:
    s = db.session()
    demands = _new()
    for community_id, status in s.exec(
        select(Demand.community_id, Demand.status).where(
            Demand.created_at >= start, Demand.created_at < end
        )
    ):
        demands[community_id][0] += status != "open"
        demands[community_id][1] += 1
    reached = [0, 0]
    for (status,) in s.exec(
        select(BatchEvent.to_status).where(
            BatchEvent.at >= start, BatchEvent.at < end, BatchEvent.action.in_(("reach", "fail"))
        )
    ):
        reached[0] += status == "reached"
        reached[1] += 1
    batches = Figure("platform.batches_reached", "platform", 0, rate_bp(*reached), reached[1])
    return [*_figures("platform.demand_answered", demands), batches]
