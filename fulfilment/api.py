"""What other packages may use of fulfilment: frozen views of grids and staff, a few commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlmodel import select

from fulfilment import ledger
from fulfilment.models import Grid, GridBuilding, GridStaff, StaffMember, StaffRole
from fulfilment.schemas import HireSchema, RuleSchema
from shop.core import db
from shop.core.errors import Invalid, NotFound


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


def get_grid(grid_id: int) -> GridRef:
    """The grid with this id. Raises NotFound."""
    grid = db.session().get(Grid, grid_id)
    if grid is None:
        raise NotFound(_("No such grid."))
    return _ref(grid)


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


# The staff ledger, for the operator's console.


def trial_balance() -> tuple[list[tuple[str, int]], int]:
    """Every account's balance and the total (zero)."""
    return ledger.trial_balance()


def waiting_withdrawals() -> list[Any]:
    """Withdrawals waiting for the operator, oldest first."""
    return ledger.list_withdrawals(status="requested")


def decide_withdrawal(*, withdrawal_id: int, actor_id: int, approve: bool, reason: str) -> None:
    """Approve (into the next payout batch) or reject (the money goes back)."""
    ledger.decide_withdrawal(
        withdrawal_id=withdrawal_id, actor_id=actor_id, approve=approve, reason=reason
    )


def commission_rules() -> list[Any]:
    """Every commission rule version, newest first."""
    return ledger.list_rules()


def add_commission_rule(*, actor_id: int, data: dict[str, Any]) -> None:
    """A new rule version from raw input (validated here: Invalid with field messages)."""
    try:
        loaded = RuleSchema().load(data)
    except ValidationError as exc:
        raise Invalid(_("Check the rule."), fields=exc.messages) from exc
    ledger.save_rule(actor_id=actor_id, data=loaded)


def add_touchpoint(
    *,
    actor_id: int,
    community_id: int,
    kind: str,
    label: str,
    building_id: int | None = None,
    grid_id: int | None = None,
) -> str:
    """Hang up a QR touchpoint (the demo, imports); returns the code its QR opens (/t/<code>)."""
    from fulfilment import touchpoints

    return touchpoints.create_touchpoint(
        actor_id=actor_id,
        community_id=community_id,
        kind=kind,
        label=label,
        building_id=building_id,
        grid_id=grid_id,
    ).code


def open_grid(
    *,
    actor_id: int,
    community_id: int,
    name: str,
    building_ids: Sequence[int],
    manager_id: int | None = None,
) -> GridRef:
    """Draw a grid over buildings (see fulfilment.services.open_grid)."""
    from fulfilment import services

    grid = services.open_grid(
        actor_id=actor_id,
        community_id=community_id,
        name=name,
        building_ids=building_ids,
        manager_id=manager_id,
    )
    return _ref(grid)


def move_buildings(
    *, actor_id: int, grid_id: int, building_ids: Sequence[int], confirm: bool = False
) -> dict[str, int]:
    """Move buildings into a grid (see fulfilment.services.move_buildings)."""
    from fulfilment import services

    return services.move_buildings(
        actor_id=actor_id, grid_id=grid_id, building_ids=building_ids, confirm=confirm
    )


def hire(*, actor_id: int, form: dict[str, Any]) -> int:
    """Add a staff member from a posted form (checked as the API checks it); their user id.

    Raises Invalid naming each bad field (see fulfilment.services.hire for the rules).
    """
    from marshmallow import EXCLUDE

    from fulfilment import services
    from shop.core.i18n import translate_errors

    try:
        data = HireSchema(unknown=EXCLUDE).load(form)
    except ValidationError as exc:
        fields = translate_errors(exc.messages)
        raise Invalid("; ".join(f"{k}: {v[0]}" for k, v in fields.items()), fields=fields) from exc
    return services.hire(actor_id=actor_id, **data)


def let_go(*, actor_id: int, user_id: int, reason: str) -> int:
    """A staff member leaves (see fulfilment.services.let_go)."""
    from fulfilment import services

    return services.let_go(actor_id=actor_id, user_id=user_id, reason=reason)


def staff_list(viewer_id: int) -> list[dict[str, Any]]:
    """Every staff member as the operator sees them (dicts of StaffOutSchema's shape)."""
    from fulfilment import queries

    return queries.staff_of(viewer_id, is_operator=True)
