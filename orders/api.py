"""What other packages may use of orders: frozen views and the residents' commands."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app

import suppliers.api
import suppliers.catalogue.api as catalogue
from orders import errors as errors  # the refusals other packages may catch
from orders import models, process, queries
from orders.errors import WrongConfirmationCode as WrongConfirmationCode  # for fulfilment
from orders.models import Order
from orders.services import (
    aftersale,
    batches,
    commitments,
    credits,
    demand,
    gateway,
    milestones,
    payments,
    plans,
    pledges,
    windows,
)
from orders.services import checkout as services
from shop.core import accounts, db
from shop.core.errors import DomainError
from shop.core.schemas import load_or_refuse
from shop.core.values import view_of

Choice = windows.Choice
#: Every order status, in the order of the process.
STATUSES = models.STATUSES


@dataclass(frozen=True)
class LineView:
    """A line of an order."""

    title: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int


@dataclass(frozen=True)
class EventView:
    """A step of an order's timeline."""

    at: datetime
    action: str
    actor_role: str
    to_status: str


@dataclass(frozen=True)
class ComplaintView:
    """A resident's complaint and its answer."""

    id: int
    order_id: int
    text: str
    status: str
    created_at: datetime
    resolution: str


def _complaint(c: Any) -> ComplaintView:
    return ComplaintView(c.id, c.order_id, c.text, c.status, c.created_at, c.resolution)


@dataclass(frozen=True)
class OrderView:
    """An order as its resident sees it."""

    id: int
    status: str
    currency: str
    total_minor: int
    paid_minor: int
    refunded_minor: int
    delivery_mode: str
    window_start: datetime | None
    window_end: datetime | None
    slot_starts_at: datetime | None
    address: str
    note: str
    confirmation_code: str
    created_at: datetime
    expires_at: datetime
    lines: tuple[LineView, ...]
    events: tuple[EventView, ...]
    promises: tuple[commitments.NodeView, ...] = ()
    delivered_at: datetime | None = None
    #: Credit used at checkout, and credit given back (cancelled, expired, refunded).
    credit_minor: int = 0
    credit_back_minor: int = 0
    #: Within the after-sale window (a complaint may be filed) and whether one is open.
    after_sale_open: bool = False
    complaints: tuple[ComplaintView, ...] = ()
    #: The resident may still agree that staff come before the window, and whether they did.
    early_open: bool = False
    early_accepted: bool = False
    #: Made for the resident by a custom batch: delivered on the batch's day, not cancellable.
    made_to_order: bool = False

    @property
    def net_minor(self) -> int:
        """What the resident has paid (card and credit) and kept paid."""
        return self.paid_minor + self.credit_minor - self.refunded_minor - self.credit_back_minor

    @property
    def can_cancel(self) -> bool:
        """Still before dispatch, and not made to order."""
        return self.status in process.CANCELLABLE and not self.made_to_order

    @property
    def complaint_open(self) -> bool:
        """A complaint waits for the operator."""
        return any(c.status == "open" for c in self.complaints)

    @property
    def can_complain(self) -> bool:
        """Delivered, within the after-sale window, and no complaint open."""
        return self.after_sale_open and not self.complaint_open

    @property
    def can_confirm(self) -> bool:
        """Delivered and not complained about: the resident may confirm receipt."""
        return self.status == "delivered" and not self.complaint_open

    @property
    def can_pay(self) -> bool:
        """Waiting for payment."""
        return self.status == "pending_payment"


def _early_open(order: Order, promises: Sequence[commitments.NodeView]) -> bool:
    """Before a pending window of a running order, with no agreement given yet."""
    now = db.utcnow()
    return (
        order.early_accepted_at is None
        and order.delivered_at is None
        and order.status in milestones.RUNNING
        and any(
            p.kind in milestones.WINDOW_KINDS
            and p.status == "pending"
            and p.due_from is not None
            and p.due_from > now
            for p in promises
        )
    )


def _view(order: Order) -> OrderView:
    window = queries.window_of(order)
    day = commitments.made_to_order_day(order) if window is None else None
    span = (window.starts_at, window.ends_at) if window else day or (None, None)
    paid = payments.paid_payment(order.id)
    promises = tuple(commitments.nodes_of(order))
    return view_of(
        OrderView,
        order,
        paid_minor=paid.amount_minor if paid else 0,
        refunded_minor=payments.refunded_minor(order.id),
        window_start=span[0],
        window_end=span[1],
        made_to_order=day is not None,
        lines=tuple(
            LineView(ln.title, ln.quantity, ln.unit_price_minor, ln.line_total_minor)
            for ln in services.lines_of(order.id)
        ),
        events=tuple(
            EventView(e.at, e.action, e.actor_role, e.to_status) for e in services.events(order.id)
        ),
        promises=promises,
        delivered_at=order.delivered_at and db.aware(order.delivered_at),
        credit_back_minor=credits.given_back(order.id),
        after_sale_open=aftersale.in_after_sale_window(order),
        complaints=tuple(_complaint(c) for c in aftersale.complaints_of(order.id)),
        early_open=_early_open(order, promises),
        early_accepted=order.early_accepted_at is not None,
    )


def get_order(order_id: int, *, user_id: int, roles: frozenset[str]) -> OrderView:
    """The user's own order (or any, for the operator). Raises NotFound."""
    return _view(services.get_order_for(order_id, user_id, roles))


def list_orders(*, resident_id: int, page: int = 1) -> tuple[list[OrderView], int]:
    """The resident's orders, newest first, and the total."""
    rows, total = services.list_orders(resident_id=resident_id, page=page)
    return [_view(o) for o in rows], total


def serves_resident(bundle_id: int, *, resident_id: int) -> bool:
    """Whether the bundle's services are offered in the resident's community."""
    address = accounts.find_resident_address(resident_id)
    bundle = catalogue.bundle_for_checkout(bundle_id, viewer=address.segment) if address else None
    if bundle is None:
        return True  # nothing to say: the bundle page handles what is not on sale
    try:
        services.check_service_area([bundle], address.community_id)
    except DomainError:
        return False
    return True


def bundle_choices_unavailable(bundle_id: int, *, resident_id: int) -> bool:
    """Whether the resident cannot buy this bundle now (or has no address to deliver to)."""
    address = accounts.find_resident_address(resident_id)
    return (
        address is None or catalogue.bundle_for_checkout(bundle_id, viewer=address.segment) is None
    )


def delivery_choices(bundle_ids: Sequence[int], *, resident_id: int) -> tuple[str, list[Choice]]:
    """("service", slots) or ("doorstep", windows) for what the resident is buying."""
    address = accounts.find_resident_address(resident_id)
    if address is None:
        return "doorstep", []
    bundles = [catalogue.bundle_for_checkout(b, viewer=address.segment) for b in bundle_ids]
    bundles = [b for b in bundles if b is not None]
    services.check_service_area(bundles, address.community_id)  # 409 outside_service_area
    if bundles and all(b.is_service for b in bundles):
        comps = [c for b in bundles for c in b.components if c.kind == "service"]
        refs = suppliers.api.get_items([c.item_id for c in comps])
        times = sorted({t for ref in refs.values() for t in ref.slot_times})
        return "service", windows.list_slots(
            [c.item_id for c in comps],
            times,
            address.community_id,
            duration_minutes=max((c.duration_minutes or 0 for c in comps), default=0),
        )
    return "doorstep", windows.list_windows(address.community_id)


def place_order(
    *,
    resident_id: int,
    lines: Sequence[Mapping[str, int]],
    delivery: Mapping[str, Any],
    idempotency_key: str,
    note: str = "",
    referral_code: str = "",
    use_credit: bool = False,
) -> int:
    """Place an order (see orders.services.checkout.place_order); returns its id."""
    return services.place_order(
        resident_id=resident_id,
        lines=lines,
        delivery=delivery,
        idempotency_key=idempotency_key,
        note=note,
        referral_code=referral_code,
        use_credit=use_credit,
    ).id


@dataclass(frozen=True)
class PaymentStart:
    """What the payment page needs."""

    intent_id: str
    client_secret: str
    publishable_key: str
    stripe_js_url: str
    test_mode: bool
    amount_minor: int
    currency: str


def start_payment(*, order_id: int, resident_id: int) -> PaymentStart:
    """The PaymentIntent for the resident's unpaid order."""
    return _payment_start(payments.start_payment(order_id=order_id, resident_id=resident_id))


def start_payment_if_due(*, order_id: int, resident_id: int) -> bool:
    """Open the card payment of a just-placed order; False when its credit paid it all."""
    order = services.get_order_for(order_id, resident_id, frozenset())
    if order.status != "pending_payment":
        return False
    payments.start_payment(order_id=order_id, resident_id=resident_id)
    return True


@dataclass(frozen=True)
class CardForm:
    """What a card form needs of Stripe: the key, where Stripe.js is, whether in test mode."""

    publishable_key: str
    stripe_js_url: str
    test_mode: bool


def card_form() -> CardForm:
    """The card form's Stripe settings (409 `payments_unavailable` without a key)."""
    cfg = current_app.config
    key = gateway.publishable_key()
    offline = bool(cfg.get("STRIPE_OFFLINE"))
    js = f"{cfg['STRIPE_API_BASE']}/js.stripe.com/v3/" if offline else "https://js.stripe.com/v3/"
    return CardForm(key, js, offline or key.startswith("pk_test"))


def _payment_start(payment: Any) -> PaymentStart:
    card = card_form()
    return PaymentStart(
        payment.intent_id,
        payment.client_secret,
        card.publishable_key,
        card.stripe_js_url,
        card.test_mode,
        payment.amount_minor,
        payment.currency,
    )


def cancel_order(*, order_id: int, user_id: int, roles: frozenset[str], reason: str = "") -> None:
    """Cancel before dispatch (a paid order is refunded)."""
    services.cancel_order(order_id=order_id, actor_id=user_id, roles=roles, reason=reason)


def open_payment(*, order_id: int, resident_id: int) -> PaymentStart | None:
    """The open payment attempt of the resident's unpaid order, or None (read only)."""
    order = services.get_order_for(order_id, resident_id, frozenset())
    if order.status != "pending_payment":
        return None
    payment = payments.open_attempt(order.id)
    return _payment_start(payment) if payment is not None else None


def start_offline_stripe(webhook_url: str) -> subprocess.Popen[bytes] | None:
    """In test mode, start the offline Stripe server and send its webhooks to `webhook_url`.

    Returns the process to stop later, or None when a real Stripe key is configured.
    """
    from orders.services import offline_stripe

    return offline_stripe.start_for(current_app.config, webhook_url)


def open_delivery_windows(community_id: int) -> int:
    """Open the configured delivery windows of a community for the coming days."""
    return windows.open_windows(community_id=community_id)


MILESTONES = milestones.MILESTONES
AssigneeSource = milestones.AssigneeSource


#: How fulfilment reports what happened to a paid order (returns each node's verdict).
record_milestone = milestones.record_milestone


def accept_early(*, order_id: int, resident_id: int) -> None:
    """The resident agrees in the app that staff may come before the chosen window."""
    milestones.accept_early(order_id=order_id, resident_id=resident_id)


def ask_early(*, order_id: int, actor_id: int) -> None:
    """Staff ask the resident in the app whether they may come before the window."""
    milestones.ask_early(order_id=order_id, actor_id=actor_id)


def register_assignee_source(app: Flask, source: AssigneeSource) -> None:
    """Say whom to warn before an order's deadlines: `source(order_id, building_id)`."""
    milestones.register_assignee_source(app, source)


def waive_promise(*, order_id: int, node_id: int, actor_id: int, reason: str) -> None:
    """The operator lets a pending promise go, with a reason."""
    milestones.waive(order_id=order_id, node_id=node_id, actor_id=actor_id, reason=reason)


def refund_order(
    *, order_id: int, actor_id: int, amount_minor: int | None, reason: str
) -> int | None:
    """The operator refunds all (None) or part of a paid order; the card refund's id, if any."""
    refund = payments.refund_order(
        order_id=order_id, actor_id=actor_id, amount_minor=amount_minor, reason=reason
    )
    return refund.id if refund is not None else None


def confirm_received(*, order_id: int, resident_id: int) -> None:
    """The resident confirms a delivered order: it completes now."""
    aftersale.confirm_received(order_id=order_id, resident_id=resident_id)


def file_complaint(*, order_id: int, resident_id: int, text: str) -> ComplaintView:
    """The resident complains within the after-sale window."""
    return _complaint(
        aftersale.file_complaint(order_id=order_id, resident_id=resident_id, text=text)
    )


def resolve_complaint(*, complaint_id: int, actor_id: int, resolution: str) -> ComplaintView:
    """The operator answers a complaint."""
    return _complaint(
        aftersale.resolve_complaint(
            complaint_id=complaint_id, actor_id=actor_id, resolution=resolution
        )
    )


def open_complaints() -> list[ComplaintView]:
    """Complaints waiting for the operator, oldest first."""
    return [_complaint(c) for c in aftersale.open_complaints()]


def credit_balance(resident_id: int) -> int:
    """The resident's credit from compensations, in minor units."""
    return credits.balance(resident_id)


def recent_orders(*, status: str | None = None, page: int = 1) -> tuple[list[OrderView], int]:
    """Every resident's orders for the operator, newest first (optionally one status)."""
    rows, total = services.list_all_orders(status=status, page=page)
    return [_view(o) for o in rows], total


@dataclass(frozen=True)
class OrderBrief:
    """What fulfilment needs of a paid order to do the work (no money, no code)."""

    id: int
    status: str
    resident_id: int
    community_id: int
    building_id: int
    address: str
    note: str
    delivery_mode: str
    window_start: datetime | None
    window_end: datetime | None
    slot_starts_at: datetime | None
    #: (title, quantity) of each line.
    lines: tuple[tuple[str, int], ...]
    #: The staff roles the components ask for, in order, and whether any is a service.
    staff_roles: tuple[str, ...]
    is_service: bool
    #: The earliest deadline of a promise still pending (and its node's kind), the standard's
    #: checklist.
    next_due: datetime | None
    checklist: tuple[str, ...]
    bundle_ids: tuple[int, ...]
    #: For commissions: money, when it was paid, the referral code, how many bundles, misses.
    total_minor: int = 0
    settlement_minor: int = 0
    paid_at: datetime | None = None
    referral_code: str = ""
    pieces: int = 0
    missed_promises: int = 0
    next_due_kind: str = ""
    #: Before this time the step that decides the window (`window_milestone`) needs the
    #: resident's agreement, unless they already gave it in the app (`early_accepted`).
    window_from: datetime | None = None
    window_milestone: str = ""
    early_accepted: bool = False


def order_brief(order_id: int) -> OrderBrief:
    """A paid order as the staff doing it see it. Raises NotFound."""
    order = queries.order_row(order_id)
    window = queries.window_of(order)
    lines = services.lines_of(order.id)
    components = services.components_of(order.id)
    promises = commitments.nodes_of(order)
    pending = sorted(
        (p for p in promises if p.status == "pending" and p.due_by is not None),
        key=lambda p: p.due_by,
    )
    checklist = next((p.checklist for p in promises if p.kind == "standard"), ())
    window_node = next(
        (p for p in promises if p.kind in milestones.WINDOW_KINDS and p.status == "pending"),
        None,
    )
    return view_of(
        OrderBrief,
        order,
        window_start=window and db.aware(window.starts_at),
        window_end=window and db.aware(window.ends_at),
        slot_starts_at=order.slot_starts_at and db.aware(order.slot_starts_at),
        lines=tuple((ln.title, ln.quantity) for ln in lines),
        staff_roles=tuple(c.staff_role for c in components),
        is_service=any(c.kind == "service" for c in components),
        next_due=pending[0].due_by if pending else None,
        checklist=tuple(checklist),
        bundle_ids=tuple(ln.bundle_id for ln in lines),
        settlement_minor=sum(c.settlement_price_minor * c.quantity for c in components),
        paid_at=order.paid_at and db.aware(order.paid_at),
        pieces=sum(ln.quantity for ln in lines),
        missed_promises=sum(1 for p in promises if p.status == "missed"),
        next_due_kind=pending[0].kind if pending else "",
        window_from=window_node.due_from if window_node else None,
        window_milestone=milestones.DECIDED_BY[window_node.kind][0] if window_node else "",
        early_accepted=order.early_accepted_at is not None,
    )


complaint_times = queries.complaint_times


def promise_counts(order_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(met, judged) promises of each order, by order id (waived ones are not judged)."""
    return milestones.promise_counts(order_ids)


def lock_order(order_id: int) -> None:
    """Take the order's row lock in this transaction (a no-op on SQLite, which locks whole).

    Rule: an order's row is locked before anything of it is locked elsewhere (its nodes, its
    task), so that a staff step, a cancellation and the timers never wait on each other in
    a cycle.
    """
    services.lock_order(order_id)


# Demand requests (phase 3): what residents ask for, and the operator's board.

DemandView = queries.DemandView
DemandRequestView = queries.DemandRequestView
#: Where a request was made: the storefront's page, or a touchpoint's QR code.
DEMAND_SOURCES = ("storefront", "touchpoint")


def demand_open() -> bool:
    """Whether demand requests are open (the platform is in phase 3)."""
    return suppliers.api.current_phase() >= demand.PHASE


def ask_for(
    *, resident_id: int, form: Mapping[str, Any], source: str
) -> tuple[DemandRequestView, list[tuple[int, str]]]:
    """A household's request from a page, with the bundles on sale it may have meant.

    The form is loaded as the API loads it (Invalid naming each field); the matches are
    (id, title) pairs.
    """
    from orders.schemas import DemandRequestInSchema

    typed = {k: v for k, v in form.items() if v not in ("", None)}  # left empty: not given
    data = load_or_refuse(DemandRequestInSchema(), typed)
    row = demand.register_request(
        resident_id=resident_id,
        data=data,
        source=source if source in DEMAND_SOURCES else "storefront",
    )
    home = accounts.find_resident_address(resident_id)
    matches = queries.bundle_matches(row.text, home.segment if home else None)
    return queries.request_view(row, resident_id), matches


def demands_near(resident_id: int) -> list[DemandView]:
    """The open demands of the resident's compound, most households first."""
    home = accounts.find_resident_address(resident_id)
    if home is None:
        return []
    return queries.demand_board(
        community_id=home.community_id, category_id=None, status="open", viewer_id=resident_id
    )


def support_demand(*, demand_id: int, resident_id: int) -> DemandView:
    """+1 from a household of the demand's compound."""
    demand.support(demand_id=demand_id, resident_id=resident_id)
    return queries.demand_view(demand_id, resident_id)


def answer_demand(*, demand_id: int, actor_id: int, bundle_id: int) -> None:
    """The operator points a demand to a bundle on sale."""
    demand.answer(demand_id=demand_id, actor_id=actor_id, bundle_id=bundle_id)


def decline_demand(*, demand_id: int, actor_id: int, reason: str) -> None:
    """The operator declines a demand with the reason the households read."""
    demand.decline(demand_id=demand_id, actor_id=actor_id, reason=reason)


my_demand_requests = queries.my_requests
demand_board = queries.demand_board
demand_view = queries.demand_view


ForecastView = queries.ForecastView
forecasts = queries.forecasts


PlanView = queries.PlanView
plans_of = queries.plans_of


def issue_plan(
    *,
    actor_id: int,
    form: Mapping[str, Any],
    rules_by_item: Mapping[int, Mapping[str, int]],
) -> int:
    """The operator issues a producer's plan from the console's form; the plan's id."""
    from orders.schemas import PlanInSchema

    data = load_or_refuse(PlanInSchema(), form)
    return plans.issue_plan(
        actor_id=actor_id,
        supplier_id=data["supplier_id"],
        week=data["week"],
        rules_by_item=rules_by_item,
        deliver_after_days=data["deliver_after_days"],
    ).id


# Custom batches (phase 3): pledges from residents, made when the threshold is reached.

BatchView = queries.BatchView
BatchCompoundView = queries.BatchCompoundView
PledgeView = queries.PledgeView


def all_batches() -> list[BatchView]:
    """The newest hundred batches of every producer (the operator's page)."""
    return queries.batches()[0]


batch_view = queries.batch_view


def batches_near(resident_id: int) -> list[BatchView]:
    """The open batches of the resident's compound, newest first."""
    home = accounts.find_resident_address(resident_id)
    if home is None:
        return []
    return queries.batches(community_id=home.community_id, status="open")[0]


def batch_for(*, batch_id: int, user_id: int, roles: frozenset[str]) -> BatchView:
    """A batch as this user may see it (its compounds' residents, its producer, the operator).

    NotFound otherwise.
    """
    view = queries.batch_view(batch_id)
    batches.may_read(user_id, roles, view.supplier_id, batch_id)
    return view


def my_pledges(resident_id: int, *, batch_id: int | None = None) -> list[PledgeView]:
    """The resident's pledges, newest first (of one batch, if given)."""
    rows = queries.pledge_views(resident_id)
    return [p for p in rows if batch_id is None or p.batch_id == batch_id]


def withdraw_pledge(*, pledge_id: int, resident_id: int) -> None:
    """Take a pledge back before the deadline (the hold is released)."""
    pledges.withdraw(pledge_id=pledge_id, resident_id=resident_id)


def open_batch(*, actor_id: int, form: Mapping[str, Any]) -> int:
    """The operator opens a batch from the console's form (loaded as the API loads it)."""
    from orders.schemas import BatchInSchema

    data = load_or_refuse(BatchInSchema(), form)
    return batches.create_batch(actor_id=actor_id, data=data).id


def cancel_batch(*, batch_id: int, actor_id: int, reason: str) -> None:
    """The operator calls an open batch off; every pledge is released."""
    batches.cancel_batch(batch_id=batch_id, actor_id=actor_id, reason=reason)
