"""Tables of fulfilment: grids (sets of buildings), their staff and managers."""

from enum import StrEnum

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

import shop.core  # noqa: F401  (the constraint naming convention comes first)


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
