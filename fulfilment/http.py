"""The fulfilment JSON API: tasks, wallets and withdrawals, the ledger, rules, boards."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user

from fulfilment import api, queries, schemas
from fulfilment.services import (
    commissions,
    grids,
    households,
    ledger,
    payouts,
    staff,
    statements,
    tasks,
    touchpoints,
)
from shop.core import accounts
from shop.core.auth import role_required
from shop.core.boundary import Blueprint
from shop.core.http import idempotency_key
from shop.core.ratelimit import limiter
from shop.core.schemas import PageArgsSchema, page_of, page_schema, paged

bp = Blueprint("fulfilment_api", __name__, url_prefix="/api/v1", description="Tasks of the staff")


@bp.get("/tasks")
@role_required("staff", "manager")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.TaskSchema, "TaskPage"))
def list_tasks(args: dict[str, Any]) -> dict[str, Any]:
    """Staff: my tasks and my grids' claimable ones; managers: their grids' tasks."""
    if "staff" in current_user.roles:
        return paged(queries.tasks_for_staff(current_user.id), args)
    return paged(queries.tasks_for_manager(current_user.id), args)


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
    tasks.claim(task_id=task_id, staff_id=current_user.id)
    return queries.task_for_staff(task_id, current_user.id)


@bp.post("/tasks/<int:task_id>/events")
@role_required("staff")
@bp.arguments(schemas.TaskEventInSchema)
@bp.response(200, schemas.TaskSchema)
def task_event(data: dict[str, Any], task_id: int) -> Any:
    """Record a step of my task; the order's promises are judged from it."""
    tasks.act(
        task_id=task_id,
        staff_id=current_user.id,
        action=tasks.EVENT_ACTIONS[data["event"]],
        confirmation_code=data["confirmation_code"],
        checklist=data["checklist"],
        not_applicable=data["not_applicable"],
        early_agreed=data["early_agreed"],
        reason=data["reason"],
        cause=data["cause"],
    )
    return queries.task_for_staff(task_id, current_user.id)


@bp.post("/tasks/<int:task_id>/early-requests")
@role_required("staff")
@bp.response(200, schemas.TaskSchema)
def ask_early(task_id: int) -> Any:
    """Ask the resident, in the app, whether I may come before their window."""
    tasks.ask_early(task_id=task_id, staff_id=current_user.id)
    return queries.task_for_staff(task_id, current_user.id)


@bp.post("/tasks/<int:task_id>/reassign")
@role_required("manager")
@bp.arguments(schemas.ReassignInSchema)
@bp.response(200, schemas.TaskSchema)
def reassign(data: dict[str, Any], task_id: int) -> Any:
    """Give a task of my grid to another staff member with its role."""
    tasks.reassign(task_id=task_id, manager_id=current_user.id, **data)
    return queries.task_for_manager(task_id, current_user.id)


@bp.post("/tasks/<int:task_id>/unlock")
@role_required("manager")
@bp.response(200, schemas.TaskSchema)
def unlock(task_id: int) -> Any:
    """Unlock a task locked by three wrong codes."""
    tasks.unlock(task_id=task_id, manager_id=current_user.id)
    return queries.task_for_manager(task_id, current_user.id)


@bp.get("/staff/me/wallet")
@role_required("staff")
@bp.response(200, schemas.WalletSchema)
def wallet() -> dict[str, Any]:
    """My balances by status, recent movements with their orders and tasks, my withdrawals."""
    balances = statements.balances(current_user.id)
    return {
        "balances": {**balances.__dict__, "currency": current_app.config["CURRENCY"]},
        "lines": statements.wallet_lines(current_user.id),
        "credits": statements.credits_of_staff(current_user.id),
        "withdrawals": payouts.list_withdrawals(staff_id=current_user.id),
    }


@bp.get("/staff/me/statements")
@role_required("staff")
@bp.arguments(schemas.StatementArgs, location="query")
@bp.response(200, schemas.StaffStatementSchema)
def my_statement(args: dict[str, Any]) -> Any:
    """My statement for a month: opening, every movement, closing."""
    return statements.statement(current_user.id, args["month"])


@bp.post("/staff/me/withdrawals")
@role_required("staff")
@bp.arguments(schemas.WithdrawalInSchema)
@bp.response(201, schemas.WithdrawalSchema)
def withdraw(data: dict[str, Any]) -> Any:
    """Ask to be paid from my available balance (`Idempotency-Key` required)."""
    row = payouts.request_withdrawal(
        staff_id=current_user.id,
        amount_minor=data["amount_minor"],
        idempotency_key=idempotency_key(),
    )
    return row


@bp.get("/withdrawals")
@role_required("operator")
@bp.arguments(schemas.WithdrawalListArgs, location="query")
@bp.response(200, page_schema(schemas.WithdrawalSchema, "WithdrawalPage"))
def withdrawals(args: dict[str, Any]) -> dict[str, Any]:
    """Withdrawals of a status (by default those waiting for a decision), oldest first."""
    found = payouts.withdrawals_page(
        status=args["status"], page=args["page"], per_page=args["per_page"]
    )
    return page_of(found, args)


@bp.post("/withdrawals/<int:withdrawal_id>/decision")
@role_required("operator")
@bp.arguments(schemas.DecisionInSchema)
@bp.response(200, schemas.WithdrawalSchema)
def decide(data: dict[str, Any], withdrawal_id: int) -> Any:
    """Approve (paid in the next payout batch) or reject (the money goes back)."""
    row = payouts.decide_withdrawal(
        withdrawal_id=withdrawal_id,
        actor_id=current_user.id,
        approve=data["decision"] == "approve",
        reason=data["reason"],
    )
    return row


@bp.get("/ledger/trial-balance")
@role_required("operator")
@bp.response(200, schemas.TrialBalanceSchema)
def trial_balance() -> dict[str, Any]:
    """Every account's balance; the total is zero."""
    accounts, total = ledger.trial_balance()
    return {
        "accounts": [{"account": a, "balance_minor": b} for a, b in accounts],
        "total_minor": total,
    }


@bp.get("/commission-rules")
@role_required("operator")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.RuleSchema, "RulePage"))
def commission_rules(args: dict[str, Any]) -> dict[str, Any]:
    """Every rule version, newest first."""
    return paged(commissions.list_rules(), args)


@bp.post("/commission-rules")
@role_required("operator")
@bp.arguments(schemas.RuleSchema)
@bp.response(201, schemas.RuleSchema)
def add_commission_rule(data: dict[str, Any]) -> Any:
    """Add a rule version: it applies to orders paid from its `valid_from` (default now)."""
    row = commissions.save_rule(actor_id=current_user.id, data=data)
    return row


@bp.get("/grids/<int:grid_id>/leaderboard")
@role_required("staff", "manager", "operator")
@bp.arguments(schemas.LeaderboardArgs, location="query")
@bp.response(200, page_schema(schemas.LeaderRowSchema, "LeaderRowPage"))
def leaderboard(args: dict[str, Any], grid_id: int) -> dict[str, Any]:
    """A grid's board for a month (its manager, its staff, the operator)."""
    queries.require_grid_member(grid_id, current_user.id, current_user.roles)
    return paged(queries.leaderboard(grid_id, args["month"]), args)


def _request_limit() -> str:
    return str(current_app.config["REQUEST_LIMIT_PER_IP"])


@bp.post("/touchpoints/<string(maxlength=16):code>/requests")
@limiter.limit(_request_limit, scope="touchpoint-requests")
@bp.arguments(schemas.RequestInSchema)
@bp.response(201, schemas.RequestSchema)
def open_request(data: dict[str, Any], code: str) -> Any:
    """Open a report (报事) or a booking (预约) from a scanned code; no login needed.

    A logged-in resident is the contact; anyone else gives a name and phone. Rate-limited
    per IP (429).
    """
    resident_id = (
        current_user.id
        if current_user.is_authenticated and current_user.has_role("resident")
        else None
    )
    req = touchpoints.open_request(code=code, data=data, resident_id=resident_id)
    return queries.request_for_resident_or_public(req.id)


@bp.get("/service-requests")
@role_required("staff", "resident")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.RequestSchema, "RequestPage"))
def list_requests(args: dict[str, Any]) -> dict[str, Any]:
    """Staff: the active requests of their grids; residents: their own."""
    if current_user.has_role("staff"):
        return paged(queries.requests_for_staff(current_user.id), args)
    return paged(queries.requests_for_resident(current_user.id), args)


@bp.post("/service-requests/<int:request_id>/actions")
@role_required("staff")
@bp.arguments(schemas.RequestActionSchema)
@bp.response(200, schemas.RequestSchema)
def act_on_request(data: dict[str, Any], request_id: int) -> Any:
    """Accept, arrive or finish a request of one's grid (404 for another grid's)."""
    touchpoints.act(request_id=request_id, staff_id=current_user.id, **data)
    return queries.request_for_staff(request_id, current_user.id)


@bp.get("/touchpoints")
@role_required("operator")
@bp.arguments(schemas.CompoundFilterArgs, location="query")
@bp.response(200, page_schema(schemas.TouchpointSchema, "TouchpointPage"))
def list_touchpoints(args: dict[str, Any]) -> dict[str, Any]:
    """Every touchpoint (optionally of one compound), with the link its QR code opens."""
    return paged(queries.touchpoints(args["community_id"]), args)


@bp.post("/touchpoints")
@role_required("operator")
@bp.arguments(schemas.TouchpointInSchema)
@bp.response(201, schemas.TouchpointSchema)
def add_touchpoint(data: dict[str, Any]) -> Any:
    """Hang up a new QR code (audited)."""
    point = touchpoints.create_touchpoint(actor_id=current_user.id, **data)
    return next(t for t in queries.touchpoints(point.community_id) if t.id == point.id)


@bp.put("/residents/<int:resident_id>/segment")
@role_required("operator", "staff")
@bp.arguments(schemas.SegmentMoveSchema)
@bp.response(200, schemas.SegmentMoveSchema)
def move_segment(data: dict[str, Any], resident_id: int) -> Any:
    """Move a household into the mass, premium or care segment, with a reason (audited).

    The operator, or a butler of the household's grid; anyone else gets 404.
    """
    households.move_segment(actor_id=current_user.id, resident_id=resident_id, **data)
    return data


@bp.get("/grids")
@role_required("operator")
@bp.arguments(schemas.CompoundFilterArgs, location="query")
@bp.response(200, page_schema(schemas.GridOutSchema, "GridPage"))
def list_grids(args: dict[str, Any]) -> dict[str, Any]:
    """Every grid with its buildings and staff (optionally of one compound)."""
    return paged(api.list_grids(args["community_id"]), args)


@bp.post("/grids")
@role_required("operator")
@bp.arguments(schemas.GridInSchema)
@bp.response(201, schemas.GridOutSchema)
def open_grid(data: dict[str, Any]) -> Any:
    """Draw a grid (409 `building_in_grid` for a building that has one: move it instead)."""
    grid = grids.open_grid(actor_id=current_user.id, **data)
    return api.get_grid(grid.id)


@bp.put("/grids/<int:grid_id>/buildings")
@role_required("operator")
@bp.arguments(schemas.GridBuildingsSchema)
@bp.response(200, schemas.GridOutSchema)
def move_buildings(data: dict[str, Any], grid_id: int) -> Any:
    """Move buildings into the grid, with their unfinished tasks and requests.

    When work would follow, 409 `confirm_move` (with the counts) until `confirm` is true.
    """
    grids.move_buildings(actor_id=current_user.id, grid_id=grid_id, **data)
    return api.get_grid(grid_id)


@bp.put("/grids/<int:grid_id>/manager")
@role_required("operator")
@bp.arguments(schemas.GridManagerSchema)
@bp.response(200, schemas.GridOutSchema)
def set_grid_manager(data: dict[str, Any], grid_id: int) -> Any:
    """Put a project manager in charge of the grid, or none (audited)."""
    grids.set_grid_manager(actor_id=current_user.id, grid_id=grid_id, **data)
    return api.get_grid(grid_id)


@bp.get("/managers")
@role_required("operator")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.ManagerOutSchema, "ManagerOutPage"))
def list_managers(args: dict[str, Any]) -> dict[str, Any]:
    """Every active project manager and their grids."""
    return paged([queries.manager_view(user, grids) for user, grids in grids.list_managers()], args)


@bp.post("/managers")
@role_required("operator")
@bp.arguments(schemas.ManagerInSchema)
@bp.response(201, schemas.ManagerOutSchema)
def appoint_manager(data: dict[str, Any]) -> Any:
    """Add a project manager with a login, in charge of the grids named (audited)."""
    user_id = grids.appoint_manager(actor_id=current_user.id, **data)
    return queries.manager_view(accounts.get_user(user_id), sorted(set(data["grid_ids"])))


@bp.get("/staff")
@role_required("operator", "manager")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.StaffOutSchema, "StaffPage"))
def list_staff(args: dict[str, Any]) -> dict[str, Any]:
    """Every staff member (the operator), or those of my grids (a manager)."""
    return paged(
        queries.staff_of(current_user.id, is_operator=current_user.has_role("operator")), args
    )


@bp.post("/staff")
@role_required("operator", "manager")
@bp.arguments(schemas.HireSchema)
@bp.response(201, schemas.StaffOutSchema)
def hire(data: dict[str, Any]) -> Any:
    """Add a staff member with a login (a manager for their own grids only; audited)."""
    user_id = staff.hire(actor_id=current_user.id, **data)
    return queries.staff_view(user_id)


@bp.patch("/staff/<int:user_id>")
@role_required("operator", "manager")
@bp.arguments(schemas.StaffPatchSchema)
@bp.response(200, schemas.StaffOutSchema)
def change_staff(data: dict[str, Any], user_id: int) -> Any:
    """Move a staff member between grids, or put them on or off duty."""
    if "grid_ids" in data:
        staff.assign_grids(actor_id=current_user.id, user_id=user_id, grid_ids=data["grid_ids"])
    if "is_on_duty" in data:
        staff.set_staff_duty(actor_id=current_user.id, user_id=user_id, on_duty=data["is_on_duty"])
    return queries.staff_view(user_id)


@bp.post("/staff/<int:user_id>/leave")
@role_required("operator", "manager")
@bp.arguments(schemas.LetGoSchema)
@bp.response(200, schemas.StaffOutSchema)
def let_go(data: dict[str, Any], user_id: int) -> Any:
    """A staff member leaves: login closed, out of every grid, unstarted tasks re-dispatched.

    Their ledger and statements stay.
    """
    staff.let_go(actor_id=current_user.id, user_id=user_id, **data)
    return queries.staff_view(user_id)


@bp.post("/residents/<int:resident_id>/approval")
@role_required("operator", "staff")
@bp.response(204)
def approve_resident(resident_id: int) -> None:
    """Confirm a new resident's home (the operator, or a butler of its grid; audited)."""
    households.approve_resident(actor_id=current_user.id, resident_id=resident_id)
