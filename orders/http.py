"""The orders JSON API: delivery windows, placing, reading and cancelling orders."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user

import suppliers.api
from orders import api, queries, schemas
from orders.models import Order, amount_due_minor
from orders.services import (
    batches,
    checkout,
    commitments,
    credits,
    demand,
    gateway,
    milestones,
    payments,
    plans,
    pledges,
)
from shop.core import db
from shop.core.accounts import find_resident_address
from shop.core.auth import role_required, viewer_segment
from shop.core.boundary import Blueprint
from shop.core.errors import NotFound
from shop.core.http import idempotency_key
from shop.core.schemas import PageArgsSchema, page_of, page_schema, paged

bp = Blueprint(
    "orders_api", __name__, url_prefix="/api/v1", description="Checkout, orders and their history"
)
OrderPage = page_schema(schemas.OrderSchema, "OrderPage")


def payload(order: Any, placed: checkout.Placed | None = None) -> dict[str, Any]:
    """An order with its lines and money (total, paid, refunded, net), as OrderSchema dumps it.

    For an order this request placed (`placed.fresh`) nothing is read again: no card has paid
    it and nothing is refunded yet, and its lines are the ones just written.
    """
    if placed is not None and placed.fresh:
        paid_minor = refunded_minor = 0
    else:
        paid = payments.paid_payment(order.id)
        paid_minor = paid.amount_minor if paid else 0
        refunded_minor = payments.refunded_minor(order.id) + credits.given_back(order.id)

    def money(minor: int) -> dict[str, Any]:
        return {"amount_minor": minor, "currency": order.currency}

    return {
        **order.model_dump(),
        "lines": list(placed.lines) if placed is not None else checkout.lines_of(order.id),
        "total": money(order.total_minor),
        "paid": money(paid_minor),
        "credit": money(order.credit_minor),
        "due": money(amount_due_minor(order)),
        "refunded": money(refunded_minor),
        "net": money(paid_minor + order.credit_minor - refunded_minor),
    }


@bp.get("/delivery-windows")
@role_required("resident")
@bp.arguments(schemas.WindowArgs, location="query")
@bp.response(200, schemas.ChoicesSchema)
def delivery_windows(args: dict[str, Any]) -> dict[str, Any]:
    """The windows (doorstep) or slots (services) still open for a bundle."""
    if api.bundle_choices_unavailable(args["bundle_id"], resident_id=current_user.id):
        raise NotFound(_("No such bundle."))
    _mode, choices = api.delivery_choices([args["bundle_id"]], resident_id=current_user.id)
    return {"items": choices}


@bp.get("/suppliers/<int:supplier_id>/orders-to-prepare")
@role_required("supplier_member", "operator")
@bp.arguments(schemas.PrepareArgs, location="query")
@bp.response(200, schemas.PrepareSchema)
def orders_to_prepare(args: dict[str, Any], supplier_id: int) -> dict[str, Any]:
    """The supplier's paid and accepted orders by day and window, per item and community.

    A member sees only their own supplier's (404 for another's).
    """
    supplier = suppliers.api.supplier_for(current_user.id, supplier_id)
    start = args["start"] or queries.local_today()
    windows = queries.orders_to_prepare(supplier.id, start=start, days=args["days"])
    return {"supplier_id": supplier.id, "start": start, "days": args["days"], "windows": windows}


@bp.post("/orders")
@role_required("resident")
@bp.arguments(schemas.OrderInSchema)
@bp.response(201, schemas.OrderSchema)
def place_order(data: dict[str, Any]) -> dict[str, Any]:
    """Place an order (`Idempotency-Key` header required: a retry returns the first order)."""
    key = idempotency_key()
    placed = checkout.place(resident_id=current_user.id, idempotency_key=key, **data)
    return payload(placed.order, placed)  # inside the order's transaction, not after commit


@bp.get("/orders")
@role_required("resident")
@bp.arguments(schemas.OrderListArgs, location="query")
@bp.response(200, OrderPage)
def list_orders(args: dict[str, Any]) -> dict[str, Any]:
    """My orders, newest first."""
    rows, total = checkout.list_orders(resident_id=current_user.id, **args)
    return {"items": [payload(o) for o in rows], "total": total, **args}


@bp.get("/orders/<int:order_id>")
@role_required("resident", "operator")
@bp.response(200, schemas.OrderSchema)
def get_order(order_id: int) -> dict[str, Any]:
    """One of my orders (404 for anyone else's)."""
    return payload(checkout.get_order_for(order_id, current_user.id, current_user.roles))


@bp.post("/orders/<int:order_id>/cancel")
@role_required("resident", "operator")
@bp.arguments(schemas.CancelSchema)
@bp.response(200, schemas.OrderSchema)
def cancel(data: dict[str, Any], order_id: int) -> dict[str, Any]:
    """Cancel before dispatch; stock and capacity go back."""
    order = checkout.cancel_order(
        order_id=order_id, actor_id=current_user.id, roles=current_user.roles, **data
    )
    return payload(order)


def _readable(order_id: int) -> Any:
    """The resident's own order, any for the operator, or one the staff member works on."""
    if current_user.roles & {"resident", "operator"}:
        try:
            return checkout.get_order_for(order_id, current_user.id, current_user.roles)
        except NotFound:
            if not current_user.roles & {"staff", "manager"}:
                raise
    order = db.session().get(Order, order_id)
    if order is None or current_user.id not in milestones.people_on(order):
        raise NotFound(_("No such order."))
    return order


@bp.get("/orders/<int:order_id>/events")
@role_required("resident", "operator", "staff", "manager")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.OrderEventSchema, "OrderEventPage"))
def order_events(args: dict[str, Any], order_id: int) -> dict[str, Any]:
    """The order's timeline, oldest first (its resident, the operator, its staff)."""
    return paged(checkout.events(_readable(order_id).id), args)


@bp.get("/orders/<int:order_id>/commitment")
@role_required("resident", "operator", "staff", "manager")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.CommitmentNodeSchema, "CommitmentNodePage"))
def commitment(args: dict[str, Any], order_id: int) -> dict[str, Any]:
    """The order's promises, promised beside actual (resident, operator, its staff)."""
    return paged(commitments.nodes_of(_readable(order_id)), args)


@bp.post("/orders/<int:order_id>/payments")
@role_required("resident")
@bp.response(201, schemas.PaymentSchema)
def start_payment(order_id: int) -> dict[str, Any]:
    """A Stripe PaymentIntent for my unpaid order (the open attempt if there is one)."""
    payment = payments.start_payment(order_id=order_id, resident_id=current_user.id)
    return {
        **payment.model_dump(),
        "publishable_key": current_app.config["STRIPE_PUBLISHABLE_KEY"],
        "amount": {"amount_minor": payment.amount_minor, "currency": payment.currency},
    }


@bp.post("/orders/<int:order_id>/payments/confirm")
@role_required("resident")
@bp.arguments(schemas.ConfirmInSchema)
@bp.response(200, schemas.PaymentSchema)
def confirm_payment(data: dict[str, Any], order_id: int) -> dict[str, Any]:
    """Confirm my payment with the card collected by Stripe.js (status may need 3-D Secure)."""
    payment = payments.confirm_payment(order_id=order_id, resident_id=current_user.id, **data)
    return {
        **payment.model_dump(),
        "publishable_key": current_app.config["STRIPE_PUBLISHABLE_KEY"],
        "amount": {"amount_minor": payment.amount_minor, "currency": payment.currency},
    }


@bp.post("/orders/<int:order_id>/refunds")
@role_required("operator")
@bp.arguments(schemas.RefundInSchema)
@bp.response(201, schemas.RefundSchema)
def refund(data: dict[str, Any], order_id: int) -> Any:
    """Refund all of a paid order, or part of it; Stripe is called by a job after commit."""
    result = payments.refund_order(order_id=order_id, actor_id=current_user.id, **data)
    if result is None:  # paid with credit alone: the credit went back
        order = db.session().get(Order, order_id)
        result = {
            "id": None,
            "amount_minor": order.credit_minor,
            "status": "credited",
            "reason": data["reason"],
        }
    return result


@bp.post("/orders/<int:order_id>/commitment/<int:node_id>/waive")
@role_required("operator")
@bp.arguments(schemas.WaiveInSchema)
@bp.response(200, schemas.CommitmentNodeSchema(many=True))
def waive(data: dict[str, Any], order_id: int, node_id: int) -> Any:
    """Let a pending promise go, with a reason (409 once it is judged)."""
    api.waive_promise(order_id=order_id, node_id=node_id, actor_id=current_user.id, **data)
    return commitments.nodes_of(
        checkout.get_order_for(order_id, current_user.id, current_user.roles)
    )


@bp.post("/orders/<int:order_id>/complete")
@role_required("resident")
@bp.response(200, schemas.OrderSchema)
def confirm_received(order_id: int) -> dict[str, Any]:
    """I have it and all is well: the order completes now."""
    api.confirm_received(order_id=order_id, resident_id=current_user.id)
    return payload(checkout.get_order_for(order_id, current_user.id, current_user.roles))


@bp.post("/orders/<int:order_id>/early-acceptance")
@role_required("resident")
@bp.response(200, schemas.OrderSchema)
def accept_early(order_id: int) -> dict[str, Any]:
    """Staff may deliver or arrive before my chosen window (their early step is then kept)."""
    api.accept_early(order_id=order_id, resident_id=current_user.id)
    return payload(checkout.get_order_for(order_id, current_user.id, current_user.roles))


@bp.post("/orders/<int:order_id>/complaints")
@role_required("resident")
@bp.arguments(schemas.ComplaintInSchema)
@bp.response(201, schemas.ComplaintSchema)
def complain(data: dict[str, Any], order_id: int) -> Any:
    """Complain within the after-sale window; the order does not complete until it is answered."""
    complaint = api.file_complaint(order_id=order_id, resident_id=current_user.id, **data)
    return complaint


@bp.get("/complaints")
@role_required("operator")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.ComplaintSchema, "ComplaintPage"))
def open_complaints(args: dict[str, Any]) -> dict[str, Any]:
    """Complaints waiting for an answer, oldest first."""
    return paged(api.open_complaints(), args)


@bp.post("/complaints/<int:complaint_id>/resolve")
@role_required("operator")
@bp.arguments(schemas.ResolveInSchema)
@bp.response(200, schemas.ComplaintSchema)
def resolve(data: dict[str, Any], complaint_id: int) -> Any:
    """Answer a complaint; the resident is told."""
    complaint = api.resolve_complaint(complaint_id=complaint_id, actor_id=current_user.id, **data)
    return complaint


@bp.get("/me/credit")
@role_required("resident")
@bp.response(200, schemas.CreditSchema)
def my_credit() -> dict[str, Any]:
    """My credit balance from compensations for missed promises."""
    return {
        "balance": {
            "amount_minor": api.credit_balance(current_user.id),
            "currency": current_app.config["CURRENCY"],
        }
    }


@bp.post("/payments/stripe/webhook")
def stripe_webhook() -> Any:
    """Stripe's signed events: verified first (400 if not), deduplicated by event id."""
    try:
        outcome = payments.handle_webhook(
            request.get_data(), request.headers.get("Stripe-Signature")
        )
    except gateway.SignatureError:
        return {
            "error": {
                "code": "bad_signature",
                "message": "Signature does not verify.",
                "fields": {},
            }
        }, 400
    return {"outcome": outcome}


# Demand requests (phase 3)


@bp.post("/demand-requests")
@role_required("resident")
@bp.arguments(schemas.DemandRequestInSchema)
@bp.response(201, schemas.DemandRequestSchema)
def create_demand_request(data: dict[str, Any]) -> dict[str, Any]:
    """Ask for something not offered (here); it joins the matching demand of the compound.

    Phase 3 only (409 `phase_closed` before). An `Idempotency-Key` header makes a retry
    return the first request. The answer names bundles on sale the resident may have meant.
    """
    key = request.headers.get("Idempotency-Key", "").strip()[:80]
    row = demand.register_request(
        resident_id=current_user.id, data=data, source="api", idempotency_key=key
    )
    view = queries.request_view(row, current_user.id)
    matches = queries.bundle_matches(row.text, viewer_segment())
    return {**view.__dict__, "matches": [{"id": i, "title": title} for i, title in matches]}


@bp.get("/demand-requests")
@role_required("resident")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.DemandRequestSchema, "DemandRequestPage"))
def my_demand_requests(args: dict[str, Any]) -> dict[str, Any]:
    """My requests, newest first, each with what became of its demand."""
    demand.require_phase()
    return paged(queries.my_requests(current_user.id), args)


@bp.get("/demands")
@role_required("resident", "operator")
@bp.arguments(schemas.DemandArgs, location="query")
@bp.response(200, page_schema(schemas.DemandSchema, "DemandPage"))
def demands(args: dict[str, Any]) -> dict[str, Any]:
    """The demand board: the operator's of any compound; a resident's own compound's only."""
    demand.require_phase()
    if current_user.has_role("operator"):
        board = queries.demand_board(
            community_id=args["community_id"],
            category_id=args["category_id"],
            status=args["status"],
        )
        return paged(board, args)
    home = find_resident_address(current_user.id)
    if home is None:
        return paged([], args)
    return paged(
        queries.demand_board(
            community_id=home.community_id,
            category_id=args["category_id"],
            status=args["status"],
            viewer_id=current_user.id,
        ),
        args,
    )


@bp.post("/demands/<int:demand_id>/support")
@role_required("resident")
@bp.response(200, schemas.DemandSchema)
def support_demand(demand_id: int) -> Any:
    """+1: my household wants it too (once per household; another compound's is 404)."""
    demand.support(demand_id=demand_id, resident_id=current_user.id)
    return queries.demand_view(demand_id, current_user.id)


@bp.post("/demands/<int:demand_id>/answer")
@role_required("operator")
@bp.arguments(schemas.DemandAnswerSchema)
@bp.response(200, schemas.DemandSchema)
def answer_demand(data: dict[str, Any], demand_id: int) -> Any:
    """Answer a demand with a bundle on sale; the households are told."""
    demand.answer(demand_id=demand_id, actor_id=current_user.id, **data)
    return queries.demand_view(demand_id)


@bp.post("/demands/<int:demand_id>/decline")
@role_required("operator")
@bp.arguments(schemas.DemandDeclineSchema)
@bp.response(200, schemas.DemandSchema)
def decline_demand(data: dict[str, Any], demand_id: int) -> Any:
    """Decline a demand with the reason the households read."""
    demand.decline(demand_id=demand_id, actor_id=current_user.id, **data)
    return queries.demand_view(demand_id)


@bp.get("/forecasts")
@role_required("operator")
@bp.arguments(schemas.ForecastArgs, location="query")
@bp.response(200, page_schema(schemas.ForecastSchema, "ForecastPage"))
def forecasts(args: dict[str, Any]) -> dict[str, Any]:
    """Demand forecasts per series and compound (refreshed nightly), each with MASE and WAPE."""
    demand.require_phase()
    return paged(queries.forecasts(args["community_id"]), args)


# Production plans (phase 3)


@bp.post("/production-plans")
@role_required("operator")
@bp.arguments(schemas.PlanInSchema)
@bp.response(201, schemas.PlanSchema)
def issue_plan(data: dict[str, Any]) -> Any:
    """Issue a producer's plan for a week: per item and compound, confirmed and forecast."""
    rules = {r["item_id"]: {k: r[k] for k in ("min_batch", "multiple")} for r in data["items"]}
    plan = plans.issue_plan(
        actor_id=current_user.id,
        supplier_id=data["supplier_id"],
        week=data["week"],
        rules_by_item=rules,
        deliver_after_days=data["deliver_after_days"],
        deliveries={d["community_id"]: d["deliver_on"] for d in data["deliveries"]},
    )
    return queries.plans_of(plan.supplier_id, plan_id=plan.id)[0]


@bp.get("/suppliers/<int:supplier_id>/production-plans")
@role_required("operator", "supplier_member")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.PlanSchema, "PlanPage"))
def production_plans(args: dict[str, Any], supplier_id: int) -> dict[str, Any]:
    """A producer's plans, newest first (its members and the operator only)."""
    demand.require_phase()
    plans.may_read(current_user.id, current_user.roles, supplier_id)
    return paged(queries.plans_of(supplier_id), args)


@bp.post("/suppliers/<int:supplier_id>/production-plans/<int:plan_id>/response")
@role_required("supplier_member")
@bp.arguments(schemas.PlanAnswerSchema)
@bp.response(200, schemas.PlanSchema)
def answer_plan(data: dict[str, Any], supplier_id: int, plan_id: int) -> Any:
    """The producer answers each line with what it will make (accepted, or adjusted)."""
    plans.answer_plan(
        user_id=current_user.id, supplier_id=supplier_id, plan_id=plan_id, answers=data["lines"]
    )
    return queries.plans_of(supplier_id, plan_id=plan_id)[0]


# Custom batches and pledges (phase 3)


@bp.post("/custom-batches")
@role_required("operator")
@bp.arguments(schemas.BatchInSchema)
@bp.response(201, schemas.BatchSchema)
def create_batch(data: dict[str, Any]) -> Any:
    """Open a custom batch of a producer's bundle for chosen compounds, until a deadline.

    From a demand (`demand_id`: its households are told) or a plan line (`plan_line_id`).
    """
    batch = batches.create_batch(actor_id=current_user.id, data=data)
    return queries.batch_view(batch.id)


@bp.get("/custom-batches")
@role_required("resident", "operator", "supplier_member")
@bp.arguments(schemas.BatchArgs, location="query")
@bp.response(200, page_schema(schemas.BatchSchema, "BatchPage"))
def list_batches(args: dict[str, Any]) -> dict[str, Any]:
    """Batches: a resident's compound's open ones, a producer's own, or all for the operator."""
    demand.require_phase()
    page = {"page": args["page"], "per_page": args["per_page"]}
    if "operator" in current_user.roles:
        return page_of(queries.batches(status=args["status"], **page), args)
    if "supplier_member" in current_user.roles:
        supplier = suppliers.api.supplier_for(current_user.id)
        found = queries.batches(supplier_id=supplier.id, status=args["status"], **page)
        return page_of(found, args)
    home = find_resident_address(current_user.id)
    if home is None:
        return paged([], args)
    return page_of(queries.batches(community_id=home.community_id, status="open", **page), args)


@bp.get("/custom-batches/<int:batch_id>")
@role_required("resident", "operator", "supplier_member")
@bp.response(200, schemas.BatchSchema)
def get_batch(batch_id: int) -> Any:
    """One batch with its counters (a resident's compound's, a producer's own)."""
    demand.require_phase()
    view = queries.batch_view(batch_id)
    batches.may_read(current_user.id, current_user.roles, view.supplier_id, batch_id)
    return view


@bp.post("/custom-batches/<int:batch_id>/cancel")
@role_required("operator")
@bp.arguments(schemas.BatchCancelSchema)
@bp.response(200, schemas.BatchSchema)
def cancel_batch(data: dict[str, Any], batch_id: int) -> Any:
    """Call an open batch off: every pledge is released and its resident told why."""
    batches.cancel_batch(batch_id=batch_id, actor_id=current_user.id, reason=data["reason"])
    return queries.batch_view(batch_id)


@bp.post("/custom-batches/<int:batch_id>/pledges")
@role_required("resident")
@bp.arguments(schemas.PledgeInSchema)
@bp.response(201, schemas.PledgeSchema)
def pledge(data: dict[str, Any], batch_id: int) -> Any:
    """Pledge pieces with a card: held, or saved for the deadline; never charged now.

    Needs an `Idempotency-Key` header: a retry returns the first pledge. Beyond the cap the
    pledge waits its turn. 404 for a batch not offered in the resident's compound (as when
    reading it), 409 `batch_closed` after the deadline, `card_declined` (nothing kept).
    """
    row = pledges.pledge(
        batch_id=batch_id,
        resident_id=current_user.id,
        quantity=data["quantity"],
        payment_method=data["payment_method"],
        idempotency_key=idempotency_key(),
    )
    return queries.pledge_view(row.id, current_user.id)


@bp.get("/pledges")
@role_required("resident")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, page_schema(schemas.PledgeSchema, "PledgePage"))
def my_pledges(args: dict[str, Any]) -> dict[str, Any]:
    """My pledges, newest first, with what became of each."""
    demand.require_phase()
    return paged(queries.pledge_views(current_user.id), args)


@bp.post("/pledges/<int:pledge_id>/withdraw")
@role_required("resident")
@bp.response(200, schemas.PledgeSchema)
def withdraw_pledge(pledge_id: int) -> Any:
    """Take a pledge back before the deadline; the hold is released."""
    pledges.withdraw(pledge_id=pledge_id, resident_id=current_user.id)
    return queries.pledge_view(pledge_id, current_user.id)


@bp.post("/pledges/<int:pledge_id>/card")
@role_required("resident")
@bp.arguments(schemas.CardInSchema)
@bp.response(200, schemas.PledgeSchema)
def fix_pledge_card(data: dict[str, Any], pledge_id: int) -> Any:
    """Pay a made batch with another card after the saved one was declined (in the window)."""
    pledges.fix_card(
        pledge_id=pledge_id, resident_id=current_user.id, payment_method=data["payment_method"]
    )
    return queries.pledge_view(pledge_id, current_user.id)
