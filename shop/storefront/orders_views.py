"""Residents' ordering pages: checkout, payment, my orders and the order page."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

import orders.api
from shop.core import db
from shop.core.accounts import find_resident_address
from shop.core.auth import role_required, viewer_segment
from shop.core.boundary import page_value
from shop.core.errors import DomainError, NotFound
from shop.core.web import check_csrf, form_action, posted
from shop.storefront import basket, forms

bp = Blueprint("storefront_orders", __name__, template_folder="templates", url_prefix="/shop")


def _checkout_page(current: basket.Basket, status: int = 200) -> ResponseReturnValue:
    mode, choices = orders.api.delivery_choices(
        [ln.card.id for ln in current.lines], resident_id=current_user.id
    )
    return render_template(
        "storefront/checkout.html",
        basket=current,
        mode=mode,
        choices=[c for c in choices if c.remaining > 0],
        address=find_resident_address(current_user.id),
        key=uuid.uuid4().hex,
        referral_code=session.get("referral_code", ""),
        credit=orders.api.credit_balance(current_user.id),
    ), status


@bp.route("/checkout", methods=["GET", "POST"])
@role_required("resident")
def checkout() -> ResponseReturnValue:
    """Pick a window (or a service time, or pickup), place the order, go and pay."""
    current = basket.load(viewer_segment())
    if not current.lines:
        return redirect(url_for("storefront.basket_page"))
    if request.method == "GET":
        return _checkout_page(current)
    try:
        form = posted(forms.CheckoutForm())
        order_id = orders.api.place_order(
            resident_id=current_user.id,
            delivery=form["delivery"],
            lines=[{"bundle_id": ln.card.id, "quantity": ln.quantity} for ln in current.lines],
            idempotency_key=form["key"] or uuid.uuid4().hex,
            note=form["note"],
            referral_code=session.get("referral_code", ""),
            use_credit=form["use_credit"],
        )
        card_due = orders.api.start_payment_if_due(order_id=order_id, resident_id=current_user.id)
    except NotFound:
        raise
    except DomainError as exc:
        db.refused(exc)
        flash(exc.message, "error")
        return _checkout_page(current, exc.status)
    basket.clear()
    if not card_due:  # the credit paid it all
        flash(_("Paid with your credit."), "info")
        return redirect(url_for("storefront_orders.order_page", order_id=order_id), code=303)
    return redirect(url_for("storefront_orders.pay", order_id=order_id), code=303)


@bp.get("/orders/<int:order_id>/pay")
@role_required("resident")
def pay(order_id: int) -> ResponseReturnValue:
    """The card payment (Stripe Elements; test mode says so)."""
    order = orders.api.get_order(order_id, user_id=current_user.id, roles=frozenset())
    payment = orders.api.open_payment(order_id=order_id, resident_id=current_user.id)
    if payment is None:
        return redirect(url_for("storefront_orders.order_page", order_id=order_id))
    return render_template("storefront/pay.html", order=order, payment=payment)


@bp.post("/orders/<int:order_id>/pay")
@role_required("resident")
def pay_again(order_id: int) -> ResponseReturnValue:
    """Start a new payment attempt (after a declined card)."""
    check_csrf()
    if form_action(
        lambda: orders.api.start_payment(order_id=order_id, resident_id=current_user.id),
        _("Ready."),
    ):
        return redirect(url_for("storefront_orders.pay", order_id=order_id), code=303)
    return redirect(url_for("storefront_orders.order_page", order_id=order_id))


@bp.get("/orders")
@role_required("resident")
def my_orders() -> ResponseReturnValue:
    """My orders."""
    page = request.args.get("page", 1, type=page_value)
    rows, total = orders.api.list_orders(resident_id=current_user.id, page=page)
    return render_template(
        "storefront/orders.html",
        orders=rows,
        total=total,
        page=page,
        credit=orders.api.credit_balance(current_user.id),
    )


@bp.get("/orders/<int:order_id>")
@role_required("resident")
def order_page(order_id: int) -> ResponseReturnValue:
    """An order: its status, confirmation code, lines and timeline."""
    order = orders.api.get_order(order_id, user_id=current_user.id, roles=frozenset())
    return render_template(
        "storefront/order.html",
        order=order,
        waiting=request.args.get("paid") == "1" and order.can_pay,
    )


@bp.post("/orders/<int:order_id>/cancel")
@role_required("resident")
def cancel(order_id: int) -> ResponseReturnValue:
    """Cancel before dispatch."""
    check_csrf()
    form_action(
        lambda: orders.api.cancel_order(
            order_id=order_id,
            user_id=current_user.id,
            roles=frozenset(),
            **posted(forms.ReasonForm()),
        ),
        _("The order was cancelled."),
    )
    return redirect(url_for("storefront_orders.order_page", order_id=order_id))


@bp.post("/orders/<int:order_id>/complete")
@role_required("resident")
def confirm(order_id: int) -> ResponseReturnValue:
    """All received: the order completes now."""
    check_csrf()
    form_action(
        lambda: orders.api.confirm_received(order_id=order_id, resident_id=current_user.id),
        _("Thank you, the order is complete."),
    )
    return redirect(url_for("storefront_orders.order_page", order_id=order_id), code=303)


@bp.post("/orders/<int:order_id>/complaints")
@role_required("resident")
def complain(order_id: int) -> ResponseReturnValue:
    """A complaint within the after-sale window."""
    check_csrf()
    form_action(
        lambda: orders.api.file_complaint(
            order_id=order_id, resident_id=current_user.id, **posted(forms.ComplaintForm())
        ),
        _("We have your complaint and will answer soon."),
    )
    return redirect(url_for("storefront_orders.order_page", order_id=order_id), code=303)


@bp.post("/orders/<int:order_id>/early")
@role_required("resident")
def accept_early(order_id: int) -> ResponseReturnValue:
    """Staff may come before the chosen window."""
    check_csrf()
    form_action(
        lambda: orders.api.accept_early(order_id=order_id, resident_id=current_user.id),
        _("Thank you: staff may now come early."),
    )
    return redirect(url_for("storefront_orders.order_page", order_id=order_id), code=303)
