"""Reads of orders returning frozen views: what to prepare, demand, plans, batches, pledges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import func, select

import suppliers.api
import suppliers.catalogue.api as catalogue
from orders.models import (
    BatchCompound,
    Complaint,
    CustomBatch,
    DeliveryWindow,
    Demand,
    DemandForecast,
    DemandRequest,
    DemandWeek,
    Order,
    OrderComponent,
    PlanLine,
    Pledge,
    ProductionPlan,
)
from shop.core import db
from shop.core.errors import NotFound
from shop.core.models import Community
from shop.core.values import view_of

#: Orders whose goods are still to be made ready: paid or accepted, not yet picked up.
TO_PREPARE = ("paid", "accepted")


def local_today() -> date:
    """Today in the platform's time zone."""
    return db.utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


@dataclass(frozen=True)
class PrepItem:
    """One item of one window: the total and the quantity per community."""

    item_id: int
    name: str
    kind: str
    quantity: int
    by_community: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PrepWindow:
    """A delivery window (or a service's start time) and what goes out in it."""

    day: date
    starts_at: datetime
    ends_at: datetime | None
    orders: int
    items: tuple[PrepItem, ...]


def orders_to_prepare(supplier_id: int, *, start: date, days: int = 7) -> list[PrepWindow]:
    """The supplier's components of paid and accepted orders due from `start` for `days` days.

    Grouped by local day and window, each item totalled and split per community. Only this
    supplier's components are read: another supplier's lines in the same order stay out.
    """
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    s = db.session()
    rows = s.exec(
        select(OrderComponent, Order, DeliveryWindow, Community.name)
        .join(Order, Order.id == OrderComponent.order_id)
        .join(Community, Community.id == Order.community_id)
        .outerjoin(DeliveryWindow, DeliveryWindow.id == Order.window_id)
        .where(OrderComponent.supplier_id == supplier_id, Order.status.in_(TO_PREPARE))
    ).all()
    until = start + timedelta(days=days)
    windows: dict[tuple[datetime, datetime | None], dict[int, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    names: dict[int, tuple[str, str]] = {}
    orders: dict[tuple[datetime, datetime | None], set[int]] = defaultdict(set)
    for component, order, window, community in rows:
        if window is not None:
            key = (db.aware(window.starts_at), db.aware(window.ends_at))
        elif order.slot_starts_at is not None:
            key = (db.aware(order.slot_starts_at), None)
        else:
            continue
        if not start <= key[0].astimezone(tz).date() < until:
            continue
        windows[key][component.item_id][community] += component.quantity
        names[component.item_id] = (component.name, component.kind)
        orders[key].add(order.id)
    return [
        _prep_window(key, windows[key], names, len(orders[key]), tz)
        for key in sorted(windows, key=lambda k: k[0])
    ]


def _prep_window(
    key: tuple[datetime, datetime | None],
    per_item: dict[int, dict[str, int]],
    names: dict[int, tuple[str, str]],
    order_count: int,
    tz: ZoneInfo,
) -> PrepWindow:
    """One window of the preparation list: each item totalled and split per community."""
    items = tuple(
        PrepItem(
            item_id=item_id,
            name=names[item_id][0],
            kind=names[item_id][1],
            quantity=sum(per.values()),
            by_community=tuple(sorted(per.items())),
        )
        for item_id, per in sorted(per_item.items(), key=lambda kv: names[kv[0]][0])
    )
    return PrepWindow(
        day=key[0].astimezone(tz).date(),
        starts_at=key[0].astimezone(tz),
        ends_at=key[1].astimezone(tz) if key[1] else None,
        orders=order_count,
        items=items,
    )


def order_row(order_id: int) -> Order:
    """The order with this id, for building a view. Raises NotFound."""
    order = db.session().get(Order, order_id)
    if order is None:
        raise NotFound(_("No such order."))
    return order


def window_of(order: Order) -> DeliveryWindow | None:
    """The delivery window an order chose, if it chose one."""
    return db.session().get(DeliveryWindow, order.window_id) if order.window_id else None


@dataclass(frozen=True)
class DemandView:
    """A demand as the board and the residents see it."""

    id: int
    community_id: int
    category_id: int | None
    title: str
    status: str
    households: int
    quantity: int
    answer_bundle_id: int | None
    reason: str
    created_at: datetime
    decided_at: datetime | None
    #: The viewer's household counts in it.
    mine: bool = False


@dataclass(frozen=True)
class DemandRequestView:
    """A household's request with its demand."""

    id: int
    text: str
    quantity: int
    frequency: str
    wanted_by: date | None
    source: str
    created_at: datetime
    demand: DemandView


def _demand_view(demand: Demand, mine: bool = False) -> DemandView:
    return view_of(
        DemandView,
        demand,
        created_at=db.aware(demand.created_at),
        decided_at=demand.decided_at and db.aware(demand.decided_at),
        mine=mine,
    )


def demand_view(demand_id: int, viewer_id: int | None = None) -> DemandView:
    """One demand (NotFound if there is none)."""
    demand = db.session().get(Demand, demand_id)
    if demand is None:
        raise NotFound(_("No such demand."))
    mine = viewer_id is not None and _counted(demand.id, viewer_id)
    return _demand_view(demand, mine)


def _counted(demand_id: int, resident_id: int) -> bool:
    return (
        db.session()
        .exec(
            select(DemandRequest.id).where(
                DemandRequest.demand_id == demand_id, DemandRequest.resident_id == resident_id
            )
        )
        .first()
        is not None
    )


def demand_board(
    *, community_id: int | None, category_id: int | None, status: str, viewer_id: int | None = None
) -> list[DemandView]:
    """Demands by households, most first: one compound's, or every compound's (the operator)."""
    stmt = select(Demand).where(Demand.status == status)
    if community_id is not None:
        stmt = stmt.where(Demand.community_id == community_id)
    if category_id is not None:
        stmt = stmt.where(Demand.category_id == category_id)
    rows = list(db.session().exec(stmt.order_by(Demand.households.desc(), Demand.id).limit(200)))
    mine: set[int] = set()
    if viewer_id is not None and rows:
        mine = set(
            db.session().exec(
                select(DemandRequest.demand_id).where(
                    DemandRequest.resident_id == viewer_id,
                    DemandRequest.demand_id.in_([d.id for d in rows]),
                )
            )
        )
    return [_demand_view(d, d.id in mine) for d in rows]


def request_view(request: DemandRequest, viewer_id: int) -> DemandRequestView:
    """A request with its demand, as its household sees it."""
    return view_of(
        DemandRequestView,
        request,
        created_at=db.aware(request.created_at),
        demand=demand_view(request.demand_id, viewer_id),
    )


def my_requests(resident_id: int) -> list[DemandRequestView]:
    """The household's requests, newest first, each with what became of its demand."""
    rows = db.session().exec(
        select(DemandRequest)
        .where(DemandRequest.resident_id == resident_id)
        .order_by(DemandRequest.id.desc())
        .limit(100)
    )
    return [request_view(r, resident_id) for r in rows]


@dataclass(frozen=True)
class ForecastView:
    """A demand series of a compound: its recent weeks, the next four, and how sure it is."""

    community_id: int
    series: str
    #: The item's or category's name.
    label: str
    #: The last eight complete weeks, oldest first (delivered + asked).
    recent: tuple[int, ...]
    weeks: int
    pattern: str
    method: str
    values: tuple[float, ...]
    mase: float | None
    wape: float | None
    reason: str
    made_at: datetime


def forecasts(community_id: int | None = None) -> list[ForecastView]:
    """The forecasts the refresh job wrote, busiest series first (one compound, or all)."""
    s = db.session()
    stmt = select(DemandForecast)
    if community_id is not None:
        stmt = stmt.where(DemandForecast.community_id == community_id)
    rows = list(s.exec(stmt))
    recent: dict[tuple[int, str], list[DemandWeek]] = defaultdict(list)
    for week in s.exec(select(DemandWeek).order_by(DemandWeek.week)):
        recent[(week.community_id, week.series)].append(week)
    names = _series_names([r.series for r in rows])
    views = []
    for row in rows:
        weeks = recent[(row.community_id, row.series)][-8:]
        views.append(
            view_of(
                ForecastView,
                row,
                label=names.get(row.series, row.series),
                recent=tuple(w.delivered + w.asked for w in weeks),
                values=tuple(row.values),
                made_at=db.aware(row.made_at),
            )
        )
    return sorted(views, key=lambda v: (-sum(v.values), v.community_id, v.series))


def _series_names(series: list[str]) -> dict[str, str]:
    """Each series' item or category name."""
    item_ids = [int(s.split(":")[1]) for s in series if s.startswith("item:")]
    items = suppliers.api.get_items(item_ids)
    categories = {c.id: c.name for c in catalogue.list_categories(None)}
    names = {f"item:{i}": item.name for i, item in items.items()}
    names.update({f"category:{i}": name for i, name in categories.items()})
    return names


@dataclass(frozen=True)
class PlanLineView:
    """A plan line with the item's and the compound's names."""

    id: int
    item_id: int
    item: str
    community_id: int
    community: str
    confirmed: int
    tentative: int
    min_batch: int
    multiple: int
    planned: int
    deliver_on: date
    answer: str
    answered_quantity: int | None
    note: str


@dataclass(frozen=True)
class PlanView:
    """A producer's plan for a week and how it was answered."""

    id: int
    supplier_id: int
    week: date
    status: str
    issued_at: datetime
    answered_at: datetime | None
    lines: tuple[PlanLineView, ...]


def plans_of(supplier_id: int, *, plan_id: int | None = None) -> list[PlanView]:
    """A producer's plans, newest week first (or the one plan asked for)."""
    stmt = select(ProductionPlan).where(ProductionPlan.supplier_id == supplier_id)
    if plan_id is not None:
        stmt = stmt.where(ProductionPlan.id == plan_id)
    rows = list(db.session().exec(stmt.order_by(ProductionPlan.week.desc()).limit(26)))
    lines = lines_by_plan([p.id for p in rows])
    items = suppliers.api.get_items(sorted({ln.item_id for ls in lines.values() for ln in ls}))
    places = {c.id: c.name for c in db.session().exec(select(Community))}
    return [
        view_of(
            PlanView,
            plan,
            issued_at=db.aware(plan.issued_at),
            answered_at=plan.answered_at and db.aware(plan.answered_at),
            lines=tuple(
                view_of(
                    PlanLineView,
                    ln,
                    item=items[ln.item_id].name if ln.item_id in items else "",
                    community=places.get(ln.community_id, ""),
                )
                for ln in lines[plan.id]
            ),
        )
        for plan in rows
    ]


def lines_by_plan(plan_ids: Sequence[int]) -> dict[int, list[PlanLine]]:
    """Each plan's lines, by item then compound."""
    out: dict[int, list[PlanLine]] = defaultdict(list)
    for line in db.session().exec(
        select(PlanLine)
        .where(PlanLine.plan_id.in_(list(plan_ids)))
        .order_by(PlanLine.item_id, PlanLine.community_id)
    ):
        out[line.plan_id].append(line)
    return out


def bundle_matches(text: str, viewer: str | None) -> list[tuple[int, str]]:
    """Bundles on sale a resident asking for `text` may have meant: (id, title), top three."""
    hits, _partial = catalogue.search_bundles(text, viewer=viewer, limit=3)
    return [(h.card.id, h.card.title) for h in hits]


#: Pledges with the card in hand (held or saved): what the counters count.
_IN_HAND = ("held", "saved")


@dataclass(frozen=True)
class BatchCompoundView:
    """A compound of a batch: its threshold and the pieces pledged there (cards in hand)."""

    community_id: int
    community: str
    #: The compound's own minimum, or None (only the batch's overall minimum counts).
    min_quantity: int | None
    pledged: int
    waiting: int
    outcome: str


@dataclass(frozen=True)
class BatchView:
    """A custom batch as residents, its producer and the operator read it."""

    id: int
    supplier_id: int
    supplier: str
    bundle_id: int
    title: str
    description: str
    price_minor: int
    currency: str
    min_quantity: int
    cap: int | None
    deadline: datetime
    delivery_date: date
    status: str
    decided_at: datetime | None
    reason: str
    demand_id: int | None
    #: Pieces pledged with a card in hand, not waiting; `waiting` those beyond the cap.
    pledged: int
    waiting: int
    compounds: tuple[BatchCompoundView, ...]


def _fills(batch_ids: Sequence[int]) -> dict[tuple[int, int, bool], int]:
    rows = db.session().exec(
        select(Pledge.batch_id, Pledge.community_id, Pledge.waiting, func.sum(Pledge.quantity))
        .where(Pledge.batch_id.in_(list(batch_ids)), Pledge.status.in_(_IN_HAND))
        .group_by(Pledge.batch_id, Pledge.community_id, Pledge.waiting)
    )
    return {(b, c, bool(w)): int(n) for b, c, w, n in rows}


def batch_views(rows: Sequence[CustomBatch]) -> list[BatchView]:
    """The batches with their counters, one query for all of them."""
    ids = [b.id for b in rows]
    if not ids:
        return []
    fills = _fills(ids)
    offered: dict[int, list[BatchCompound]] = defaultdict(list)
    for c in db.session().exec(
        select(BatchCompound).where(BatchCompound.batch_id.in_(ids)).order_by(BatchCompound.id)
    ):
        offered[c.batch_id].append(c)
    places = {c.id: c.name for c in db.session().exec(select(Community))}
    names = {
        sid: suppliers.api.get_supplier(sid).name for sid in sorted({b.supplier_id for b in rows})
    }
    out = []
    for b in rows:
        compounds = tuple(
            view_of(
                BatchCompoundView,
                c,
                community=places.get(c.community_id, ""),
                pledged=fills.get((b.id, c.community_id, False), 0),
                waiting=fills.get((b.id, c.community_id, True), 0),
            )
            for c in offered[b.id]
        )
        out.append(
            view_of(
                BatchView,
                b,
                supplier=names[b.supplier_id],
                deadline=db.aware(b.deadline),
                decided_at=b.decided_at and db.aware(b.decided_at),
                pledged=sum(c.pledged for c in compounds),
                waiting=sum(c.waiting for c in compounds),
                compounds=compounds,
            )
        )
    return out


def batch_view(batch_id: int) -> BatchView:
    """One batch; NotFound if there is none."""
    row = db.session().get(CustomBatch, batch_id)
    if row is None:
        raise NotFound(_("No such batch."))
    return batch_views([row])[0]


def batches(
    *,
    community_id: int | None = None,
    supplier_id: int | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 100,
) -> tuple[list[BatchView], int]:
    """A page of batches (newest first) and how many there are in all.

    Those offered to a compound, those of a producer, or those of a status.
    """
    stmt = select(CustomBatch)
    if community_id is not None:
        offered = select(BatchCompound.batch_id).where(BatchCompound.community_id == community_id)
        stmt = stmt.where(CustomBatch.id.in_(offered))
    if supplier_id is not None:
        stmt = stmt.where(CustomBatch.supplier_id == supplier_id)
    if status:
        stmt = stmt.where(CustomBatch.status == status)
    rows, total = db.page(stmt.order_by(CustomBatch.id.desc()), page, per_page)
    return batch_views(rows), total


def offered_to(batch_id: int, community_id: int) -> bool:
    """Whether a batch is offered to this compound."""
    found = db.session().exec(
        select(BatchCompound.id).where(
            BatchCompound.batch_id == batch_id, BatchCompound.community_id == community_id
        )
    )
    return found.first() is not None


@dataclass(frozen=True)
class PledgeView:
    """A resident's pledge: what, how it is paid, and what became of it."""

    id: int
    batch_id: int
    batch_title: str
    batch_status: str
    deadline: datetime
    quantity: int
    amount_minor: int
    currency: str
    #: "hold" (the amount is held on the card) or "saved_card" (charged at the deadline).
    mode: str
    status: str
    waiting: bool
    fix_by: datetime | None
    order_id: int | None
    reason: str
    created_at: datetime
    #: For Stripe.js to finish 3-D Secure while the status is pending_card.
    client_secret: str


def pledge_views(resident_id: int, *, pledge_id: int | None = None) -> list[PledgeView]:
    """A resident's pledges, newest first (or the one asked for)."""
    stmt = (
        select(Pledge, CustomBatch)
        .join(CustomBatch, CustomBatch.id == Pledge.batch_id)
        .where(Pledge.resident_id == resident_id)
    )
    if pledge_id is not None:
        stmt = stmt.where(Pledge.id == pledge_id)
    return [
        view_of(
            PledgeView,
            p,
            batch_title=b.title,
            batch_status=b.status,
            deadline=db.aware(b.deadline),
            fix_by=p.fix_by and db.aware(p.fix_by),
            created_at=db.aware(p.created_at),
            client_secret=p.client_secret if p.status == "pending_card" else "",
        )
        for p, b in db.session().exec(stmt.order_by(Pledge.id.desc()).limit(100))
    ]


def pledge_view(pledge_id: int, resident_id: int) -> PledgeView:
    """One of the resident's pledges; NotFound for another's."""
    found = pledge_views(resident_id, pledge_id=pledge_id)
    if not found:
        raise NotFound(_("No such pledge."))
    return found[0]


def complaint_times(order_ids: Sequence[int]) -> list[tuple[int, datetime, datetime | None]]:
    """(order id, filed at, answered at or None) of every complaint about these orders."""
    if not order_ids:
        return []
    rows = db.session().exec(
        select(Complaint.order_id, Complaint.created_at, Complaint.resolved_at).where(
            Complaint.order_id.in_(list(order_ids))
        )
    )
    return [(o, db.aware(at), done and db.aware(done)) for o, at, done in rows]
