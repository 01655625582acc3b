"""Staff and manager pages: big buttons, few steps."""

from __future__ import annotations

import io
import uuid
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

import orders.api
from fulfilment import labels, process, queries, schemas
from fulfilment.services import households as keeping
from fulfilment.services import payouts, sheet, staff, statements, tasks, touchpoints
from shop.core import accounts, db
from shop.core.auth import role_required
from shop.core.boundary import id_value, page_value
from shop.core.errors import DomainError, NotFound
from shop.core.forms import EmptyForm
from shop.core.ratelimit import limiter
from shop.core.web import check_csrf, form_action, load_form, posted, typed_values

bp = Blueprint("fulfilment", __name__, template_folder="templates")


@bp.get("/staff")
@role_required("staff")
def staff_home() -> ResponseReturnValue:
    """A staff member's home: duty switch and the grids they cover."""
    return render_template(
        "fulfilment/staff_home.html",
        member=queries.find_staff_member(current_user.id),
        grids=queries.grids_of_staff(current_user.id),
        tasks=queries.tasks_for_staff(current_user.id),
        requests=queries.requests_for_staff(current_user.id),
        to_confirm=queries.residents_to_confirm(current_user.id),
    )


@bp.post("/staff/duty/<any(on, off):state>")
@role_required("staff")
def set_duty(state: str) -> ResponseReturnValue:
    """Go on or off duty."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    staff.set_duty(user_id=current_user.id, on_duty=state == "on")
    return redirect(url_for("fulfilment.staff_home"))


@bp.get("/manager")
@role_required("manager")
def manager_home() -> ResponseReturnValue:
    """A manager's home: their grids and who is on duty."""
    tasks = queries.tasks_for_manager(current_user.id)
    return render_template(
        "fulfilment/manager_home.html",
        grids=queries.grids_of_manager(current_user.id),
        tasks=tasks,
        staff_by_task={
            t.id: queries.staff_of_grid_with_role(t.grid_id, t.staff_role) for t in tasks
        },
    )


def _withdraw(form: dict[str, Any]) -> None:
    """A withdrawal request (0: nothing typed, which the service calls too little)."""
    payouts.request_withdrawal(
        staff_id=current_user.id,
        amount_minor=form["amount_minor"],
        idempotency_key=form["key"] or uuid.uuid4().hex,
    )


@bp.route("/staff/wallet", methods=["GET", "POST"])
@role_required("staff")
def wallet_page() -> ResponseReturnValue:
    """My money: balances by status, the month's statement, and a withdrawal request."""
    if request.method == "POST":
        form_action(
            lambda: _withdraw(posted(schemas.WithdrawalForm())),
            _("Your withdrawal request is with the operator."),
        )
        return redirect(url_for("fulfilment.wallet_page"), code=303)
    month = statements.month_of(request.args.get("month"))
    return render_template(
        "fulfilment/wallet.html",
        balances=statements.balances(current_user.id),
        statement=statements.statement(current_user.id, month),
        credits=statements.credits_of_staff(current_user.id, limit=30),
        withdrawals=payouts.list_withdrawals(staff_id=current_user.id),
        minimum=current_app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"],
        key=uuid.uuid4().hex,
    )


@bp.get("/grids/<int:grid_id>/board")
@role_required("staff", "manager", "operator")
def board_page(grid_id: int) -> ResponseReturnValue:
    """A grid's board for the month: pieces, promises kept, earnings, levels and badges."""
    queries.require_grid_member(grid_id, current_user.id, current_user.roles)
    month = statements.month_of(request.args.get("month"))
    return render_template(
        "fulfilment/board.html",
        grid_id=grid_id,
        month=month,
        rows=queries.leaderboard(grid_id, month),
    )


@bp.get("/my-butler")
@role_required("resident")
def my_butler() -> ResponseReturnValue:
    """The resident's butler with one big button that calls them."""
    return render_template(
        "fulfilment/my_butler.html", butler=queries.butler_for_resident(current_user.id)
    )


@bp.route("/t/<string(maxlength=16):code>", methods=["GET", "POST"])
@limiter.limit(
    lambda: str(current_app.config["REQUEST_LIMIT_PER_IP"]),
    methods=["POST"],
    scope="touchpoint-requests",
)
def touchpoint_form(code: str) -> ResponseReturnValue:
    """What a scanned code opens: report a problem or book a visit, in two taps."""
    point = touchpoints.active_touchpoint(code)
    resident = current_user.is_authenticated and current_user.has_role("resident")
    values: dict[str, Any] = {"kind": request.args.get("kind", "report")}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        values = typed_values()
        timezone = accounts.community_timezone(point.community_id)
        data, errors = load_form(schemas.request_form(timezone))
        if not errors:
            try:
                req = touchpoints.open_request(
                    code=code, data=data, resident_id=current_user.id if resident else None
                )
            except DomainError as exc:
                db.refused(exc)
                errors = exc.fields or {"_schema": [exc.message]}
            else:
                return render_template(
                    "fulfilment/request_sent.html",
                    point=point,
                    request_view=queries.request_for_resident_or_public(req.id),
                ), 201
    return render_template(
        "fulfilment/touchpoint.html",
        point=point,
        values=values,
        errors=errors,
        resident=resident,
        demand_open=resident and orders.api.demand_open(),
    ), 422 if errors else 200


@bp.get("/requests")
@role_required("resident")
def my_requests() -> ResponseReturnValue:
    """The resident's reports and bookings, with where each promise stands."""
    return render_template(
        "fulfilment/my_requests.html", rows=queries.requests_for_resident(current_user.id)
    )


@bp.post("/requests/<int:request_id>/cancel")
@role_required("resident")
def cancel_request(request_id: int) -> ResponseReturnValue:
    """The resident takes back a request."""
    check_csrf()
    form_action(
        lambda: touchpoints.cancel(request_id=request_id, resident_id=current_user.id),
        _("Your request was cancelled."),
    )
    return redirect(url_for("fulfilment.my_requests"), code=303)


@bp.post("/staff/residents/<int:resident_id>/approve")
@role_required("staff")
def approve_resident(resident_id: int) -> ResponseReturnValue:
    """Confirm a new resident's home (a butler of its grid)."""
    check_csrf()
    form_action(
        lambda: keeping.approve_resident(actor_id=current_user.id, resident_id=resident_id),
        _("The resident's home is confirmed."),
    )
    return redirect(url_for("fulfilment.staff_home"), code=303)


@bp.get("/households")
@role_required("operator", "staff")
def households() -> ResponseReturnValue:
    """The households a person keeps (a butler: their grids'; the operator: all).

    Found by name, phone or room, each with its segment and a form to move it (with a reason).
    """
    return _households_page({}, {}, 200)


def _households_page(values: dict[str, Any], errors: dict[str, Any], status: int) -> Any:
    page = request.args.get("page", 1, type=page_value)
    query = request.args.get("q", "")[:40]
    buildings = queries.household_buildings(
        current_user.id, is_operator=current_user.has_role("operator")
    )
    rows, total = (
        accounts.find_households(building_ids=buildings, query=query, page=page)
        if buildings != []
        else ([], 0)
    )
    return render_template(
        "fulfilment/households.html",
        rows=rows,
        total=total,
        page=page,
        per_page=30,
        query=query,
        values=values,
        errors=errors,
        mask_phone=queries.mask_phone,
    ), status


@bp.post("/households/<int:resident_id>/segment")
@role_required("operator", "staff")
def household_segment(resident_id: int) -> ResponseReturnValue:
    """Move a household into another segment, with a reason (audited)."""
    data, errors = load_form(schemas.SegmentMoveSchema())
    if not errors:
        try:
            keeping.move_segment(actor_id=current_user.id, resident_id=resident_id, **data)
        except NotFound:
            raise
        except DomainError as exc:
            db.refused(exc)
            errors = exc.fields or {"_schema": [exc.message]}
        else:
            flash(_("The household's segment is changed."), "info")
            return redirect(url_for("fulfilment.households", **request.args), code=303)
    flash(_("Check the marked fields."), "error")
    return _households_page({"resident_id": resident_id, **typed_values()}, errors, 422)


@bp.get("/staff/requests/<int:request_id>")
@role_required("staff")
def request_page(request_id: int) -> ResponseReturnValue:
    """One request per screen, with one big button for the next step."""
    return render_template(
        "fulfilment/request.html", req=queries.request_for_staff(request_id, current_user.id)
    )


@bp.post("/staff/requests/<int:request_id>/<any(accept, arrive, finish):action>")
@role_required("staff")
def request_step(request_id: int, action: str) -> ResponseReturnValue:
    """Press the next step of a request."""
    check_csrf()
    done = form_action(
        lambda: touchpoints.act(
            request_id=request_id,
            staff_id=current_user.id,
            action=action,
            **posted(schemas.NoteForm()),
        ),
        labels.action_label(action),
    )
    if done and action == "finish":
        return redirect(url_for("fulfilment.staff_home"), code=303)
    return redirect(url_for("fulfilment.request_page", request_id=request_id), code=303)


@bp.route("/console/touchpoints", methods=["GET", "POST"])
@role_required("operator")
def touchpoint_list() -> ResponseReturnValue:
    """The operator's QR touchpoints per community: add one, print the sheet."""
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data, errors = load_form(schemas.TouchpointInSchema())
        if not errors:
            try:
                touchpoints.create_touchpoint(actor_id=current_user.id, **data)
            except DomainError as exc:
                db.refused(exc)
                errors = exc.fields or {"_schema": [exc.message]}
            else:
                flash(_("The touchpoint was added; print its code."), "info")
                return redirect(url_for("fulfilment.touchpoint_list"), code=303)
    communities = accounts.list_communities()
    return render_template(
        "fulfilment/touchpoints.html",
        communities=communities,
        community_options=[(c.id, c.name) for c in communities],
        rows=queries.touchpoints(),
        buildings={c.id: accounts.list_buildings(c.id) for c in communities},
        grids=queries.grids_of_communities([c.id for c in communities]),
        values=typed_values() if errors else {},
        errors=errors,
    ), 422 if errors else 200


@bp.get("/console/touchpoints/sheet.svg")
@role_required("operator")
def touchpoint_sheet() -> ResponseReturnValue:
    """A printable A4 sheet of a community's codes (SVG), each with its label."""
    community_id = request.args.get("community_id", type=id_value)
    rows = [t for t in queries.touchpoints(community_id) if t.is_active]
    if community_id is None or not rows:
        abort(404)
    links = [
        (t.label, url_for("fulfilment.touchpoint_form", code=t.code, _external=True)) for t in rows
    ]
    svg = sheet.render(links, title=_("Scan to report a problem or book a visit"))
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/r/<code>")
def referral(code: str) -> ResponseReturnValue:
    """A staff member's referral link (their QR code): orders placed from here carry it."""
    if queries.find_staff_by_number(code) is not None:
        session["referral_code"] = code
    return redirect("/shop/")


@bp.get("/staff/referral.svg")
@role_required("staff")
def referral_qr() -> ResponseReturnValue:
    """My referral link as a QR code, for residents to scan."""
    member = queries.find_staff_member(current_user.id)
    if member is None:
        abort(404)
    link = url_for("fulfilment.referral", code=member.employee_no, _external=True)
    svg = io.BytesIO()
    segno.make(link, error="m").save(svg, kind="svg", scale=6, border=2)
    return Response(svg.getvalue(), mimetype="image/svg+xml")


@bp.get("/staff/tasks/<int:task_id>")
@role_required("staff")
def task_page(task_id: int) -> ResponseReturnValue:
    """One task per screen: where, what, when, and one big button for the next step."""
    return render_template(
        "fulfilment/task.html", task=queries.task_for_staff(task_id, current_user.id)
    )


@bp.post("/staff/tasks/<int:task_id>/claim")
@role_required("staff")
def claim(task_id: int) -> ResponseReturnValue:
    """Take a claimable task."""
    check_csrf()
    form_action(
        lambda: tasks.claim(task_id=task_id, staff_id=current_user.id),
        _("The task is yours."),
    )
    return redirect(url_for("fulfilment.task_page", task_id=task_id), code=303)


@bp.post("/staff/tasks/<int:task_id>/<any(accept, pick_up, arrive, deliver, finish, fail):action>")
@role_required("staff")
def step(task_id: int, action: str) -> ResponseReturnValue:
    """Press the next step of my task."""
    try:
        form = posted(schemas.StepForm(), multi=("checklist",))
        tasks.act(
            task_id=task_id,
            staff_id=current_user.id,
            action=action,
            confirmation_code=form["code"] or None,
            checklist=form["checklist"],
            not_applicable=_not_applicable(task_id, form["not_applicable_at"]),
            early_agreed=form["early_agreed"],
            reason=form["reason"],
            cause=form["cause"],
        )
    except NotFound:
        raise
    except DomainError as exc:
        db.refused(exc)  # a wrong code keeps its record (the third locks the task)
        flash(exc.message, "error")
        return redirect(url_for("fulfilment.task_page", task_id=task_id), code=303)
    flash(labels.action_label(action) + " ✓", "info")
    if process.next_action(*_kind_status(task_id)) is None:
        return redirect(url_for("fulfilment.staff_home"), code=303)
    return redirect(url_for("fulfilment.task_page", task_id=task_id), code=303)


def _not_applicable(task_id: int, reasons: dict[int, str]) -> dict[str, str]:
    """The checklist items marked not applicable on the form (by position), with the reason."""
    items = queries.task_for_staff(task_id, current_user.id).checklist
    return {item: reasons[n] for n, item in enumerate(items) if n in reasons}


@bp.post("/staff/tasks/<int:task_id>/ask-early")
@role_required("staff")
def ask_early(task_id: int) -> ResponseReturnValue:
    """Ask the resident in the app whether I may come before their window."""
    check_csrf()
    form_action(
        lambda: tasks.ask_early(task_id=task_id, staff_id=current_user.id),
        _("The resident has been asked in the app."),
    )
    return redirect(url_for("fulfilment.task_page", task_id=task_id), code=303)


def _kind_status(task_id: int) -> tuple[str, str]:
    task = queries.task_for_staff(task_id, current_user.id)
    return task.kind, task.status


@bp.post("/manager/tasks/<int:task_id>/reassign")
@role_required("manager")
def reassign(task_id: int) -> ResponseReturnValue:
    """Give a task to someone else of the grid."""
    form_action(
        lambda: tasks.reassign(
            task_id=task_id, manager_id=current_user.id, **posted(schemas.ReassignForm())
        ),
        _("The task was reassigned."),
    )
    return redirect(url_for("fulfilment.manager_home"), code=303)


@bp.post("/manager/tasks/<int:task_id>/unlock")
@role_required("manager")
def unlock(task_id: int) -> ResponseReturnValue:
    """Unlock a task locked by wrong codes."""
    check_csrf()
    form_action(
        lambda: tasks.unlock(task_id=task_id, manager_id=current_user.id),
        _("The task is unlocked."),
    )
    return redirect(url_for("fulfilment.manager_home"), code=303)
