"""Grids: opened over a community's buildings, given a manager, buildings moved between them."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlmodel import select

from fulfilment.errors import (
    BuildingInGrid,
    ConfirmMove,
)
from fulfilment.models import (
    ACTIVE,
    Grid,
    GridBuilding,
    ServiceRequest,
    Task,
)
from fulfilment.services import tasks
from shop.core import accounts, audit, db
from shop.core.errors import Forbidden, Invalid, NotFound
from shop.core.models import Building, User


def _check_buildings(community_id: int, building_ids: Sequence[int]) -> None:
    s = db.session()
    found = s.exec(
        select(Building.id).where(
            Building.id.in_(building_ids), Building.community_id == community_id
        )
    ).all()
    if len(set(found)) != len(set(building_ids)):
        message = _("Not a building of this community.")
        raise Invalid(message, fields={"building_ids": [message]})


def open_grid(
    *,
    actor_id: int,
    community_id: int,
    name: str,
    building_ids: Sequence[int],
    manager_id: int | None = None,
) -> Grid:
    """Draw a grid over buildings of a compound (audited).

    A building belongs to one grid at a time: one already in a grid is 409 `building_in_grid`
    (move it instead). The manager must hold the manager role.
    """
    s = db.session()
    accounts.get_community(community_id)
    _check_buildings(community_id, building_ids)
    _check_manager(manager_id)
    taken = s.exec(
        select(GridBuilding.building_id).where(GridBuilding.building_id.in_(building_ids))
    ).all()
    if taken:
        raise BuildingInGrid(
            _("A building is in another grid already; move it instead."),
            fields={"building_ids": list(taken)},
        )
    grid = Grid(community_id=community_id, name=name, manager_id=manager_id)
    s.add(grid)
    s.flush()
    for building_id in sorted(set(building_ids)):
        s.add(GridBuilding(grid_id=grid.id, building_id=building_id))
    audit.record(
        actor_id=actor_id,
        action="grid.opened",
        subject_type="grid",
        subject_id=grid.id,
        data={"name": name, "building_ids": sorted(set(building_ids))},
    )
    s.flush()
    return grid


def _operator_only(actor_id: int) -> None:
    actor = db.session().get(User, actor_id)
    if actor is None or not actor.has_role("operator"):
        raise Forbidden(_("Only the operator may do this."))


def _check_manager(manager_id: int | None) -> None:
    if manager_id is None:
        return
    manager = db.session().get(User, manager_id)
    if manager is None or not manager.is_active or not manager.has_role("manager"):
        message = _("Not a project manager.")
        raise Invalid(message, fields={"manager_id": [message]})


def appoint_manager(
    *,
    actor_id: int,
    display_name: str,
    phone: str,
    email: str,
    password: str,
    grid_ids: Sequence[int],
) -> int:
    """Add a project manager with a login (email or phone), in charge of `grid_ids`.

    The operator only. Each grid named gets them as its manager (one manager per grid: the one
    it had before is replaced). Audited; returns their user id.
    """
    _operator_only(actor_id)
    s = db.session()
    grids = s.exec(select(Grid).where(Grid.id.in_(grid_ids)).with_for_update()).all()
    if len(grids) != len(set(grid_ids)):
        raise Invalid(_("No such grid."), fields={"grid_ids": [_("No such grid.")]})
    user = accounts.create_user(
        email=email, password=password, display_name=display_name, roles=["manager"], phone=phone
    )
    for grid in grids:
        grid.manager_id = user.id
    audit.record(
        actor_id=actor_id,
        action="manager.appointed",
        subject_type="user",
        subject_id=user.id,
        data={"grid_ids": sorted(set(grid_ids))},
    )
    s.flush()
    return user.id


def set_grid_manager(*, actor_id: int, grid_id: int, manager_id: int | None) -> Grid:
    """Put a project manager in charge of a grid, or none (the operator; audited)."""
    _operator_only(actor_id)
    grid = db.session().get(Grid, grid_id, with_for_update=True)
    if grid is None:
        raise NotFound(_("No such grid."))
    _check_manager(manager_id)
    if grid.manager_id != manager_id:
        audit.record(
            actor_id=actor_id,
            action="grid.manager_changed",
            subject_type="grid",
            subject_id=grid_id,
            data={"from": grid.manager_id, "to": manager_id},
        )
        grid.manager_id = manager_id
        db.session().flush()
    return grid


def list_managers() -> list[tuple[User, list[int]]]:
    """Every active project manager with the grids they are in charge of, by name."""
    s = db.session()
    people = [s.get(User, u) for u in accounts.user_ids_with_role("manager")]
    managed: dict[int, list[int]] = {}
    for grid_id, manager_id in s.exec(
        select(Grid.id, Grid.manager_id).where(Grid.manager_id.is_not(None)).order_by(Grid.id)
    ):
        managed.setdefault(manager_id, []).append(grid_id)
    return sorted(
        ((u, managed.get(u.id, [])) for u in people if u is not None and u.is_active),
        key=lambda pair: (pair[0].display_name, pair[0].id),
    )


def _unfinished_work(building_ids: Sequence[int]) -> tuple[list[Task], list[ServiceRequest]]:
    """The tasks and requests of these buildings that are not over yet."""
    if not building_ids:
        return [], []
    s = db.session()
    tasks = s.exec(
        select(Task).where(Task.building_id.in_(building_ids), Task.status.in_(("open", *ACTIVE)))
    ).all()
    requests = s.exec(
        select(ServiceRequest).where(
            ServiceRequest.building_id.in_(building_ids),
            ServiceRequest.status.in_(("open", "accepted", "arrived")),
        )
    ).all()
    return list(tasks), list(requests)


def move_buildings(
    *, actor_id: int, grid_id: int, building_ids: Sequence[int], confirm: bool = False
) -> dict[str, int]:
    """Move buildings into a grid; their unfinished tasks follow only once confirmed.

    Without `confirm`, a move that would re-route work is refused with 409 `confirm_move`
    and the number of tasks and requests it would move, and nothing changes. With it, each
    unfinished task and request goes to the new grid; a task whose assignee does not work
    there is dispatched afresh. Returns how many tasks and requests moved. Audited.
    """
    s = db.session()
    grid = s.get(Grid, grid_id, with_for_update=True)
    if grid is None:
        raise NotFound(_("No such grid."))
    _check_buildings(grid.community_id, building_ids)
    rows = s.exec(select(GridBuilding).where(GridBuilding.building_id.in_(building_ids)))
    moving = [row for row in rows if row.grid_id != grid_id]
    moved_ids = [row.building_id for row in moving]
    already = set(s.exec(select(GridBuilding.building_id).where(GridBuilding.grid_id == grid_id)))
    new = set(building_ids) - set(moved_ids) - already
    open_tasks, requests = _unfinished_work(moved_ids)
    counts = {"tasks": len(open_tasks), "requests": len(requests)}
    if (open_tasks or requests) and not confirm:
        raise ConfirmMove(
            _(
                "Moving these buildings re-routes %(tasks)d tasks and %(requests)d requests; "
                "confirm to go on.",
                **counts,
            ),
            fields={"tasks": [len(open_tasks)], "requests": [len(requests)]},
        )
    for row in moving:
        s.delete(row)
    s.flush()
    for building_id in sorted(moved_ids + list(new)):
        s.add(GridBuilding(grid_id=grid_id, building_id=building_id))
    s.flush()
    for task in open_tasks:
        tasks.reroute(task, grid)
    for req in requests:
        req.grid_id = grid_id
    audit.record(
        actor_id=actor_id,
        action="grid.buildings_moved",
        subject_type="grid",
        subject_id=grid_id,
        data={"building_ids": sorted(set(building_ids)), **counts},
    )
    s.flush()
    return counts


def create_grid(
    *, community_id: int, name: str, building_ids: Sequence[int], manager_id: int | None = None
) -> Grid:
    """Create a grid over `building_ids` (each building may be in one grid only)."""
    grid = Grid(community_id=community_id, name=name, manager_id=manager_id)
    db.session().add(grid)
    db.session().flush()
    for building_id in building_ids:
        db.session().add(GridBuilding(grid_id=grid.id, building_id=building_id))
    db.session().flush()
    return grid
