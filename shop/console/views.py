"""The operator's console pages: the overview, the platform phase, orders and complaints."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import EXCLUDE

import fulfilment.api
import orders.api
import suppliers.api
import suppliers.catalogue.api as catalogue
from shop.console import dashboards, forms
from shop.core import accounts, audit, db, months
from shop.core.auth import role_required
from shop.core.boundary import page_value
from shop.core.errors import Invalid, NotFound
from shop.core.schemas import CommunityInSchema
from shop.core.web import check_csrf, form_action, form_values, load_form, posted, submitted

bp = Blueprint("console", __name__, template_folder="templates", url_prefix="/console")
#: The operator's pages were once split between /ops and /console; old links still arrive.
old_prefix = Blueprint("console_old_prefix", __name__, url_prefix="/ops")
#: The owners' committee's pages: its compound's public figures, nothing personal.
committee = Blueprint("committee", __name__, template_folder="templates", url_prefix="/committee")


@old_prefix.route("/<path:rest>", methods=["GET", "POST"])
def moved(rest: str) -> ResponseReturnValue:
    """Every operator page is under /console now: an old /ops link is sent there (308)."""
    query = request.query_string.decode("latin-1")
    return redirect(f"/console/{rest}" + (f"?{query}" if query else ""), code=308)


@bp.get("/")
@role_required("operator")
def home() -> ResponseReturnValue:
    """The operator's overview: people by role, communities and grids, suppliers by status."""
    return render_template(
        "console/home.html",
        roles=accounts.count_users_by_role(),
        communities=accounts.list_communities(),
        grids=fulfilment.api.list_grids(),
        suppliers=suppliers.api.count_by_status(),
        phase=suppliers.api.current_phase(),
    )


@bp.route("/phase", methods=["GET", "POST"])
@role_required("operator")
def phase() -> ResponseReturnValue:
    """The platform phase: readiness for the next one, and the advance (with an override)."""
    current = suppliers.api.current_phase()
    upcoming = current + 1 if current < 3 else None
    if request.method == "POST" and upcoming:
        check_csrf()
        form_action(
            lambda: suppliers.api.advance_phase(
                phase=upcoming,
                actor_id=current_user.id,
                override_reason=posted(forms.PhaseForm())["override_reason"],
            ),
            _("The platform is now in phase %(phase)d.", phase=upcoming),
        )
        return redirect(url_for("console.phase"))
    return render_template(
        "console/phase.html",
        phase=current,
        upcoming=upcoming,
        figures=suppliers.api.readiness(upcoming) if upcoming else [],
        history=suppliers.api.phase_history(),
    )


@bp.get("/orders")
@role_required("operator")
def orders_page() -> ResponseReturnValue:
    """Every order, newest first (optionally one status), and the complaints waiting."""
    status = request.args.get("status") or None
    page = request.args.get("page", 1, type=page_value)
    rows, total = orders.api.recent_orders(status=status, page=page)
    return render_template(
        "console/orders.html",
        orders=rows,
        total=total,
        page=page,
        status=status,
        statuses=orders.api.STATUSES,
        complaints=orders.api.open_complaints(),
    )


@bp.get("/orders/<int:order_id>")
@role_required("operator")
def order_page(order_id: int) -> ResponseReturnValue:
    """One order: money, promises (waive), complaints (answer) and refunds."""
    order = orders.api.get_order(order_id, user_id=current_user.id, roles=current_user.roles)
    return render_template("console/order.html", order=order)


def _back(order_id: int) -> ResponseReturnValue:
    return redirect(url_for("console.order_page", order_id=order_id), code=303)


@bp.post("/orders/<int:order_id>/refund")
@role_required("operator")
def refund(order_id: int) -> ResponseReturnValue:
    """Refund all of the order (amount left empty) or part of it (typed in yuan)."""
    form_action(
        lambda: orders.api.refund_order(
            order_id=order_id, actor_id=current_user.id, **posted(forms.RefundForm())
        ),
        _("The refund is on its way."),
    )
    return _back(order_id)


@bp.post("/orders/<int:order_id>/promises/<int:node_id>/waive")
@role_required("operator")
def waive(order_id: int, node_id: int) -> ResponseReturnValue:
    """Let a pending promise go, with a reason."""
    check_csrf()
    form_action(
        lambda: orders.api.waive_promise(
            order_id=order_id,
            node_id=node_id,
            actor_id=current_user.id,
            **posted(forms.ReasonForm()),
        ),
        _("The promise was waived."),
    )
    return _back(order_id)


@bp.post("/orders/<int:order_id>/complaints/<int:complaint_id>/resolve")
@role_required("operator")
def resolve(order_id: int, complaint_id: int) -> ResponseReturnValue:
    """Answer a complaint; the resident is told."""
    check_csrf()
    form_action(
        lambda: orders.api.resolve_complaint(
            complaint_id=complaint_id,
            actor_id=current_user.id,
            **posted(forms.ResolutionForm()),
        ),
        _("The complaint was answered."),
    )
    return _back(order_id)


@bp.get("/staff-money")
@role_required("operator")
def staff_money() -> ResponseReturnValue:
    """The staff ledger: trial balance, withdrawals waiting, commission rules."""
    accounts, total = fulfilment.api.trial_balance()
    return render_template(
        "console/staff_money.html",
        accounts=accounts,
        total=total,
        withdrawals=fulfilment.api.waiting_withdrawals(),
        rules=fulfilment.api.commission_rules(),
        batches=fulfilment.api.payout_batches(),
    )


@bp.post("/payouts")
@role_required("operator")
def export_payroll() -> ResponseReturnValue:
    """Put every approved withdrawal into a payroll batch; its file is then downloaded."""
    check_csrf()
    batch_id = fulfilment.api.export_payroll(actor_id=current_user.id)
    if batch_id is None:
        flash(_("No approved withdrawals to pay."), "info")
    else:
        flash(
            _("Payroll batch %(id)d is ready: download its file for the bank.", id=batch_id), "info"
        )
    return redirect(url_for("console.staff_money"), code=303)


@bp.get("/payouts/<int:batch_id>.csv")
@role_required("operator")
def payroll_file(batch_id: int) -> ResponseReturnValue:
    """A payroll batch's file for the bank (UTF-8 with BOM; the same file every time)."""
    columns, lines = fulfilment.api.payroll_csv(batch_id, current_app.config["CURRENCY"])
    if not lines:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(lines)
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=payroll-{batch_id}.csv"},
    )


@bp.post("/payouts/<int:batch_id>/paid")
@role_required("operator")
def mark_payroll_paid(batch_id: int) -> ResponseReturnValue:
    """The bank has paid the batch."""
    check_csrf()
    form_action(
        lambda: fulfilment.api.mark_batch_paid(batch_id=batch_id, actor_id=current_user.id),
        _("Marked paid."),
    )
    return redirect(url_for("console.staff_money"), code=303)


@bp.post("/withdrawals/<int:withdrawal_id>/<any(approve, reject):decision>")
@role_required("operator")
def decide_withdrawal(withdrawal_id: int, decision: str) -> ResponseReturnValue:
    """Approve or reject a withdrawal."""
    check_csrf()
    form_action(
        lambda: fulfilment.api.decide_withdrawal(
            withdrawal_id=withdrawal_id,
            actor_id=current_user.id,
            approve=decision == "approve",
            **posted(forms.ReasonForm()),
        ),
        _("Decided."),
    )
    return redirect(url_for("console.staff_money"), code=303)


@bp.post("/commission-rules")
@role_required("operator")
def add_rule() -> ResponseReturnValue:
    """Add a commission rule version (from now on).

    People type a fixed amount in yuan per piece, or a share of the margin in percent; the
    role shares and the factor for a missed promise in percent. The rule keeps fen and basis
    points.
    """
    form_action(
        lambda: fulfilment.api.add_commission_rule(
            actor_id=current_user.id, data=posted(forms.CommissionRuleForm())
        ),
        _("The rule applies to orders paid from now on."),
    )
    return redirect(url_for("console.staff_money"), code=303)


def _audit_filter() -> audit.AuditFilter:
    """The audit page's filters from the query string (a date that does not parse is ignored)."""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    within = None
    if not current_user.has_role("operator"):  # a manager: their grids' part of the log
        people = fulfilment.api.people_of_managed_grids(current_user.id)
        within = audit.AuditScope(people.user_ids, people.grid_ids, people.building_ids)
    return audit.AuditFilter(
        within=within,
        actor=request.args.get("actor", "")[:254],
        action=request.args.get("action", "")[:64],
        subject_type=request.args.get("subject_type", "")[:64],
        subject_id=request.args.get("subject_id", "")[:64],
        since=day("since"),
        until=day("until"),
    )


@bp.get("/audit")
@role_required("operator", "manager")
def audit_page() -> ResponseReturnValue:
    """The audit log: who did what to which object when, filtered, newest first.

    A manager sees their grids' part: what their staff and residents did or had done to them,
    and what was done to their grids and buildings.
    """
    wanted = _audit_filter()
    page = request.args.get("page", 1, type=page_value)
    rows, total = audit.search(wanted, page=page)
    return render_template(
        "console/audit.html", rows=rows, total=total, page=page, wanted=wanted, per_page=50
    )


@bp.get("/audit.csv")
@role_required("operator", "manager")
def audit_csv() -> ResponseReturnValue:
    """The filtered audit log as CSV (UTF-8 with BOM, for spreadsheets), streamed in batches."""
    wanted = _audit_filter()

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["id", "at", "actor_id", "actor", "action", "subject", "subject_id", "data"]
        )
        yield "\ufeff" + out.getvalue()
        for row in audit.each(wanted):
            out.seek(0)
            out.truncate()
            writer.writerow(
                [
                    row.id,
                    row.at.isoformat(),
                    row.actor_id or "",
                    row.actor,
                    row.action,
                    row.subject_type,
                    row.subject_id,
                    json.dumps(row.data, ensure_ascii=False, sort_keys=True),
                ]
            )
            yield out.getvalue()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit.csv"},
    )


def _open_compound() -> None:
    data, errors = load_form(CommunityInSchema(unknown=EXCLUDE))  # "do" is the form's
    if errors:  # the page shows the message: name each field and what is wrong
        detail = "; ".join(f"{k}: {v[0]}" for k, v in errors.items())
        raise Invalid(detail, fields=errors)
    accounts.open_community(actor_id=current_user.id, **data)


def _add_buildings() -> None:
    accounts.add_buildings(actor_id=current_user.id, **posted(forms.BuildingsForm()))


def _draw_grid() -> None:
    form = posted(forms.GridForm(), lists=("building_ids",))
    fulfilment.api.open_grid(actor_id=current_user.id, **form)


def _move_building() -> None:
    form = posted(forms.MoveForm())
    fulfilment.api.move_buildings(
        actor_id=current_user.id,
        grid_id=form["grid_id"],
        building_ids=[form["building_id"]],
        confirm=form["confirm"],
    )


def _set_grid_manager() -> None:
    fulfilment.api.set_grid_manager(actor_id=current_user.id, **posted(forms.GridManagerForm()))


def _let_go() -> None:
    fulfilment.api.let_go(actor_id=current_user.id, **posted(forms.LetGoForm()))


#: The compounds page's forms, by their `do` field.
_COMPOUND_ACTIONS: dict[str, Callable[[], Any]] = {
    "community": _open_compound,
    "buildings": _add_buildings,
    "grid": _draw_grid,
    "move": _move_building,
    "hire": lambda: fulfilment.api.hire(
        actor_id=current_user.id, form=form_values(lists=("grid_ids",))
    ),
    "manager": lambda: fulfilment.api.appoint_manager(
        actor_id=current_user.id, form=form_values(lists=("grid_ids",))
    ),
    "grid_manager": _set_grid_manager,
    "leave": _let_go,
}


def _compound_action() -> None:
    """One of the compounds page's forms, by its `do` field."""
    action = _COMPOUND_ACTIONS.get(submitted("do"))
    if action is None:
        abort(400)
    action()


@bp.route("/compounds", methods=["GET", "POST"])
@role_required("operator")
def compounds() -> ResponseReturnValue:
    """Compounds, their buildings and grids: open one, add buildings, draw and redraw grids."""
    if request.method == "POST":
        check_csrf()
        if form_action(_compound_action, _("Saved.")):
            return redirect(url_for("console.compounds"), code=303)
    communities = accounts.list_communities()
    grids = fulfilment.api.list_grids()
    buildings = {c.id: accounts.list_buildings(c.id) for c in communities}
    grid_of = {b: g for g in grids for b in g.building_ids}
    managers = fulfilment.api.managers()
    return render_template(
        "console/compounds.html",
        staff=fulfilment.api.staff_list(current_user.id),
        communities=communities,
        buildings=buildings,
        grids=grids,
        grid_of=grid_of,
        managers=managers,
        manager_choices=[(m.user_id, m.display_name) for m in managers],
    )


@bp.route("/compounds/<int:community_id>/units", methods=["GET", "POST"])
@role_required("operator")
def units_page(community_id: int) -> ResponseReturnValue:
    """A compound's homes with owners and join codes (printable for the notices).

    The owner list is uploaded here: previewed, or imported all or nothing.
    """
    community = accounts.get_community(community_id)
    preview: list[accounts.UnitRow] = []
    status = 200
    if request.method == "POST":
        check_csrf()
        upload = request.files.get("file")
        try:
            text = upload.read().decode("utf-8") if upload and upload.filename else ""
        except UnicodeDecodeError:
            text = None
        if not text:
            flash(_("Choose a UTF-8 CSV file.") if text is None else _("Choose a file."), "error")
            status = 422
        else:
            dry_run = submitted("action") != "import"
            try:
                preview, created = accounts.import_units(
                    actor_id=current_user.id, community_id=community_id, text=text, dry_run=dry_run
                )
            except Invalid as exc:
                db.refused(exc)
                flash(exc.message, "error")
                status = 422
            else:
                if any(r.errors for r in preview):  # nothing was written (all or nothing)
                    flash(_("Some lines are not valid; nothing was saved."), "error")
                    status = 422
                elif not dry_run:
                    flash(_("Imported: %(n)d homes.", n=created), "info")
                    return redirect(url_for("console.units_page", community_id=community_id), 303)
    return render_template(
        "console/units.html",
        community=community,
        units=accounts.units_of(community_id),
        preview=preview,
    ), status


def _demand_filters() -> dict[str, Any]:
    """The board's filters from the query string (one that does not load is ignored)."""
    from marshmallow import ValidationError

    given = {k: v for k, v in request.args.items() if v}
    try:
        return forms.DemandFilterForm().load(given)
    except ValidationError:
        return forms.DemandFilterForm().load({})


@bp.get("/demands")
@role_required("operator")
def demands_page() -> ResponseReturnValue:
    """The demand board: what residents asked for, by compound, most households first."""
    is_open = orders.api.demand_open()
    args = _demand_filters()
    rows = (
        orders.api.demand_board(
            community_id=args["community_id"], category_id=None, status=args["status"]
        )
        if is_open
        else []
    )
    bundles, _total = catalogue.list_bundles(viewer=None, per_page=100)
    return render_template(
        "console/demands.html",
        is_open=is_open,
        rows=rows,
        status=args["status"],
        community_id=args["community_id"],
        communities={c.id: c.name for c in accounts.list_communities()},
        bundles=[(b.id, b.title) for b in bundles],
    )


@bp.post("/demands/<int:demand_id>/<any(answer, decline):decision>")
@role_required("operator")
def decide_demand(demand_id: int, decision: str) -> ResponseReturnValue:
    """Answer a demand with a bundle, or decline it with the reason the households read."""
    if decision == "answer":
        form_action(
            lambda: orders.api.answer_demand(
                demand_id=demand_id, actor_id=current_user.id, **posted(forms.DemandAnswerForm())
            ),
            _("Answered; the households are told."),
        )
    else:
        form_action(
            lambda: orders.api.decline_demand(
                demand_id=demand_id, actor_id=current_user.id, **posted(forms.ReasonForm())
            ),
            _("Declined; the households are told why."),
        )
    return redirect(url_for("console.demands_page"), code=303)


@bp.get("/forecasts")
@role_required("operator")
def forecasts_page() -> ResponseReturnValue:
    """Demand forecasts per compound and series, each with its error beside it."""
    is_open = orders.api.demand_open()
    community_id = _demand_filters()["community_id"]
    return render_template(
        "console/forecasts.html",
        is_open=is_open,
        rows=orders.api.forecasts(community_id) if is_open else [],
        community_id=community_id,
        communities={c.id: c.name for c in accounts.list_communities()},
    )


@bp.route("/plans", methods=["GET", "POST"])
@role_required("operator")
def plans_page() -> ResponseReturnValue:
    """Issue a producer's weekly plan (each item's batch rules) and see how producers answered."""
    if request.method == "POST":
        form_action(lambda: _issue_plan(posted(forms.PlanIssueForm())), _("The plan is issued."))
        return redirect(url_for("console.plans_page"), code=303)
    is_open = orders.api.demand_open()
    producers = suppliers.api.producers() if is_open else []
    items = {
        p.id: list(suppliers.api.get_items(suppliers.api.item_ids_of_supplier(p.id)).values())
        for p in producers
    }
    return render_template(
        "console/plans.html",
        is_open=is_open,
        producers=producers,
        items=items,
        plans={p.id: orders.api.plans_of(p.id) for p in producers},
        next_monday=_next_monday(),
    )


def _issue_plan(form: dict[str, Any]) -> None:
    orders.api.issue_plan(actor_id=current_user.id, form=form["plan"], rules_by_item=form["rules"])


def _next_monday() -> date:
    """The Monday after this week, in the platform's time zone."""
    this_week = months.week_start(db.utcnow(), current_app.config["TIMEZONE"])
    return this_week + timedelta(weeks=1)


@bp.route("/batches", methods=["GET", "POST"])
@role_required("operator")
def batches_page() -> ResponseReturnValue:
    """Open a custom batch (from a demand, prefilled) and follow every batch's fill."""
    if request.method == "POST":
        form_action(
            lambda: orders.api.open_batch(
                actor_id=current_user.id, form=posted(forms.BatchOpenForm(), lists=("compound",))
            ),
            _("The batch is open; residents of its compounds can pledge."),
        )
        return redirect(url_for("console.batches_page"), code=303)
    is_open = orders.api.demand_open()
    producers = suppliers.api.producers() if is_open else []
    return render_template(
        "console/batches.html",
        is_open=is_open,
        producers=producers,
        bundles={p.id: catalogue.bundles_made_by(p.id) for p in producers},
        compounds=accounts.list_communities(),
        demand=_demand_for_batch(),
        batches=orders.api.all_batches() if is_open else [],
        tomorrow=_local_today() + timedelta(days=1),
        deliver_by=_local_today() + timedelta(days=3),
    )


def _demand_for_batch() -> orders.api.DemandView | None:
    """The demand a batch is opened from (`?demand_id=`), to prefill its compound and title."""
    demand_id = request.args.get("demand_id", type=int)
    if demand_id is None:
        return None
    try:
        return orders.api.demand_view(demand_id)
    except NotFound:
        return None


def _local_today() -> date:
    return db.utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


@bp.post("/batches/<int:batch_id>/cancel")
@role_required("operator")
def cancel_batch(batch_id: int) -> ResponseReturnValue:
    """Call an open batch off with the reason the residents read; their holds are released."""
    form_action(
        lambda: orders.api.cancel_batch(
            batch_id=batch_id, actor_id=current_user.id, **posted(forms.ReasonForm())
        ),
        _("The batch is called off; every pledge is released."),
    )
    return redirect(url_for("console.batches_page"), code=303)


#: The scope each party's rows are per.
PARTY_SCOPE = {
    "residents": "compound",
    "suppliers": "supplier",
    "staff": "staff",
    "managers": "grid",
    "project": "compound",
    "committee": "compound",
    "platform": "compound",
}


def _dashboard_parties() -> dict[str, str]:
    """The parties this user's dashboard offers, each with the scope its rows are per."""
    if "operator" in current_user.roles:
        return PARTY_SCOPE
    readable = dashboards.readable(current_user.roles)
    return {p: scope for p, scope in readable.items() if p not in ("committee", "residents")}


def _dashboard() -> tuple[str, date, dict[str, str], list[dashboards.Card]]:
    """The party and month asked for, the parties offered, and the fenced cards."""
    parties = _dashboard_parties()
    party = request.args.get("party") or next(iter(parties), "")
    if party not in parties:
        abort(404)
    month = months.parse_month(
        request.args.get("month"), now=db.utcnow(), timezone=current_app.config["TIMEZONE"]
    )
    scope = parties[party]
    allowed = dashboards.fence(current_user.id, current_user.roles, party, scope)
    names = _scope_names(scope, month, allowed)
    own = allowed[0] if allowed is not None and len(allowed) == 1 else None
    return party, month, parties, dashboards.cards(party, month, scope, names, trend_of=own)


def _grids_shown() -> tuple[list[fulfilment.api.GridRef], fulfilment.api.GridRef | None]:
    """The grids the user may pick for the staff table, and the one picked (`?grid=`)."""
    grids = fulfilment.api.list_grids()
    if "operator" not in current_user.roles:
        grids = [g for g in grids if g.manager_id == current_user.id]
    wanted = request.args.get("grid", type=int)
    return grids, next((g for g in grids if g.id == wanted), grids[0] if grids else None)


def _scope_names(scope: str, month: date, allowed: tuple[int, ...] | None) -> dict[int, str]:
    """The rows a dashboard shows, within the fence.

    Compounds, grids, one grid's staff (newcomers marked, their figures apart from the mean),
    or suppliers.
    """
    if scope == "compound":
        names = {c.id: c.name for c in accounts.list_communities()}
    elif scope == "staff":
        _grids, grid = _grids_shown()
        _start, end = months.month_bounds(month, current_app.config["TIMEZONE"])
        new = fulfilment.api.newcomers(end)
        names = {
            i: name + (" · " + _("newcomer") if i in new else "")
            for i, name in accounts.display_names(grid.staff_ids if grid else ()).items()
        }
    elif scope == "grid":
        names = {g.id: g.name for g in fulfilment.api.list_grids()}
    elif scope == "supplier" and allowed is not None:
        own = suppliers.api.supplier_for(current_user.id)
        names = {own.id: own.name}
    else:
        names = {s.id: s.name for s in suppliers.api.selling()}
    return names if allowed is None else {i: n for i, n in names.items() if i in allowed}


@bp.get("/measures")
@role_required("operator", "manager", "supplier_member")
def measures_page() -> ResponseReturnValue:
    """A party's dashboard: each figure in its band, the trend, per scope; CSV. Fenced.

    The operator sees every party; a manager the staff and grid figures of their own grids; a
    supplier's member its own scorecard, with its own trend.
    """
    party, month, parties, found = _dashboard()
    return render_template(
        "console/measures.html",
        party=party,
        parties=parties,
        month=month,
        cards=found,
        months=dashboards.months_back(month)[::-1],
        scope_title={
            "staff": _("Staff member"),
            "grid": _("Grid"),
            "supplier": _("Supplier"),
        }.get(parties[party], _("Compound")),
        order_links="operator" in current_user.roles,
        grids=_grids_shown() if parties[party] == "staff" else ([], None),
        max_bars=dashboards.MAX_BARS,
    )


@bp.get("/measures.csv")
@role_required("operator", "manager", "supplier_member")
def measures_csv() -> ResponseReturnValue:
    """The dashboard's per-scope table as CSV (UTF-8 with BOM, for spreadsheets); fenced."""
    party, month, parties, found = _dashboard()
    return Response(
        dashboards.csv_lines(party, month, parties[party], found),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=measures-{party}-{month:%Y-%m}.csv"},
    )


def _committee_cards() -> tuple[str, date, list[dashboards.Card]]:
    compound = accounts.committee_compound(current_user.id)
    if compound is None:
        abort(404)
    month = months.parse_month(
        request.args.get("month"), now=db.utcnow(), timezone=current_app.config["TIMEZONE"]
    )
    name = accounts.get_community(compound).name
    found = dashboards.cards("committee", month, "compound", {compound: name}, trend_of=compound)
    return name, month, found


@committee.get("/")
@role_required("committee")
def committee_home() -> ResponseReturnValue:
    """The committee's compound: kept promises, complaints and their answers, care served."""
    name, month, found = _committee_cards()
    return render_template(
        "console/committee.html",
        compound=name,
        month=month,
        cards=found,
        months=dashboards.months_back(month)[::-1],
    )


@committee.get("/figures.csv")
@role_required("committee")
def committee_csv() -> ResponseReturnValue:
    """The committee's figures as CSV (UTF-8 with BOM); no order, no resident in it."""
    _name, month, found = _committee_cards()
    return Response(
        dashboards.csv_lines("committee", month, "compound", found),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=committee-{month:%Y-%m}.csv"},
    )
