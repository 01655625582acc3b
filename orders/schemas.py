"""marshmallow shapes of the orders API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from orders.queries import (
    BatchView,
    DemandRequestView,
    DemandView,
    ForecastView,
    PlanLineView,
    PlanView,
    PledgeView,
)
from shop.core import db
from shop.core.i18n import N_
from shop.core.schemas import (
    ID_RANGE,
    PAGE_RANGE,
    WHOLE_RANGE,
    MoneySchema,
    OpenPageForm,
    PageArgsSchema,
    view_schema,
)


class LineInSchema(Schema):
    """A bundle and how many."""

    bundle_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 20))


class DeliveryInSchema(Schema):
    """Doorstep in a window, pickup at the service centre, or a service slot."""

    mode = fields.String(required=True, validate=validate.OneOf(["doorstep", "pickup", "service"]))
    window_id = fields.Integer(strict=True, load_default=None, validate=ID_RANGE)
    slot_starts_at = fields.AwareDateTime(load_default=None)

    @validates_schema
    def _needs(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["mode"] == "doorstep" and data.get("window_id") is None:
            raise ValidationError({"window_id": [N_("Pick a delivery window.")]})
        if data["mode"] == "service" and data.get("slot_starts_at") is None:
            raise ValidationError({"slot_starts_at": [N_("Pick a service time.")]})


class OrderInSchema(Schema):
    """`{"lines": [...], "delivery": {...}, "referral_code"?, "note"?}`."""

    lines = fields.List(
        fields.Nested(LineInSchema), required=True, validate=validate.Length(min=1, max=20)
    )
    delivery = fields.Nested(DeliveryInSchema, required=True)
    referral_code = fields.String(load_default="", validate=validate.Length(max=20))
    note = fields.String(load_default="", validate=validate.Length(max=500))
    #: Pay what the resident's credit covers; the card pays the rest (nothing, if covered).
    use_credit = fields.Boolean(load_default=False)

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_kwargs: Any) -> None:
        ids = [line["bundle_id"] for line in data.get("lines", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError({"lines": [N_("Each bundle once; use its quantity.")]})


class LineSchema(Schema):
    """An order line as copied at checkout."""

    bundle_id = fields.Integer()
    title = fields.String()
    quantity = fields.Integer()
    unit_price_minor = fields.Integer()
    line_total_minor = fields.Integer()


class OrderSchema(Schema):
    """An order as its resident sees it (with the confirmation code for the delivery)."""

    id = fields.Integer()
    status = fields.String()
    total = fields.Nested(MoneySchema)
    paid = fields.Nested(MoneySchema)
    credit = fields.Nested(MoneySchema)
    due = fields.Nested(MoneySchema)
    refunded = fields.Nested(MoneySchema)
    net = fields.Nested(MoneySchema)
    delivery_mode = fields.String()
    window_id = fields.Integer(allow_none=True)
    slot_starts_at = fields.AwareDateTime(allow_none=True)
    address = fields.String()
    note = fields.String()
    confirmation_code = fields.String()
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)
    early_accepted_at = fields.AwareDateTime(allow_none=True)
    lines = fields.List(fields.Nested(LineSchema))


class PaymentSchema(Schema):
    """What the payment page needs to confirm the card payment with Stripe.js."""

    payment_intent_id = fields.String(attribute="intent_id")
    client_secret = fields.String()
    publishable_key = fields.String()
    status = fields.String()
    amount = fields.Nested(MoneySchema)


class ConfirmInSchema(Schema):
    """The PaymentMethod Stripe.js made from the card element (the offline server: a card)."""

    payment_method = fields.String(
        required=True, validate=validate.Regexp(r"^(pm|card)_[A-Za-z0-9_]{3,200}$")
    )


class RefundInSchema(Schema):
    """A full refund, or part of it (`amount_minor`)."""

    amount_minor = fields.Integer(
        strict=True, load_default=None, validate=validate.Range(min=1, max=WHOLE_RANGE.max)
    )
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class RefundSchema(Schema):
    """A refund and where it stands (`credited`: an order paid with credit, credited back)."""

    id = fields.Integer(allow_none=True)
    amount_minor = fields.Integer()
    status = fields.String()
    reason = fields.String()


class CommitmentNodeSchema(Schema):
    """A promise side by side with what happened."""

    id = fields.Integer()
    kind = fields.String()
    due_from = fields.AwareDateTime(allow_none=True)
    due_by = fields.AwareDateTime(allow_none=True)
    actual_at = fields.AwareDateTime(allow_none=True)
    status = fields.String()
    compensation_minor = fields.Integer()
    checklist = fields.List(fields.String())
    compensation_paid_minor = fields.Integer()
    compensation_method = fields.String()
    waived_reason = fields.String()
    ticked = fields.List(fields.String())
    not_applicable = fields.List(fields.Tuple((fields.String(), fields.String())))
    early_agreed = fields.String()


class OrderListArgs(Schema):
    """Paging."""

    page = fields.Integer(load_default=1, validate=PAGE_RANGE)
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class CancelSchema(Schema):
    """Why the order is cancelled."""

    reason = fields.String(load_default="", validate=validate.Length(max=300))


class OrderEventSchema(Schema):
    """One step of an order's history."""

    at = fields.AwareDateTime()
    actor_role = fields.String()
    action = fields.String()
    from_status = fields.String()
    to_status = fields.String()


class WindowArgs(Schema):
    """`?bundle_id=`."""

    bundle_id = fields.Integer(required=True, validate=ID_RANGE)


class ChoiceSchema(Schema):
    """A window or slot with places left."""

    id = fields.Integer(allow_none=True)
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    remaining = fields.Integer()


class ChoicesSchema(Schema):
    """`{"items": [...]}`."""

    items = fields.List(fields.Nested(ChoiceSchema))


class WaiveInSchema(Schema):
    """Why the operator lets a promise go."""

    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class ComplaintInSchema(Schema):
    """What went wrong."""

    text = fields.String(required=True, validate=validate.Length(min=5, max=2000))


class ResolveInSchema(Schema):
    """What the operator did about a complaint."""

    resolution = fields.String(required=True, validate=validate.Length(min=2, max=500))


class ComplaintSchema(Schema):
    """A complaint and its answer."""

    id = fields.Integer()
    order_id = fields.Integer()
    text = fields.String()
    status = fields.String()
    created_at = fields.AwareDateTime()
    resolution = fields.String()


class CreditSchema(Schema):
    """The resident's credit balance from compensations."""

    balance = fields.Nested(MoneySchema)


class PrepareArgs(Schema):
    """`?from=2026-12-03&days=7` (from today, seven days, when not given)."""

    start = fields.Date(data_key="from", load_default=None)
    days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=31))


class PrepCommunitySchema(Schema):
    """How many of an item go to one community."""

    community = fields.String()
    quantity = fields.Integer()


class PrepItemSchema(Schema):
    """One item of a window: the total and per community."""

    item_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    quantity = fields.Integer()
    by_community = fields.Method("_by_community")

    def _by_community(self, item: Any) -> list[dict[str, Any]]:
        return [{"community": c, "quantity": q} for c, q in item.by_community]


class PrepWindowSchema(Schema):
    """A delivery window (or a service's start) and what goes out in it."""

    day = fields.Date()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime(allow_none=True)
    orders = fields.Integer()
    items = fields.List(fields.Nested(PrepItemSchema))


class PrepareSchema(Schema):
    """`{"supplier_id", "from", "days", "windows": [...]}`."""

    supplier_id = fields.Integer()
    start = fields.Date(data_key="from")
    days = fields.Integer()
    windows = fields.List(fields.Nested(PrepWindowSchema))


class DemandRequestInSchema(Schema):
    """A wish for something not offered (here): what, how many, how often, by when."""

    text = fields.String(required=True, validate=validate.Length(min=2, max=200))
    category_id = fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=999))
    frequency = fields.String(
        load_default="once", validate=validate.OneOf(("once", "weekly", "monthly"))
    )
    wanted_by = fields.Date(load_default=None, allow_none=True)

    @validates("wanted_by")
    def _not_past(self, value: date | None, **_kwargs: object) -> None:
        if value is not None and value < db.utcnow().date() - timedelta(days=1):
            raise ValidationError(N_("A date from today on."))


class BundleMatchSchema(Schema):
    """A bundle on sale that may be what the resident meant."""

    id = fields.Integer()
    title = fields.String()


class DemandArgs(PageArgsSchema):
    """The demand board's filters (the operator's; a resident sees their compound's)."""

    community_id = fields.Integer(load_default=None, validate=ID_RANGE)
    category_id = fields.Integer(load_default=None, validate=ID_RANGE)
    status = fields.String(
        load_default="open", validate=validate.OneOf(("open", "answered", "declined", "batched"))
    )


class DemandAnswerSchema(Schema):
    """The bundle that answers a demand."""

    bundle_id = fields.Integer(required=True, validate=ID_RANGE)


class DemandDeclineSchema(Schema):
    """Why a demand is declined (the households read it)."""

    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class ForecastArgs(PageArgsSchema):
    """Which compound's forecasts."""

    community_id = fields.Integer(load_default=None, validate=ID_RANGE)


class PlanItemRuleSchema(Schema):
    """An item's batch rules for a plan: the minimum batch and the multiple."""

    item_id = fields.Integer(required=True, validate=ID_RANGE)
    min_batch = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    multiple = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


class PlanDeliverySchema(Schema):
    """The day a compound gets its goods, within the plan's week."""

    community_id = fields.Integer(required=True, validate=ID_RANGE)
    deliver_on = fields.Date(required=True)


class PlanInSchema(Schema):
    """The operator issues a producer's plan for a week (from Monday).

    Each compound gets its goods on its `deliveries` day, else `deliver_after_days` into the
    week.
    """

    supplier_id = fields.Integer(required=True, validate=ID_RANGE)
    week = fields.Date(required=True)
    items = fields.List(fields.Nested(PlanItemRuleSchema), load_default=list)
    deliveries = fields.List(fields.Nested(PlanDeliverySchema), load_default=list)
    deliver_after_days = fields.Integer(load_default=3, validate=validate.Range(min=0, max=6))


class PlanAnswerLineSchema(Schema):
    """What the producer will make of one line (its capacity), and why if it differs."""

    line_id = fields.Integer(required=True, validate=ID_RANGE)
    quantity = fields.Integer(required=True, validate=validate.Range(min=0, max=1_000_000))
    note = fields.String(load_default="", validate=validate.Length(max=200))


class PlanAnswerSchema(Schema):
    """The producer's answer to every line of a plan."""

    lines = fields.List(fields.Nested(PlanAnswerLineSchema), required=True)


class PlanAnswerForm(OpenPageForm):
    """The plans page's answer: `quantity-<line>` and `note-<line>` for each line of a plan."""

    plan_id = fields.Integer(required=True, validate=ID_RANGE)

    @post_load
    def _lines(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        lines = []
        for key, value in data.items():
            if key.startswith("quantity-") and key.removeprefix("quantity-").isdigit():
                line_id = int(key.removeprefix("quantity-"))
                text = str(value).strip()
                if not text.isdigit() or int(text) > 1_000_000:
                    raise ValidationError({key: [N_("A whole number of pieces.")]})
                note = str(data.get(f"note-{line_id}", ""))[:200]
                lines.append({"line_id": line_id, "quantity": int(text), "note": note})
        return {"plan_id": data["plan_id"], "lines": lines}


class BatchCompoundInSchema(Schema):
    """A compound the batch is offered to, with its own minimum if it has one."""

    community_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    min_quantity = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 100_000)
    )


class BatchInSchema(Schema):
    """The operator opens a custom batch of a producer's bundle (from a demand or a plan)."""

    supplier_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    bundle_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    title = fields.String(load_default="", validate=validate.Length(max=200))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    price_minor = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10**8))
    min_quantity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100_000))
    cap = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 100_000)
    )
    deadline = fields.AwareDateTime(required=True)
    delivery_date = fields.Date(required=True)
    compounds = fields.List(
        fields.Nested(BatchCompoundInSchema), required=True, validate=validate.Length(1, 200)
    )
    demand_id = fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)
    plan_line_id = fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)


class BatchArgs(PageArgsSchema):
    """Which batches (the operator may filter by status)."""

    status = fields.String(
        load_default=None,
        validate=validate.OneOf(
            ["open", "reached", "failed", "captured", "ordered", "released", "cancelled"]
        ),
    )


class PledgeInSchema(Schema):
    """How many pieces, and the card (a PaymentMethod id from Stripe.js)."""

    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 99))
    payment_method = fields.String(required=True, validate=validate.Length(min=3, max=60))


class CardInSchema(Schema):
    """Another card for a declined charge."""

    payment_method = fields.String(required=True, validate=validate.Length(min=3, max=60))


class BatchCancelSchema(Schema):
    """Why the operator calls a batch off (the residents who pledged read it)."""

    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


#: Dump schemas read off the frozen views (orders.queries), so each field is named once.
DemandSchema = view_schema(DemandView)
ForecastSchema = view_schema(ForecastView)
PlanLineSchema = view_schema(PlanLineView)
PlanSchema = view_schema(PlanView)
BatchSchema = view_schema(BatchView)
PledgeSchema = view_schema(PledgeView)
DemandRequestSchema = view_schema(
    DemandRequestView, matches=fields.List(fields.Nested(BundleMatchSchema))
)
