"""Tables of fulfilment: grids, their staff and managers, and the tasks of paid orders."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import shop.core  # noqa: F401  (the constraint naming convention comes first)
from shop.core.db import utcnow
from shop.core.process import EventRow


class StaffRole(StrEnum):
    """The frontline roles: butler 管家, guard 秩序, cleaner 保洁, technician 维修."""

    BUTLER = "butler"
    GUARD = "guard"
    CLEANER = "cleaner"
    TECHNICIAN = "technician"


class Grid(SQLModel, table=True):
    """A grid (网格): a set of buildings of one community, covered by its staff."""

    __tablename__ = "fulfilment_grid"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    name: str = Field(max_length=60)
    manager_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)


class GridBuilding(SQLModel, table=True):
    """A building covered by a grid; each building belongs to one grid."""

    __tablename__ = "fulfilment_grid_building"

    grid_id: int = Field(foreign_key="fulfilment_grid.id", primary_key=True)
    building_id: int = Field(foreign_key="core_building.id", primary_key=True, unique=True)


class StaffMember(SQLModel, table=True):
    """A frontline employee: their role, employee number and whether they are on duty."""

    __tablename__ = "fulfilment_staff_member"
    __table_args__ = (
        CheckConstraint(
            "staff_role IN ('butler', 'guard', 'cleaner', 'technician')", name="staff_role_known"
        ),
    )

    user_id: int = Field(foreign_key="core_user.id", primary_key=True)
    employee_no: str = Field(max_length=20, unique=True)
    staff_role: str = Field(max_length=12)
    is_on_duty: bool = False


class GridStaff(SQLModel, table=True):
    """A staff member covering a grid."""

    __tablename__ = "fulfilment_grid_staff"

    grid_id: int = Field(foreign_key="fulfilment_grid.id", primary_key=True)
    user_id: int = Field(foreign_key="fulfilment_staff_member.user_id", primary_key=True)


TASK_STATUSES = (
    "open",
    "assigned",
    "accepted",
    "picked_up",
    "arrived",
    "done",
    "failed",
    "cancelled",
)
#: Tasks in someone's hands: they count towards the load and show the resident's phone.
ACTIVE = ("assigned", "accepted", "picked_up", "arrived")


class Task(SQLModel, table=True):
    """The work a paid order needs: deliver to the door, hand over at the centre, or serve."""

    __tablename__ = "fulfilment_task"
    __table_args__ = (
        UniqueConstraint("order_id"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in TASK_STATUSES) + ")", name="status_known"
        ),
        CheckConstraint("kind IN ('deliver', 'pickup', 'service')", name="kind_known"),
        CheckConstraint("code_attempts >= 0", name="attempts_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders_order.id")
    grid_id: int | None = Field(default=None, foreign_key="fulfilment_grid.id", index=True)
    building_id: int = Field(foreign_key="core_building.id")
    kind: str = Field(max_length=10)
    staff_role: str = Field(max_length=12)
    status: str = Field(default="open", max_length=10, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    #: After the accept time ran out (or nobody was on duty): anyone of the grid may claim it.
    claimable: bool = False
    #: The nearest promise of the order when the task opened: the list is sorted by it.
    due_by: datetime | None = None
    code_attempts: int = 0
    locked: bool = False
    fail_reason: str = Field(default="", max_length=200)
    #: Why it failed, as a fact the measures read: a cause outside the staff member's
    #: control (the resident not at home, the supplier out of stock) does not count against
    #: them (`fulfilment.rules.OUTSIDE_CONTROL`).
    fail_cause: str = Field(default="", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    assigned_at: datetime | None = None
    done_at: datetime | None = None
    #: Set when the commission of a done task is posted (the sweep looks for done, unset).
    credited_at: datetime | None = None


class TaskEvent(EventRow, table=True):
    """One step of a task: who, what, from which status to which. Append-only."""

    __tablename__ = "fulfilment_task_event"

    task_id: int = Field(foreign_key="fulfilment_task.id", index=True)


class CommissionRule(SQLModel, table=True):
    """How much a verified piece of work earns: per bundle, per category, or the default.

    Versioned: a change is a new row with a later `valid_from`; the rule in force when the
    order was paid applies. `fixed` pays `amount_minor` per piece (bundle bought);
    `margin_bp` pays basis points of the platform's margin. `split_bp` shares the commission
    among the roles present (deliverer or performer, and the referrer); a missed promise
    multiplies it by `missed_factor_bp`.
    """

    __tablename__ = "fulfilment_commission_rule"
    __table_args__ = (
        CheckConstraint("scope IN ('bundle', 'category', 'default')", name="scope_known"),
        CheckConstraint("basis IN ('fixed', 'margin_bp')", name="basis_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("missed_factor_bp BETWEEN 0 AND 10000", name="missed_factor_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=10)
    scope_id: int | None = None
    basis: str = Field(max_length=10)
    #: Minor units per piece (fixed) or basis points of the margin (margin_bp).
    amount: int
    split_bp: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    missed_factor_bp: int = 10_000
    valid_from: datetime = Field(default_factory=utcnow, index=True)
    created_by: int | None = Field(default=None, foreign_key="core_user.id")


class Posting(SQLModel, table=True):
    """One balanced movement of the staff ledger; its entries sum to zero. Append-only.

    The idempotency key makes each movement happen once: credit:{task}:{role},
    release:{credit}, reverse:{credit}, withdraw:{withdrawal}, return:{withdrawal},
    payout:{withdrawal}.
    """

    __tablename__ = "fulfilment_posting"

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=80, unique=True)
    kind: str = Field(max_length=20)
    staff_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="orders_order.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="fulfilment_task.id")
    memo: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)


LEDGER_ACCOUNTS = (
    "commission_expense",
    "staff_pending",
    "staff_available",
    "withdrawal_in_transit",
    "paid_out",
)


class LedgerEntry(SQLModel, table=True):
    """One side of a posting: an amount (debit positive, credit negative) on an account."""

    __tablename__ = "fulfilment_ledger_entry"
    __table_args__ = (
        Index("ix_fulfilment_ledger_entry_staff_time", "staff_id", "created_at"),
        CheckConstraint(
            "account IN (" + ", ".join(f"'{a}'" for a in LEDGER_ACCOUNTS) + ")",
            name="account_known",
        ),
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
    )

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="fulfilment_posting.id", index=True)
    account: str = Field(max_length=24)
    #: The staff member whose account it is (None for the platform's accounts).
    staff_id: int | None = Field(default=None, foreign_key="core_user.id")
    amount_minor: int
    #: The posting's time (statements are cut by it without a join).
    created_at: datetime = Field(default_factory=utcnow)


class Credit(SQLModel, table=True):
    """A staff member's commission for one role in one task: pending, available, reversed."""

    __tablename__ = "fulfilment_credit"
    __table_args__ = (
        UniqueConstraint("task_id", "role"),
        CheckConstraint("status IN ('pending', 'available', 'reversed')", name="status_known"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="fulfilment_task.id")
    order_id: int = Field(foreign_key="orders_order.id", index=True)
    staff_id: int = Field(foreign_key="core_user.id", index=True)
    role: str = Field(max_length=12)
    amount_minor: int
    rule_id: int | None = Field(default=None, foreign_key="fulfilment_commission_rule.id")
    status: str = Field(default="pending", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    available_at: datetime | None = None
    reversed_at: datetime | None = None


class Withdrawal(SQLModel, table=True):
    """A staff member's request to be paid their available balance, and its fate."""

    __tablename__ = "fulfilment_withdrawal"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'approved', 'rejected', 'paid')", name="status_known"
        ),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        UniqueConstraint("staff_id", "idempotency_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="core_user.id", index=True)
    amount_minor: int
    status: str = Field(default="requested", max_length=10, index=True)
    idempotency_key: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    decided_by: int | None = Field(default=None, foreign_key="core_user.id")
    decided_at: datetime | None = None
    reason: str = Field(default="", max_length=200)
    batch_id: int | None = Field(default=None, foreign_key="fulfilment_payout_batch.id")


class PayoutBatch(SQLModel, table=True):
    """Approved withdrawals exported together for payroll."""

    __tablename__ = "fulfilment_payout_batch"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="core_user.id")
    total_minor: int = 0
    count: int = 0
    #: When the operator confirmed the bank paid the batch (the staff have their money).
    paid_at: datetime | None = None
    paid_by: int | None = Field(default=None, foreign_key="core_user.id")


TOUCHPOINT_KINDS = ("building", "lobby", "lamp_post", "parcel_room", "other")
REQUEST_KINDS = ("report", "booking")
REQUEST_STATUSES = ("open", "accepted", "arrived", "done", "cancelled")


class Touchpoint(SQLModel, table=True):
    """A QR code on a building or a public spot that opens a service request (报事/预约).

    A building's code is routed to the grid of that building; a public spot names its grid.
    """

    __tablename__ = "fulfilment_touchpoint"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in TOUCHPOINT_KINDS) + ")", name="kind_known"
        ),
        CheckConstraint("building_id IS NOT NULL OR grid_id IS NOT NULL", name="routed_somewhere"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="core_building.id")
    grid_id: int | None = Field(default=None, foreign_key="fulfilment_grid.id")
    kind: str = Field(max_length=12)
    label: str = Field(max_length=60)
    code: str = Field(max_length=16, unique=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class ServiceRequest(SQLModel, table=True):
    """A resident's report (报事) or booking (预约) from a touchpoint, worked like a task.

    Its promises: accepted by `accept_by`, staff on the spot by `arrive_by`; each is judged
    met or missed from the recorded times (`*_met`, None while pending).
    """

    __tablename__ = "fulfilment_request"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in REQUEST_STATUSES) + ")",
            name="status_known",
        ),
        CheckConstraint("kind IN ('report', 'booking')", name="kind_known"),
        Index("ix_fulfilment_request_open", "grid_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    touchpoint_id: int = Field(foreign_key="fulfilment_touchpoint.id", index=True)
    community_id: int = Field(foreign_key="core_community.id")
    building_id: int | None = Field(default=None, foreign_key="core_building.id")
    grid_id: int | None = Field(default=None, foreign_key="fulfilment_grid.id")
    resident_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    contact_name: str = Field(max_length=40)
    contact_phone: str = Field(max_length=32)
    kind: str = Field(max_length=10)
    text: str = Field(max_length=500)
    wanted_at: datetime | None = None
    status: str = Field(default="open", max_length=10, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    accept_by: datetime
    arrive_by: datetime
    accepted_at: datetime | None = None
    arrived_at: datetime | None = None
    done_at: datetime | None = None
    accept_met: bool | None = None
    arrive_met: bool | None = None
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class RequestEvent(EventRow, table=True):
    """Append-only history of a service request."""

    __tablename__ = "fulfilment_request_event"

    request_id: int = Field(foreign_key="fulfilment_request.id", index=True)
