"""Tables of orders: delivery windows, orders, their lines and components, and their events."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shop.core.db import utcnow
from shop.core.process import EventRow

STATUSES = (
    "pending_payment",
    "paid",
    "accepted",
    "in_progress",
    "delivered",
    "completed",
    "cancelled",
    "refunded",
    "partially_refunded",
)


class DeliveryWindow(SQLModel, table=True):
    """A doorstep delivery window of a community, with how many orders it can take."""

    __tablename__ = "orders_window"
    __table_args__ = (
        UniqueConstraint("community_id", "starts_at"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int = 0


class Order(SQLModel, table=True):
    """A resident's order: what was bought at which price, where and when it goes, its status."""

    __tablename__ = "orders_order"
    __table_args__ = (
        UniqueConstraint("resident_id", "idempotency_key"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status_known"
        ),
        CheckConstraint(
            "delivery_mode IN ('doorstep', 'pickup', 'service')", name="delivery_mode_known"
        ),
        CheckConstraint("total_minor >= 0", name="total_not_negative"),
        CheckConstraint(
            "credit_minor >= 0 AND credit_minor <= total_minor", name="credit_within_total"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="core_user.id", index=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    building_id: int = Field(foreign_key="core_building.id")
    address: str = Field(max_length=200)
    status: str = Field(default="pending_payment", max_length=20, index=True)
    currency: str = Field(default="CNY", max_length=3)
    total_minor: int
    #: The resident's credit used at checkout; the card pays the rest (`amount_due_minor`).
    credit_minor: int = 0
    delivery_mode: str = Field(max_length=10)
    window_id: int | None = Field(default=None, foreign_key="orders_window.id")
    slot_starts_at: datetime | None = None
    referral_code: str = Field(default="", max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    confirmation_code: str = Field(max_length=6)
    idempotency_key: str = Field(max_length=80)
    request_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    paid_at: datetime | None = None
    #: When staff recorded the delivery (or the service done): the after-sale window starts.
    delivered_at: datetime | None = Field(default=None, index=True)
    completed_at: datetime | None = None
    #: When the resident agreed in the app that staff may come before the chosen window.
    early_accepted_at: datetime | None = None


def amount_due_minor(order: Order) -> int:
    """What the card must pay: the total less the credit used."""
    return order.total_minor - order.credit_minor


class OrderLine(SQLModel, table=True):
    """One bundle of an order, copied at checkout: title, unit price, quantity."""

    __tablename__ = "orders_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders_order.id", index=True)
    bundle_id: int = Field(foreign_key="catalogue_bundle.id")
    title: str = Field(max_length=120)
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    #: The bundle's commitment policy nodes at checkout (the order's promises come from it).
    policy_nodes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


class OrderComponent(SQLModel, table=True):
    """A supplier item of an order line, copied at checkout: what its supplier is owed."""

    __tablename__ = "orders_component"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders_order.id", index=True)
    line_id: int = Field(foreign_key="orders_line.id")
    item_id: int = Field(foreign_key="suppliers_item.id", index=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=10)
    quantity: int
    settlement_price_minor: int
    staff_role: str = Field(max_length=12)
    duration_minutes: int | None = None


class OrderEvent(EventRow, table=True):
    """One step of an order's process: who, what, from which status to which. Append-only."""

    __tablename__ = "orders_event"

    order_id: int = Field(foreign_key="orders_order.id", index=True)


class Payment(SQLModel, table=True):
    """One attempt to pay an order: a Stripe PaymentIntent and what became of it."""

    __tablename__ = "orders_payment"
    __table_args__ = (UniqueConstraint("order_id", "attempt"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders_order.id", index=True)
    attempt: int
    intent_id: str = Field(max_length=80, unique=True)
    client_secret: str = Field(max_length=200)
    amount_minor: int
    currency: str = Field(max_length=3)
    status: str = Field(default="requires_payment_method", max_length=30)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Refund(SQLModel, table=True):
    """Money given back on an order: asked for here, carried out by a job through Stripe."""

    __tablename__ = "orders_refund"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders_order.id", index=True)
    payment_id: int = Field(foreign_key="orders_payment.id")
    amount_minor: int
    reason: str = Field(default="", max_length=200)
    status: str = Field(default="pending", max_length=10)
    stripe_refund_id: str | None = Field(default=None, max_length=80, unique=True)
    actor_id: int | None = Field(default=None, foreign_key="core_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None


class WebhookEvent(SQLModel, table=True):
    """A Stripe event already handled (by its id), and what we made of it."""

    __tablename__ = "orders_webhook_event"

    id: str = Field(primary_key=True, max_length=80)
    type: str = Field(max_length=60)
    outcome: str = Field(max_length=40)
    received_at: datetime = Field(default_factory=utcnow)


class CommitmentNode(SQLModel, table=True):
    """One promise of a paid order: its promised times, what was recorded, the verdict."""

    __tablename__ = "orders_commitment_node"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'met', 'missed', 'waived')", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders_order.id", index=True)
    line_id: int = Field(foreign_key="orders_line.id")
    kind: str = Field(max_length=20)
    due_from: datetime | None = None
    due_by: datetime | None = None
    checklist: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    requires_confirmation: bool = False
    compensation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(default="pending", max_length=10, index=True)
    actual_at: datetime | None = None
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    judged_at: datetime | None = None
    #: When staff and their manager were warned that the deadline is near (once).
    warned_at: datetime | None = None
    waived_reason: str = Field(default="", max_length=200)
    waived_by: int | None = Field(default=None, foreign_key="core_user.id")


class Compensation(SQLModel, table=True):
    """What a missed promise paid: at most one per node (the unique key makes it so)."""

    __tablename__ = "orders_compensation"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("method IN ('refund', 'credit')", name="method_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    node_id: int = Field(foreign_key="orders_commitment_node.id", unique=True)
    order_id: int = Field(foreign_key="orders_order.id", index=True)
    method: str = Field(max_length=10)
    amount_minor: int
    refund_id: int | None = Field(default=None, foreign_key="orders_refund.id")
    created_at: datetime = Field(default_factory=utcnow)


class CreditEntry(SQLModel, table=True):
    """A line of a resident's credit balance (positive: credited), one per reference."""

    __tablename__ = "orders_credit_entry"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="core_user.id", index=True)
    amount_minor: int
    currency: str = Field(max_length=3)
    reference: str = Field(max_length=80, unique=True)
    reason: str = Field(max_length=200)
    order_id: int | None = Field(default=None, foreign_key="orders_order.id")
    created_at: datetime = Field(default_factory=utcnow)


class Complaint(SQLModel, table=True):
    """A resident's complaint about an order within the after-sale window; holds completion."""

    __tablename__ = "orders_complaint"
    __table_args__ = (CheckConstraint("status IN ('open', 'resolved')", name="status_known"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders_order.id", index=True)
    resident_id: int = Field(foreign_key="core_user.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="open", max_length=10, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    resolution: str = Field(default="", max_length=500)
    resolved_by: int | None = Field(default=None, foreign_key="core_user.id")
    resolved_at: datetime | None = None


class Demand(SQLModel, table=True):
    """What residents of one compound asked for and is not offered: similar requests grouped.

    The operator answers it (points to a bundle), declines it with a reason, or turns it into
    a custom batch; `households` counts the homes that asked or said +1.
    """

    __tablename__ = "orders_demand"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'answered', 'declined', 'batched')", name="status_known"
        ),
        CheckConstraint("households >= 0", name="households_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    category_id: int | None = Field(default=None, foreign_key="catalogue_category.id")
    title: str = Field(max_length=200)
    #: The words it is grouped by (segmented, lower-case), the first request's.
    words: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    status: str = Field(default="open", max_length=10, index=True)
    households: int = 0
    quantity: int = 0
    answer_bundle_id: int | None = Field(default=None, foreign_key="catalogue_bundle.id")
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class DemandRequest(SQLModel, table=True):
    """One household's wish, or its +1 to a demand: once per household and demand."""

    __tablename__ = "orders_demand_request"
    __table_args__ = (
        UniqueConstraint("demand_id", "resident_id"),  # a household counts once
        CheckConstraint("frequency IN ('once', 'weekly', 'monthly')", name="frequency_known"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("source IN ('storefront', 'touchpoint', 'api', 'support')", name="source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="orders_demand.id", index=True)
    resident_id: int = Field(foreign_key="core_user.id", index=True)
    text: str = Field(max_length=200)
    quantity: int = 1
    frequency: str = Field(default="once", max_length=8)
    wanted_by: date | None = None
    source: str = Field(default="api", max_length=10)
    idempotency_key: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)


class DemandEvent(EventRow, table=True):
    """One step of a demand's process (answered, declined, batched). Append-only."""

    __tablename__ = "orders_demand_event"

    demand_id: int = Field(foreign_key="orders_demand.id", index=True)


class DemandWeek(SQLModel, table=True):
    """One week of one demand series of a compound: an item's, or a category's.

    `series` is "item:<id>" or "category:<id>"; `delivered` counts the pieces of delivered
    orders, `asked` those of open demand requests made that week. Written by the refresh job,
    never per page view.
    """

    __tablename__ = "orders_demand_week"
    __table_args__ = (UniqueConstraint("community_id", "series", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    series: str = Field(max_length=24)
    week: date
    delivered: int = 0
    asked: int = 0


class DemandForecast(SQLModel, table=True):
    """The next weeks of one series, with the pattern, the method and the backtest's errors."""

    __tablename__ = "orders_demand_forecast"
    __table_args__ = (UniqueConstraint("community_id", "series"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    series: str = Field(max_length=24)
    made_at: datetime = Field(default_factory=utcnow)
    weeks: int
    pattern: str = Field(max_length=12)
    method: str = Field(default="", max_length=16)
    values: list[float] = Field(default_factory=list, sa_type=JSON, nullable=False)
    mase: float | None = None
    wape: float | None = None
    reason: str = Field(default="", max_length=40)


class ProductionPlan(SQLModel, table=True):
    """A week's plan the operator issues to a producer; the producer answers it line by line."""

    __tablename__ = "orders_production_plan"
    __table_args__ = (
        UniqueConstraint("supplier_id", "week"),
        CheckConstraint("status IN ('issued', 'answered')", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    #: The Monday of the week the goods are made for.
    week: date
    status: str = Field(default="issued", max_length=10)
    issued_at: datetime = Field(default_factory=utcnow)
    issued_by: int = Field(foreign_key="core_user.id")
    answered_at: datetime | None = None


class PlanLine(SQLModel, table=True):
    """One item for one compound: what is confirmed, what is forecast, what to make."""

    __tablename__ = "orders_plan_line"
    __table_args__ = (
        UniqueConstraint("plan_id", "item_id", "community_id"),
        CheckConstraint("confirmed >= 0 AND tentative >= 0 AND planned >= 0", name="not_negative"),
        CheckConstraint("min_batch >= 1 AND multiple >= 1", name="batch_rules"),
        CheckConstraint("answer IN ('', 'accepted', 'adjusted')", name="answer_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="orders_production_plan.id", index=True)
    item_id: int = Field(foreign_key="suppliers_item.id")
    community_id: int = Field(foreign_key="core_community.id")
    #: Pieces of paid orders not yet delivered (and, with custom batches, reached pledges).
    confirmed: int = 0
    #: The forecast for the week, rounded up.
    tentative: int = 0
    min_batch: int = 1
    multiple: int = 1
    #: confirmed + tentative, at least the minimum batch, rounded up to the multiple.
    planned: int = 0
    deliver_on: date
    answer: str = Field(default="", max_length=10)
    #: What the producer will make (its capacity); None until it answers.
    answered_quantity: int | None = None
    note: str = Field(default="", max_length=200)


BATCH_STATUSES = ("open", "reached", "failed", "captured", "ordered", "released", "cancelled")
PLEDGE_STATUSES = (
    "pending_card",
    "held",
    "saved",
    "charge_failed",
    "captured",
    "ordered",
    "released",
    "withdrawn",
)


def _known(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")", name=f"{column}_known"
    )


class CustomBatch(SQLModel, table=True):
    """A producer's bundle made to order (定制批次): offered to compounds until a deadline.

    It is made when the pledges reach `min_quantity` by the deadline (and, per compound, the
    compound's own minimum); `cap` pledges at most, first come first served, the rest wait.
    What an order needs of the bundle is copied at creation (`components`, `policy_nodes`),
    so the orders made at the deadline do not depend on the catalogue then.
    """

    __tablename__ = "orders_batch"
    __table_args__ = (
        _known("status", BATCH_STATUSES),
        CheckConstraint("price_minor > 0", name="price_positive"),
        CheckConstraint("min_quantity >= 1", name="min_positive"),
        CheckConstraint("cap IS NULL OR cap >= min_quantity", name="cap_at_least_min"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    bundle_id: int = Field(foreign_key="catalogue_bundle.id")
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    price_minor: int
    currency: str = Field(default="CNY", max_length=3)
    min_quantity: int
    cap: int | None = None
    deadline: datetime = Field(index=True)
    delivery_date: date
    status: str = Field(default="open", max_length=10, index=True)
    components: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)
    policy_nodes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)
    demand_id: int | None = Field(default=None, foreign_key="orders_demand.id")
    plan_line_id: int | None = Field(default=None, foreign_key="orders_plan_line.id")
    created_by: int = Field(foreign_key="core_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    #: When the deadline job decided it (reached or failed); the batch's own promise.
    decided_at: datetime | None = None
    reason: str = Field(default="", max_length=500)


class BatchCompound(SQLModel, table=True):
    """A compound a batch is offered to, with its own minimum and, once decided, its outcome."""

    __tablename__ = "orders_batch_compound"
    __table_args__ = (
        UniqueConstraint("batch_id", "community_id"),
        CheckConstraint("min_quantity IS NULL OR min_quantity >= 1", name="min_positive"),
        CheckConstraint("outcome IN ('', 'made', 'released')", name="outcome_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="orders_batch.id", index=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    min_quantity: int | None = None
    outcome: str = Field(default="", max_length=10)


class Pledge(SQLModel, table=True):
    """A resident's pledge (认购) to a batch: a card hold, or a saved card charged later.

    `mode` is "hold" (a PaymentIntent with manual capture, when the deadline is within the
    card hold window) or "saved_card" (a SetupIntent, charged off-session at the deadline).
    `waiting` marks a pledge beyond the cap (on the waiting list, first come first served).
    `fate` is set by the deadline decision: "capture" or "release"; the settle job carries
    it out once. A captured pledge becomes an order (`order_id`).
    """

    __tablename__ = "orders_pledge"
    __table_args__ = (
        UniqueConstraint("resident_id", "idempotency_key"),
        UniqueConstraint("order_id"),
        _known("status", PLEDGE_STATUSES),
        CheckConstraint("mode IN ('hold', 'saved_card')", name="mode_known"),
        CheckConstraint("fate IN ('', 'capture', 'release')", name="fate_known"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="orders_batch.id", index=True)
    resident_id: int = Field(foreign_key="core_user.id", index=True)
    community_id: int = Field(foreign_key="core_community.id")
    quantity: int
    amount_minor: int
    currency: str = Field(default="CNY", max_length=3)
    mode: str = Field(max_length=10)
    status: str = Field(default="pending_card", max_length=14, index=True)
    waiting: bool = False
    fate: str = Field(default="", max_length=8)
    customer_id: str = Field(default="", max_length=60)
    setup_intent_id: str = Field(default="", max_length=60)
    payment_method: str = Field(default="", max_length=60)
    #: The hold's PaymentIntent, or the latest off-session charge's.
    intent_id: str = Field(default="", max_length=60, index=True)
    client_secret: str = Field(default="", max_length=120)
    charge_attempts: int = 0
    #: After a declined charge: the resident may give another card until then.
    fix_by: datetime | None = None
    reminded_at: datetime | None = None
    order_id: int | None = Field(default=None, foreign_key="orders_order.id")
    idempotency_key: str = Field(max_length=80)
    request_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    settled_at: datetime | None = None
    reason: str = Field(default="", max_length=200)


class BatchEvent(EventRow, table=True):
    """One step of a batch's process (created, reached, failed, captured, ordered). Append-only."""

    __tablename__ = "orders_batch_event"

    batch_id: int = Field(foreign_key="orders_batch.id", index=True)


class PledgeEvent(EventRow, table=True):
    """One step of a pledge (held, captured, declined, released, ordered). Append-only."""

    __tablename__ = "orders_pledge_event"

    pledge_id: int = Field(foreign_key="orders_pledge.id", index=True)
