"""The tasks JSON API: staff see and move their grid's tasks; managers reassign and unlock."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint

from fulfilment import queries, schemas, services
from shop.core import db
from shop.core.auth import role_required
from shop.core.errors import DomainError

bp = Blueprint("fulfilment_api", __name__, url_prefix="/api/v1", description="Tasks of the staff")


@bp.get("/tasks")
@role_required("staff", "manager")
@bp.response(200, schemas.TaskSchema(many=True))
def list_tasks() -> Any:
    """Staff: my tasks and my grids' claimable ones; managers: their grids' tasks."""
    if "staff" in current_user.roles:
        return queries.tasks_for_staff(current_user.id)
    return queries.tasks_for_manager(current_user.id)


@bp.get("/tasks/<int:task_id>")
@role_required("staff", "manager")
@bp.response(200, schemas.TaskSchema)
def get_task(task_id: int) -> Any:
    """One task (404 for another grid's or another person's)."""
    if "staff" in current_user.roles:
        return queries.task_for_staff(task_id, current_user.id)
    return queries.task_for_manager(task_id, current_user.id)


@bp.post("/tasks/<int:task_id>/claim")
@role_required("staff")
@bp.response(200, schemas.TaskSchema)
def claim(task_id: int) -> Any:
    """Take a claimable task of my grid (409 `already_taken` if someone was faster)."""
    services.claim(task_id=task_id, staff_id=current_user.id)
    db.session().commit()
    return queries.task_for_staff(task_id, current_user.id)


@bp.post("/tasks/<int:task_id>/events")
@role_required("staff")
@bp.arguments(schemas.TaskEventInSchema)
@bp.response(200, schemas.TaskSchema)
def task_event(data: dict[str, Any], task_id: int) -> Any:
    """Record a step of my task; the order's promises are judged from it."""
    try:
        services.act(
            task_id=task_id,
            staff_id=current_user.id,
            action=services.EVENT_ACTIONS[data["event"]],
            confirmation_code=data["confirmation_code"],
            checklist=data["checklist"],
            reason=data["reason"],
        )
    except DomainError as exc:
        if exc.code in services.KEEP_ON_ERROR:
            db.session().commit()  # the wrong code counts (the third locks the task)
        raise
    db.session().commit()
    return queries.task_for_staff(task_id, current_user.id)


@bp.post("/tasks/<int:task_id>/reassign")
@role_required("manager")
@bp.arguments(schemas.ReassignInSchema)
@bp.response(200, schemas.TaskSchema)
def reassign(data: dict[str, Any], task_id: int) -> Any:
    """Give a task of my grid to another staff member with its role."""
    services.reassign(task_id=task_id, manager_id=current_user.id, **data)
    db.session().commit()
    return queries.task_for_manager(task_id, current_user.id)


@bp.post("/tasks/<int:task_id>/unlock")
@role_required("manager")
@bp.response(200, schemas.TaskSchema)
def unlock(task_id: int) -> Any:
    """Unlock a task locked by three wrong codes."""
    services.unlock(task_id=task_id, manager_id=current_user.id)
    db.session().commit()
    return queries.task_for_manager(task_id, current_user.id)
