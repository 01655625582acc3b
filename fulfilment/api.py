"""What other packages may use of fulfilment: frozen views of grids and staff, a few commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import select

from fulfilment.models import Grid, GridBuilding, GridStaff, StaffMember, StaffRole
from shop.core import db


@dataclass(frozen=True)
class GridRef:
    """A grid with its buildings and staff."""

    id: int
    community_id: int
    name: str
    manager_id: int | None
    building_ids: tuple[int, ...]
    staff_ids: tuple[int, ...]


def _ref(grid: Grid) -> GridRef:
    s = db.session()
    buildings = s.exec(select(GridBuilding.building_id).where(GridBuilding.grid_id == grid.id))
    staff = s.exec(select(GridStaff.user_id).where(GridStaff.grid_id == grid.id))
    return GridRef(
        id=grid.id,
        community_id=grid.community_id,
        name=grid.name,
        manager_id=grid.manager_id,
        building_ids=tuple(sorted(buildings)),
        staff_ids=tuple(sorted(staff)),
    )


def list_grids(community_id: int | None = None) -> list[GridRef]:
    """All grids, or those of one community."""
    stmt = select(Grid).order_by(Grid.id)
    if community_id is not None:
        stmt = stmt.where(Grid.community_id == community_id)
    return [_ref(g) for g in db.session().exec(stmt)]


def create_grid(
    *, community_id: int, name: str, building_ids: Sequence[int], manager_id: int | None = None
) -> GridRef:
    """Create a grid over `building_ids` (each building may be in one grid only)."""
    grid = Grid(community_id=community_id, name=name, manager_id=manager_id)
    db.session().add(grid)
    db.session().flush()
    for building_id in building_ids:
        db.session().add(GridBuilding(grid_id=grid.id, building_id=building_id))
    db.session().flush()
    return _ref(grid)


def add_staff_member(
    *,
    user_id: int,
    employee_no: str,
    staff_role: str,
    grid_ids: Sequence[int],
    is_on_duty: bool = False,
) -> None:
    """Make a user a frontline staff member covering `grid_ids`."""
    db.session().add(
        StaffMember(
            user_id=user_id,
            employee_no=employee_no,
            staff_role=StaffRole(staff_role).value,
            is_on_duty=is_on_duty,
        )
    )
    db.session().flush()
    for grid_id in grid_ids:
        db.session().add(GridStaff(grid_id=grid_id, user_id=user_id))
    db.session().flush()
