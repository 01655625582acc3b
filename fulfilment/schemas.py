"""marshmallow shapes of the tasks API."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from fulfilment.rules import FAIL_CAUSES
from fulfilment.services.tasks import EVENT_ACTIONS
from shop.core.i18n import N_
from shop.core.schemas import ID_RANGE, WHOLE_RANGE, OpenPageForm, PageArgsSchema, PageForm


class TaskSchema(Schema):
    """A task as its staff member sees it (the phone in full only while doing it)."""

    id = fields.Integer()
    order_id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    staff_role = fields.String()
    due_by = fields.AwareDateTime(allow_none=True)
    address = fields.String()
    phone = fields.String()
    note = fields.String()
    lines = fields.List(fields.Tuple((fields.String(), fields.Integer())))
    checklist = fields.List(fields.String())
    window_start = fields.AwareDateTime(allow_none=True)
    window_end = fields.AwareDateTime(allow_none=True)
    slot_starts_at = fields.AwareDateTime(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    claimable = fields.Boolean()
    locked = fields.Boolean()
    code_attempts = fields.Integer()
    next_action = fields.String(allow_none=True)
    due_kind = fields.String()
    early_until = fields.AwareDateTime(allow_none=True)
    is_care = fields.Boolean()


class TaskEventInSchema(Schema):
    """A step of my task: `delivered` and `done` need the resident's code; `failed` a reason."""

    event = fields.String(required=True, validate=validate.OneOf(sorted(EVENT_ACTIONS)))
    confirmation_code = fields.String(
        load_default=None, validate=validate.Regexp(r"^\d{6}$", error=N_("Six digits."))
    )
    checklist = fields.List(
        fields.String(validate=validate.Length(max=80)),
        load_default=list,
        validate=validate.Length(max=30),
    )
    #: Checklist items that do not apply here, each with the reason.
    not_applicable = fields.Dict(
        keys=fields.String(validate=validate.Length(max=80)),
        values=fields.String(validate=validate.Length(min=2, max=120)),
        load_default=dict,
        validate=validate.Length(max=30),
    )
    #: Before the resident's window: the resident agrees (with their confirmation code).
    early_agreed = fields.Boolean(load_default=False)
    reason = fields.String(load_default="", validate=validate.Length(max=200))
    #: Why a step failed: resident_absent, supplier_stock_out, access_denied or other.
    cause = fields.String(load_default="other", validate=validate.OneOf(FAIL_CAUSES))


class ReassignInSchema(Schema):
    """Whom the manager gives the task to."""

    staff_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)


class BalancesSchema(Schema):
    """What the staff member is owed, by status (minor units)."""

    pending = fields.Integer()
    available = fields.Integer()
    in_transit = fields.Integer()
    paid_out = fields.Integer()
    currency = fields.String()


class WalletLineSchema(Schema):
    """A movement of the staff member's money, with its order and task."""

    at = fields.AwareDateTime()
    kind = fields.String()
    amount_minor = fields.Integer()
    order_id = fields.Integer(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    memo = fields.String()


class CommissionCreditSchema(Schema):
    """A commission for one role in one task."""

    id = fields.Integer()
    order_id = fields.Integer()
    task_id = fields.Integer()
    role = fields.String()
    amount_minor = fields.Integer()
    status = fields.String()
    created_at = fields.AwareDateTime()


class WithdrawalSchema(Schema):
    """A withdrawal request and where it stands."""

    id = fields.Integer()
    staff_id = fields.Integer()
    amount_minor = fields.Integer()
    status = fields.String()
    created_at = fields.AwareDateTime()
    reason = fields.String()
    batch_id = fields.Integer(allow_none=True)


class WalletSchema(Schema):
    """Balances by status, recent movements, credits and withdrawals."""

    balances = fields.Nested(BalancesSchema)
    lines = fields.List(fields.Nested(WalletLineSchema))
    credits = fields.List(fields.Nested(CommissionCreditSchema))
    withdrawals = fields.List(fields.Nested(WithdrawalSchema))


class WithdrawalInSchema(Schema):
    """How much to withdraw (minor units)."""

    amount_minor = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=WHOLE_RANGE.max)
    )


class DecisionInSchema(Schema):
    """The operator's decision on a withdrawal."""

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class StatementArgs(Schema):
    """`?month=2026-11`."""

    month = fields.Date(required=True, format="%Y-%m")


class LeaderboardArgs(PageArgsSchema):
    """`?month=2026-11` and the page."""

    month = fields.Date(required=True, format="%Y-%m")


class WithdrawalListArgs(PageArgsSchema):
    """`?status=` (requested by default) and the page."""

    status = fields.String(
        load_default="requested",
        validate=validate.OneOf(["requested", "approved", "rejected", "paid"]),
    )


class CompoundFilterArgs(PageArgsSchema):
    """`?community_id=` (optional) and the page."""

    community_id = fields.Integer(load_default=None, validate=ID_RANGE)


class StaffStatementSchema(Schema):
    """One month: opening, movements, closing, and what was earned."""

    month = fields.Date()
    opening_minor = fields.Integer()
    closing_minor = fields.Integer()
    earned_minor = fields.Integer()
    lines = fields.List(fields.Nested(WalletLineSchema))


class AccountBalanceSchema(Schema):
    """One account of the ledger and its balance (debit positive)."""

    account = fields.String()
    balance_minor = fields.Integer()


class TrialBalanceSchema(Schema):
    """Every account and the total, which is zero."""

    accounts = fields.List(fields.Nested(AccountBalanceSchema))
    total_minor = fields.Integer()


class RuleSchema(Schema):
    """A commission rule version."""

    id = fields.Integer(dump_only=True)
    scope = fields.String(required=True, validate=validate.OneOf(["bundle", "category", "default"]))
    scope_id = fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)
    basis = fields.String(required=True, validate=validate.OneOf(["fixed", "margin_bp"]))
    amount = fields.Integer(required=True, validate=validate.Range(min=0, max=10_000_000))
    split_bp = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["deliverer", "performer", "referrer"])),
        values=fields.Integer(validate=validate.Range(min=0, max=10_000)),
        required=True,
    )
    missed_factor_bp = fields.Integer(
        load_default=10_000, validate=validate.Range(min=0, max=10_000)
    )
    valid_from = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def _scope_id(self, data: dict, **_kwargs: object) -> None:
        if (data["scope"] == "default") != (data.get("scope_id") is None):
            raise ValidationError(
                {"scope_id": [N_("Required for bundle and category rules only.")]}
            )


class LeaderRowSchema(Schema):
    """One staff member on a grid's board for a month."""

    staff_id = fields.Integer()
    name = fields.String()
    pieces = fields.Integer()
    promises_met = fields.Integer()
    promises_judged = fields.Integer()
    earned_minor = fields.Integer()
    level = fields.String()
    badges = fields.List(fields.String())


class RequestInSchema(Schema):
    """A report or a booking from a touchpoint (the contact is the account's when logged in)."""

    kind = fields.String(required=True, validate=validate.OneOf(("report", "booking")))
    text = fields.String(required=True, validate=validate.Length(min=2, max=500))
    wanted_at = fields.AwareDateTime(load_default=None, allow_none=True)
    contact_name = fields.String(load_default="", validate=validate.Length(max=40))
    contact_phone = fields.String(
        load_default="",
        validate=validate.Regexp(r"^(\+?[0-9 -]{7,20})?$", error=N_("Not a phone number.")),
    )


class RequestActionSchema(Schema):
    """`{"action": "accept" | "arrive" | "finish", "note"}`."""

    action = fields.String(required=True, validate=validate.OneOf(("accept", "arrive", "finish")))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class RequestSchema(Schema):
    """A service request and its two promises."""

    id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    place = fields.String()
    building = fields.String(allow_none=True)
    contact_name = fields.String()
    phone_masked = fields.String()
    status = fields.String()
    wanted_at = fields.DateTime(allow_none=True)
    accept_by = fields.DateTime()
    arrive_by = fields.DateTime()
    accept_met = fields.Boolean(allow_none=True)
    arrive_met = fields.Boolean(allow_none=True)
    next_action = fields.String(allow_none=True)
    due_kind = fields.String(allow_none=True)
    due_by = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class TouchpointInSchema(Schema):
    """A touchpoint the operator hangs up: a building's, or a public spot's with its grid."""

    community_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(("building", "lobby", "lamp_post", "parcel_room", "other")),
    )
    label = fields.String(required=True, validate=validate.Length(min=1, max=60))
    building_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID_RANGE)
    grid_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID_RANGE)


class TouchpointSchema(Schema):
    """A touchpoint and the link its QR code opens."""

    id = fields.Integer()
    community_id = fields.Integer()
    kind = fields.String()
    label = fields.String()
    code = fields.String()
    building = fields.String(allow_none=True)
    grid = fields.String(allow_none=True)
    is_active = fields.Boolean()
    url = fields.Method("_url")

    def _url(self, point: object) -> str:
        from flask import url_for

        return url_for("fulfilment.touchpoint_form", code=point.code, _external=True)


class SegmentMoveSchema(Schema):
    """`{"segment": "mass" | "premium" | "care", "reason"}`."""

    segment = fields.String(required=True, validate=validate.OneOf(("mass", "premium", "care")))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class GridInSchema(Schema):
    """A grid drawn over buildings of one compound."""

    community_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    building_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=1, max=200),
    )
    manager_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID_RANGE)


class GridBuildingsSchema(Schema):
    """`{"building_ids": [...], "confirm": false}`: buildings to move into the grid."""

    building_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=1, max=200),
    )
    confirm = fields.Boolean(load_default=False)


class GridOutSchema(Schema):
    """A grid, its buildings and staff."""

    id = fields.Integer()
    community_id = fields.Integer()
    name = fields.String()
    manager_id = fields.Integer(allow_none=True)
    building_ids = fields.List(fields.Integer())
    staff_ids = fields.List(fields.Integer())


class HireSchema(Schema):
    """A new staff member: their name, login phone, number, role, grids and first password."""

    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    phone = fields.String(
        required=True,
        validate=validate.Regexp(r"^\+?[0-9 -]{7,20}$", error=N_("Not a phone number.")),
    )
    email = fields.Email(load_default="", validate=validate.Length(max=254))
    employee_no = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9-]{2,20}$", error=N_("2–20 letters or digits.")),
    )
    staff_role = fields.String(
        required=True, validate=validate.OneOf(("butler", "guard", "cleaner", "technician"))
    )
    grid_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=8, max=128)
    )


class ManagerInSchema(Schema):
    """A new project manager: name, phone, login email, first password and the grids they run."""

    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    phone = fields.String(
        required=True,
        validate=validate.Regexp(r"^\+?[0-9 -]{7,20}$", error=N_("Not a phone number.")),
    )
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=8, max=128)
    )
    grid_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        load_default=list,
        validate=validate.Length(max=50),
    )


class ManagerOutSchema(Schema):
    """A project manager and the grids they are in charge of."""

    user_id = fields.Integer()
    display_name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    grid_ids = fields.List(fields.Integer())


class GridManagerSchema(Schema):
    """`{"manager_id": 7}` (or null): who runs the grid."""

    manager_id = fields.Integer(required=True, allow_none=True, strict=True, validate=ID_RANGE)


class StaffPatchSchema(Schema):
    """Change a staff member's grids or duty."""

    grid_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE), validate=validate.Length(max=20)
    )
    is_on_duty = fields.Boolean()


class LetGoSchema(Schema):
    """`{"reason"}`: why a staff member leaves."""

    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class StaffOutSchema(Schema):
    """A staff member as their manager and the operator see them."""

    user_id = fields.Integer()
    display_name = fields.String()
    employee_no = fields.String()
    staff_role = fields.String()
    is_on_duty = fields.Boolean()
    is_active = fields.Boolean()
    grid_ids = fields.List(fields.Integer())


class WithdrawalForm(PageForm):
    """A withdrawal typed in yuan; the key makes a double tap one request."""

    amount_minor = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000_000))
    key = fields.String(load_default="", validate=validate.Length(max=80))


class RequestForm(RequestInSchema, PageForm):
    """The touchpoint's page form; a datetime-local time is the community's (`request_form`)."""


def request_form(timezone: str) -> Schema:
    """The touchpoint form for a community whose clock is `timezone`."""
    wanted_at = fields.AwareDateTime(
        load_default=None, allow_none=True, default_timezone=ZoneInfo(timezone)
    )
    return RequestForm.from_dict({"wanted_at": wanted_at}, name="RequestForm")()


class NoteForm(PageForm):
    """A step of a request, with what the staff member noted."""

    note = fields.String(load_default="", validate=validate.Length(max=500))


class StepForm(OpenPageForm):
    """A staff step on a task, with what it needs.

    The resident's code, the checklist ticked, items not applicable (`na-<n>`: the reason for
    the n-th item), the resident's consent to come early, the reason of a failure.
    """

    code = fields.String(load_default="", validate=validate.Length(max=12))
    checklist = fields.List(fields.String(validate=validate.Length(max=200)), load_default=list)
    early_agreed = fields.Boolean(load_default=False)
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    cause = fields.String(load_default="other", validate=validate.OneOf(FAIL_CAUSES))

    @post_load
    def _not_applicable(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        reasons = {
            int(key.removeprefix("na-")): str(value).strip()[:200]
            for key, value in data.items()
            if key.startswith("na-") and key.removeprefix("na-").isdigit()
        }
        kept = {k: data[k] for k in ("code", "checklist", "early_agreed", "reason", "cause")}
        return {**kept, "not_applicable_at": {n: why for n, why in reasons.items() if why}}


class ReassignForm(PageForm):
    """A task given to someone else of the grid."""

    staff_id = fields.Integer(
        required=True, validate=validate.Range(min=1, error=N_("Pick someone of this grid."))
    )
