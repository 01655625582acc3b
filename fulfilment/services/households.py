"""Households a butler keeps: their segment and their verification, by the grid's people."""

from __future__ import annotations

from flask_babel import gettext as _

from fulfilment import queries
from fulfilment.models import (
    StaffMember,
    StaffRole,
)
from shop.core import accounts, db
from shop.core.errors import NotFound
from shop.core.models import User


def _require_household_keeper(actor_id: int, resident_id: int) -> None:
    """The operator, or a butler of the grid that covers the household's building.

    Anyone else (another grid's butler, a cleaner) gets NotFound: the household is not theirs.
    """
    actor = db.session().get(User, actor_id)
    if actor is None:
        raise NotFound(_("No such resident."))
    if actor.has_role("operator"):
        return
    address = accounts.find_resident_address(resident_id)
    grid = queries.grid_of_building(address.building_id) if address else None
    member = db.session().get(StaffMember, actor_id)
    if (
        grid is None
        or member is None
        or member.staff_role != StaffRole.BUTLER.value
        or not queries.works_in_grid(actor_id, grid.id)
    ):
        raise NotFound(_("No such resident."))


def move_segment(*, actor_id: int, resident_id: int, segment: str, reason: str) -> None:
    """The operator, or a butler of the household's grid, moves it into another segment.

    Anyone else (another grid's butler, a cleaner) gets NotFound: the household is not theirs.
    The change and its reason are audited by the kernel.
    """
    _require_household_keeper(actor_id, resident_id)
    accounts.move_segment(user_id=resident_id, segment=segment, actor_id=actor_id, reason=reason)


def approve_resident(*, actor_id: int, resident_id: int) -> None:
    """The operator, or a butler of the household's grid, confirms a new resident's home."""
    _require_household_keeper(actor_id, resident_id)
    accounts.approve_resident(user_id=resident_id, actor_id=actor_id)
