"""Reads for the staff and manager pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from fulfilment.models import Grid, GridBuilding, GridStaff, StaffMember
from shop.core import db
from shop.core.models import Building, User


@dataclass(frozen=True)
class StaffRow:
    """A staff member as a manager sees them."""

    user_id: int
    name: str
    employee_no: str
    staff_role: str
    is_on_duty: bool


@dataclass(frozen=True)
class GridView:
    """A grid with its building names and its staff."""

    id: int
    name: str
    buildings: list[str]
    staff: list[StaffRow]


def _grid_view(grid: Grid) -> GridView:
    s = db.session()
    buildings = s.exec(
        select(Building.name)
        .join(GridBuilding, GridBuilding.building_id == Building.id)
        .where(GridBuilding.grid_id == grid.id)
        .order_by(Building.name)
    )
    staff = s.exec(
        select(StaffMember, User.display_name)
        .join(GridStaff, GridStaff.user_id == StaffMember.user_id)
        .join(User, User.id == StaffMember.user_id)
        .where(GridStaff.grid_id == grid.id)
        .order_by(StaffMember.employee_no)
    )
    return GridView(
        id=grid.id,
        name=grid.name,
        buildings=list(buildings),
        staff=[
            StaffRow(m.user_id, name, m.employee_no, m.staff_role, m.is_on_duty)
            for m, name in staff
        ],
    )


def grids_of_staff(user_id: int) -> list[GridView]:
    """The grids a staff member covers."""
    grids = db.session().exec(
        select(Grid)
        .join(GridStaff, GridStaff.grid_id == Grid.id)
        .where(GridStaff.user_id == user_id)
        .order_by(Grid.id)
    )
    return [_grid_view(g) for g in grids]


def grids_of_manager(user_id: int) -> list[GridView]:
    """The grids a manager steers."""
    grids = db.session().exec(select(Grid).where(Grid.manager_id == user_id).order_by(Grid.id))
    return [_grid_view(g) for g in grids]


def find_staff_member(user_id: int) -> StaffMember | None:
    """The staff record of a user, or None."""
    return db.session().get(StaffMember, user_id)


def people_to_warn(order_id: int, building_id: int) -> list[int]:
    """Whom to warn before an order's deadline: the manager of the building's grid.

    (Tasks assigned to staff come with dispatch; then their assignee is warned too.)
    """
    manager = (
        db.session()
        .exec(
            select(Grid.manager_id)
            .join(GridBuilding, GridBuilding.grid_id == Grid.id)
            .where(GridBuilding.building_id == building_id)
        )
        .first()
    )
    return [manager] if manager is not None else []
