"""Tables of fulfilment: grids, their staff and managers, and the tasks of paid orders."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

import shop.core  # noqa: F401  (the constraint naming convention comes first)
from shop.core.db import utcnow


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
    created_at: datetime = Field(default_factory=utcnow)
    assigned_at: datetime | None = None
    done_at: datetime | None = None


class TaskEvent(SQLModel, table=True):
    """One step of a task: who, what, from which status to which. Append-only."""

    __tablename__ = "fulfilment_task_event"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="fulfilment_task.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="core_user.id")
    actor_role: str = Field(max_length=12)
    action: str = Field(max_length=20)
    from_status: str = Field(max_length=10)
    to_status: str = Field(max_length=10)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
