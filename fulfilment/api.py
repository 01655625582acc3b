"""What other packages may use of fulfilment: frozen views of grids and staff, a few commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError

from fulfilment import errors as errors  # the refusals other packages may catch
from fulfilment import queries
from fulfilment.rules import Rule
from fulfilment.schemas import HireSchema, RuleSchema
from fulfilment.services import commissions, grids, ledger, payouts, staff
from shop.core import db
from shop.core.errors import Invalid
from shop.core.schemas import load_or_refuse

GridRef = queries.GridRef
list_grids = queries.list_grids
get_grid = queries.get_grid


def create_grid(
    *, community_id: int, name: str, building_ids: Sequence[int], manager_id: int | None = None
) -> GridRef:
    """Create a grid over `building_ids` (each building may be in one grid only)."""
    return queries.grid_ref(
        grids.create_grid(
            community_id=community_id,
            name=name,
            building_ids=building_ids,
            manager_id=manager_id,
        )
    )


add_staff_member = staff.add_staff_member


# The staff ledger, for the operator's console.


def trial_balance() -> tuple[list[tuple[str, int]], int]:
    """Every account's balance and the total (zero)."""
    return ledger.trial_balance()


@dataclass(frozen=True)
class WithdrawalRef:
    """A staff member's withdrawal as the operator decides on it."""

    id: int
    staff_id: int
    amount_minor: int
    status: str
    created_at: datetime


def waiting_withdrawals() -> list[WithdrawalRef]:
    """Withdrawals waiting for the operator, oldest first."""
    return [
        WithdrawalRef(w.id, w.staff_id, w.amount_minor, w.status, db.aware(w.created_at))
        for w in payouts.list_withdrawals(status="requested")
    ]


def decide_withdrawal(*, withdrawal_id: int, actor_id: int, approve: bool, reason: str) -> None:
    """Approve (into the next payout batch) or reject (the money goes back)."""
    payouts.decide_withdrawal(
        withdrawal_id=withdrawal_id, actor_id=actor_id, approve=approve, reason=reason
    )


def commission_rules() -> list[Rule]:
    """Every commission rule version, newest first (frozen, as the arithmetic reads them)."""
    return commissions.rules_in_force()


def add_commission_rule(*, actor_id: int, data: dict[str, Any]) -> None:
    """A new rule version from raw input (validated here: Invalid with field messages)."""
    try:
        loaded = RuleSchema().load(data)
    except ValidationError as exc:
        raise Invalid(_("Check the rule."), fields=exc.messages) from exc
    commissions.save_rule(actor_id=actor_id, data=loaded)


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
    from fulfilment.services import touchpoints

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
    """Draw a grid over buildings (see fulfilment.services.grids.open_grid)."""
    grid = grids.open_grid(
        actor_id=actor_id,
        community_id=community_id,
        name=name,
        building_ids=building_ids,
        manager_id=manager_id,
    )
    return queries.grid_ref(grid)


def move_buildings(
    *, actor_id: int, grid_id: int, building_ids: Sequence[int], confirm: bool = False
) -> dict[str, int]:
    """Move buildings into a grid (see fulfilment.services.grids.move_buildings)."""
    return grids.move_buildings(
        actor_id=actor_id, grid_id=grid_id, building_ids=building_ids, confirm=confirm
    )


def hire(*, actor_id: int, form: dict[str, Any]) -> int:
    """Add a staff member from a posted form (checked as the API checks it); their user id.

    Raises Invalid naming each bad field (see fulfilment.services.staff.hire for the rules).
    """
    return staff.hire(actor_id=actor_id, **load_or_refuse(HireSchema(), form))


@dataclass(frozen=True)
class ManagerRef:
    """A project manager and the grids they run."""

    user_id: int
    display_name: str
    email: str
    phone: str | None
    grid_ids: tuple[int, ...]


def managers() -> list[ManagerRef]:
    """Every active project manager, by name."""
    return [
        ManagerRef(u.id, u.display_name, u.email, u.phone, tuple(grids))
        for u, grids in grids.list_managers()
    ]


def appoint_manager(*, actor_id: int, form: dict[str, Any]) -> int:
    """Add a project manager from a posted form (checked as the API checks it); their user id."""
    from fulfilment.schemas import ManagerInSchema

    return grids.appoint_manager(actor_id=actor_id, **load_or_refuse(ManagerInSchema(), form))


def set_grid_manager(*, actor_id: int, grid_id: int, manager_id: int | None) -> GridRef:
    """Put a project manager in charge of a grid, or none."""
    grid = grids.set_grid_manager(actor_id=actor_id, grid_id=grid_id, manager_id=manager_id)
    return queries.grid_ref(grid)


@dataclass(frozen=True)
class GridPeople:
    """What a manager's grids cover: their people (staff, residents, manager) and buildings."""

    user_ids: frozenset[int]
    grid_ids: frozenset[int]
    building_ids: frozenset[int]


def people_of_managed_grids(manager_id: int) -> GridPeople:
    """The grids a manager runs, their buildings, and the staff and residents in them."""
    from fulfilment import queries

    people, grids, buildings = queries.people_of_managed_grids(manager_id)
    return GridPeople(frozenset(people), frozenset(grids), frozenset(buildings))


def let_go(*, actor_id: int, user_id: int, reason: str) -> int:
    """A staff member leaves (see fulfilment.services.staff.let_go)."""
    return staff.let_go(actor_id=actor_id, user_id=user_id, reason=reason)


@dataclass(frozen=True)
class StaffRef:
    """A staff member as the operator's pages show them."""

    user_id: int
    display_name: str
    employee_no: str
    staff_role: str
    is_on_duty: bool
    is_active: bool
    grid_ids: tuple[int, ...]


def staff_list(viewer_id: int) -> list[StaffRef]:
    """Every staff member as the operator sees them."""
    from fulfilment import queries

    return [
        StaffRef(**{**row, "grid_ids": tuple(row["grid_ids"])})
        for row in queries.staff_of(viewer_id, is_operator=True)
    ]


def newcomers(month_end: datetime) -> set[int]:
    """Staff in their first 30 days at a month's end (their figures are shown apart)."""
    from fulfilment.services import measures

    return measures.newcomers(month_end)


@dataclass(frozen=True)
class PayoutBatchRef:
    """A payroll batch as the console lists it."""

    id: int
    created_at: datetime
    count: int
    total_minor: int
    paid_at: datetime | None


def export_payroll(*, actor_id: int) -> int | None:
    """Put every approved withdrawal into a new payroll batch; its id (None: nothing to pay)."""
    batch, _rows = payouts.export_payouts(actor_id=actor_id)
    return batch.id if batch else None


def payroll_csv(batch_id: int, currency: str) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """A batch's payroll file: the columns and one line per withdrawal."""
    return payouts.CSV_COLUMNS, payouts.payroll_rows(batch_id, currency)


def payout_batches() -> list[PayoutBatchRef]:
    """Payroll batches, newest first."""
    return [
        PayoutBatchRef(
            b.id, db.aware(b.created_at), b.count, b.total_minor, b.paid_at and db.aware(b.paid_at)
        )
        for b in payouts.list_batches()
    ]


def mark_batch_paid(*, batch_id: int, actor_id: int) -> None:
    """The bank has paid a payroll batch (once)."""
    payouts.mark_batch_paid(batch_id=batch_id, actor_id=actor_id)
