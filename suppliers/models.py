"""Tables of suppliers: companies, members, vetting, phase, items, stock, scorecards, settlement."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shop.core.db import utcnow
from shop.core.process import EventRow


class SupplierKind(StrEnum):
    """Channel partners (渠道商) join in phase 1, producers (生产商) from phase 2."""

    CHANNEL_PARTNER = "channel_partner"
    PRODUCER = "producer"


class SupplierStatus(StrEnum):
    """Where a supplier stands in vetting (DESIGN.md: the supplier process)."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    MORE_INFO_REQUESTED = "more_info_requested"
    APPROVED_PROBATION = "approved_probation"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class ItemKind(StrEnum):
    """Goods have stock; services have a duration and slots with capacity."""

    GOODS = "goods"
    SERVICE = "service"


class DocumentKind(StrEnum):
    """What an uploaded document proves."""

    LICENCE = "licence"
    FOOD_SAFETY = "food_safety"
    OTHER = "other"


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


def _json(default: Any = None) -> Any:
    return Field(
        default_factory=lambda: [] if default is None else default,
        sa_column=Column(JSON, nullable=False),
    )


class Supplier(SQLModel, table=True):
    """A company that supplies goods or services to the platform."""

    __tablename__ = "suppliers_supplier"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(SupplierKind)})", name="kind_known"),
        CheckConstraint(f"status IN ({_in(SupplierStatus)})", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=20)
    licence_no: str = Field(max_length=64, unique=True)
    status: str = Field(default=SupplierStatus.SUBMITTED.value, max_length=24, index=True)
    contact_name: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    categories: list[str] = _json()
    commitment_statement: str = Field(default="", sa_column=Column(Text, nullable=False))
    property_experience: str = Field(default="", sa_column=Column(Text, nullable=False))
    references: str = Field(default="", sa_column=Column(Text, nullable=False))
    info_request: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    approved_at: datetime | None = None
    graduated_at: datetime | None = None
    flagged_at: datetime | None = None
    flag_reason: str = Field(default="", max_length=300)


class SupplierMember(SQLModel, table=True):
    """A user who manages a supplier's catalogue; a user acts for one supplier."""

    __tablename__ = "suppliers_member"

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    user_id: int = Field(foreign_key="core_user.id", unique=True)


class SupplierEvent(EventRow, table=True):
    """One step of a supplier's process: who did what, from which status to which, and why.

    Append-only; the kernel's engine writes it (`shop.core.process`).
    """

    __tablename__ = "suppliers_event"

    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))


class SupplierDocument(SQLModel, table=True):
    """An uploaded licence or certificate, stored outside the web root."""

    __tablename__ = "suppliers_document"
    __table_args__ = (CheckConstraint(f"kind IN ({_in(DocumentKind)})", name="kind_known"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    kind: str = Field(max_length=20)
    filename: str = Field(max_length=200)
    stored_name: str = Field(max_length=80, unique=True)
    content_type: str = Field(max_length=40)
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_by: int | None = Field(default=None, foreign_key="core_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)


class Evaluation(SQLModel, table=True):
    """An operator's scored evaluation of a merchant (1–5 on each criterion)."""

    __tablename__ = "suppliers_evaluation"
    __table_args__ = (
        CheckConstraint("community_commitment BETWEEN 1 AND 5", name="community_commitment_1_5"),
        CheckConstraint("property_experience BETWEEN 1 AND 5", name="property_experience_1_5"),
        CheckConstraint("strength_management BETWEEN 1 AND 5", name="strength_management_1_5"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    evaluator_id: int = Field(foreign_key="core_user.id")
    community_commitment: int
    property_experience: int
    strength_management: int
    #: Weighted score in hundredths (e.g. 375 = 3.75), with the weights in force at the time.
    weighted_score: int
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Requirement(SQLModel, table=True):
    """An onboarding requirement the operator configures: blocking or optional."""

    __tablename__ = "suppliers_requirement"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_zh: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    is_blocking: bool = True
    #: Applies only to suppliers offering one of these categories; empty: to everyone.
    only_for_categories: list[str] = _json()
    is_active: bool = True


class ChecklistEntry(SQLModel, table=True):
    """Whether one requirement is met for one supplier, and who said so."""

    __tablename__ = "suppliers_checklist"

    supplier_id: int = Field(foreign_key="suppliers_supplier.id", primary_key=True)
    requirement_id: int = Field(foreign_key="suppliers_requirement.id", primary_key=True)
    is_done: bool = False
    note: str = Field(default="", max_length=300)
    done_by: int | None = Field(default=None, foreign_key="core_user.id")
    done_at: datetime | None = None


class PhaseChange(SQLModel, table=True):
    """An advance of the platform phase, with the readiness seen and any override. Append-only."""

    __tablename__ = "suppliers_phase_change"
    __table_args__ = (CheckConstraint("phase BETWEEN 1 AND 3", name="phase_1_3"),)

    id: int | None = Field(default=None, primary_key=True)
    phase: int
    at: datetime = Field(default_factory=utcnow)
    actor_id: int = Field(foreign_key="core_user.id")
    override_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    readiness: list[dict[str, Any]] = _json()


class Scorecard(SQLModel, table=True):
    """A supplier's measured performance, written by higher layers through suppliers.api."""

    __tablename__ = "suppliers_scorecard"
    __table_args__ = (
        CheckConstraint("met_rate_bp BETWEEN 0 AND 10000", name="met_rate_range"),
        CheckConstraint("on_time_rate_bp BETWEEN 0 AND 10000", name="on_time_rate_range"),
        CheckConstraint("refund_rate_bp BETWEEN 0 AND 10000", name="refund_rate_range"),
    )

    supplier_id: int = Field(foreign_key="suppliers_supplier.id", primary_key=True)
    orders_count: int = 0
    met_rate_bp: int = 0
    on_time_rate_bp: int = 0
    refund_rate_bp: int = 0
    communities_served: int = 0
    #: Orders with a defect (a missed promise, a complaint or a refund) in 90 days, from the
    #: last monthly snapshot (None until one measured the supplier).
    defect_rate_bp: int | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Item(SQLModel, table=True):
    """Goods (with stock) or a service (duration, daily slots with capacity, service area)."""

    __tablename__ = "suppliers_item"
    __table_args__ = (
        UniqueConstraint("supplier_id", "sku"),
        CheckConstraint(f"kind IN ({_in(ItemKind)})", name="kind_known"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("supply_price_minor >= 0", name="supply_price_not_negative"),
        CheckConstraint("slot_capacity >= 0", name="slot_capacity_not_negative"),
        CheckConstraint(
            "kind = 'goods' OR (duration_minutes IS NOT NULL AND duration_minutes > 0)",
            name="service_has_duration",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    kind: str = Field(max_length=10)
    sku: str = Field(max_length=40)
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    category: str = Field(max_length=40, index=True)
    unit: str = Field(max_length=20)
    supply_price_minor: int
    currency: str = Field(default="CNY", max_length=3)
    stock: int = 0
    staff_role: str = Field(default="butler", max_length=12)
    images: list[str] = _json()
    duration_minutes: int | None = None
    #: Start times of the daily slots ("09:00"), each taking up to slot_capacity bookings.
    slot_times: list[str] = _json()
    slot_capacity: int = 0
    #: Communities where the service is offered; empty for goods (delivered everywhere).
    service_community_ids: list[int] = _json()
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class StockMovement(SQLModel, table=True):
    """One change of an item's stock, with its reason. Append-only."""

    __tablename__ = "suppliers_stock_movement"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="suppliers_item.id", index=True)
    delta: int
    stock_after: int
    reason: str = Field(max_length=200)
    actor_id: int | None = Field(default=None, foreign_key="core_user.id")
    at: datetime = Field(default_factory=utcnow)


class ItemChange(SQLModel, table=True):
    """A recorded edit of an item: which fields changed from what to what. Append-only."""

    __tablename__ = "suppliers_item_change"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="suppliers_item.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="core_user.id")
    at: datetime = Field(default_factory=utcnow)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SettlementLine(SQLModel, table=True):
    """What the platform owes a supplier for one order line, dated to its period."""

    __tablename__ = "suppliers_settlement_line"
    __table_args__ = (UniqueConstraint("supplier_id", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    period_start: date = Field(index=True)
    #: The caller's idempotency key, e.g. "order-line:812" or "refund:44".
    reference: str = Field(max_length=60)
    description: str = Field(max_length=200)
    amount_minor: int
    currency: str = Field(default="CNY", max_length=3)
    at: datetime = Field(default_factory=utcnow)


class SettlementPayment(SQLModel, table=True):
    """The platform's payment of one closed statement to a supplier, recorded by the operator."""

    __tablename__ = "suppliers_settlement_payment"
    __table_args__ = (UniqueConstraint("supplier_id", "period_start"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    period_start: date
    #: The statement's total when it was paid.
    amount_minor: int
    currency: str = Field(default="CNY", max_length=3)
    #: The bank's reference of the transfer.
    bank_reference: str = Field(max_length=60)
    paid_by: int = Field(foreign_key="core_user.id")
    paid_at: datetime = Field(default_factory=utcnow)


class SlotBooking(SQLModel, table=True):
    """How many bookings one service slot (an item at a start time) has taken."""

    __tablename__ = "suppliers_slot_booking"
    __table_args__ = (
        UniqueConstraint("item_id", "starts_at"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="suppliers_item.id", index=True)
    starts_at: datetime
    capacity: int
    taken: int = 0
