"""The storefront's forms as schemas: checkout, the basket, a complaint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from shop.core.i18n import N_
from shop.core.schemas import ID_RANGE, PageForm
from shop.core.schemas import ReasonForm as ReasonForm

PICK_A_TIME = N_("Please pick a time.")


class CheckoutForm(PageForm):
    """How the order comes (a doorstep window, a service time or pickup), and a note.

    Loaded into `delivery` as `orders.api.place_order` takes it: a doorstep order names its
    window, a service its start time; pickup needs neither.
    """

    mode = fields.String(
        load_default="doorstep", validate=validate.OneOf(["doorstep", "service", "pickup"])
    )
    choice = fields.String(load_default="", validate=validate.Length(max=40))
    key = fields.String(load_default="", validate=validate.Length(max=80))
    note = fields.String(load_default="", validate=validate.Length(max=500))
    use_credit = fields.Boolean(load_default=False)

    @post_load
    def _delivery(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        mode, choice = data["mode"], data.pop("choice")
        delivery: dict[str, Any] = {"mode": mode}
        if mode == "doorstep" and choice.isdigit():
            delivery["window_id"] = int(choice)
        elif mode == "service" and choice:
            try:
                delivery["slot_starts_at"] = datetime.fromisoformat(choice)
            except ValueError as exc:
                raise ValidationError({"choice": [PICK_A_TIME]}) from exc
        if mode in {"doorstep", "service"} and len(delivery) == 1:
            raise ValidationError({"choice": [PICK_A_TIME]})
        return {**data, "delivery": delivery}


class BasketForm(PageForm):
    """A basket change: add a bundle, or set a line's quantity (0 takes it out)."""

    bundle_id = fields.Integer(required=True, validate=ID_RANGE)
    add = fields.Boolean(load_default=False)
    quantity = fields.String(load_default="", validate=validate.Length(max=10))
    next = fields.String(load_default="", validate=validate.Length(max=500))


class ComplaintForm(PageForm):
    """A complaint about an order."""

    text = fields.String(required=True, validate=validate.Length(min=5, max=2000))
