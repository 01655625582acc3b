"""marshmallow shapes of the suppliers API: applications, vetting, phase, items, statements."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from shop.core.i18n import N_
from shop.core.media import KEY as MEDIA_KEY
from shop.core.media import image_url
from shop.core.schemas import ID_RANGE, PAGE_RANGE, WHOLE_RANGE, MoneySchema, OpenPageForm, PageForm
from suppliers.models import DocumentKind, ItemKind, SupplierKind
from suppliers.process import DECISIONS

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
STAFF_ROLES = ("butler", "guard", "cleaner", "technician")


def _time_of_day(value: str) -> None:
    if not _TIME.match(value):
        raise ValidationError(N_("Use HH:MM, e.g. 09:30."))


class ApplicationSchema(Schema):
    """A supplier's application (the applicant also chooses their login password)."""

    company_name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SupplierKind]))
    licence_no = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9A-Za-z-]{8,64}$", error=N_("8–64 letters or digits.")),
    )
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    phone = fields.String(
        required=True,
        validate=validate.Regexp(r"^\+?[0-9 -]{7,20}$", error=N_("Not a phone number.")),
    )
    email = fields.Email(required=True)
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=8, max=128)
    )
    categories = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    commitment_statement = fields.String(required=True, validate=validate.Length(min=10, max=4000))
    property_experience = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    references = fields.String(load_default="", validate=validate.Length(max=2000))


class SupplierSchema(Schema):
    """A supplier as the operator and its own members see it."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    licence_no = fields.String()
    status = fields.String()
    contact_name = fields.String()
    phone = fields.String()
    email = fields.String()
    categories = fields.List(fields.String())
    commitment_statement = fields.String()
    property_experience = fields.String()
    references = fields.String()
    info_request = fields.String()
    created_at = fields.AwareDateTime()
    approved_at = fields.AwareDateTime(allow_none=True)
    flagged_at = fields.AwareDateTime(allow_none=True)
    flag_reason = fields.String()


class EvaluationInSchema(Schema):
    """Scores 1–5 on each criterion, and notes."""

    community_commitment = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    property_experience = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    strength_management = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    notes = fields.String(load_default="", validate=validate.Length(max=4000))


class EvaluationSchema(Schema):
    """A recorded evaluation with its weighted score (hundredths)."""

    id = fields.Integer()
    evaluator_id = fields.Integer()
    community_commitment = fields.Integer()
    property_experience = fields.Integer()
    strength_management = fields.Integer()
    weighted_score = fields.Integer()
    notes = fields.String()
    created_at = fields.AwareDateTime()


class DecisionSchema(Schema):
    """An operator's decision with its reason."""

    action = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class ResubmitSchema(Schema):
    """The applicant's answer to a request for information."""

    note = fields.String(load_default="", validate=validate.Length(max=2000))


class EventSchema(Schema):
    """One step of the supplier's history."""

    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_role = fields.String()
    action = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    reason = fields.String()


class ChecklistLineSchema(Schema):
    """One onboarding requirement for this supplier."""

    requirement_id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    is_blocking = fields.Boolean()
    is_done = fields.Boolean()
    note = fields.String()


class ChecklistInSchema(Schema):
    """Tick or untick a requirement."""

    requirement_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    is_done = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=300))


class DocumentSchema(Schema):
    """An uploaded document's facts (its bytes are served separately)."""

    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    uploaded_at = fields.AwareDateTime()


class DocumentFormSchema(Schema):
    """The kind of an uploaded document."""

    kind = fields.String(
        load_default="other", validate=validate.OneOf([k.value for k in DocumentKind])
    )


class SupplierDetailSchema(SupplierSchema):
    """A supplier with what the operator weighs."""

    documents = fields.List(fields.Nested(DocumentSchema))
    evaluations = fields.List(fields.Nested(EvaluationSchema))
    events = fields.List(fields.Nested(EventSchema))
    checklist = fields.List(fields.Nested(ChecklistLineSchema))
    scorecard = fields.Dict(allow_none=True)


class SupplierListArgs(Schema):
    """Filter the operator's list by status."""

    status = fields.String(load_default=None, validate=validate.Length(max=30))
    page = fields.Integer(load_default=1, validate=PAGE_RANGE)
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class FigureSchema(Schema):
    """One readiness figure."""

    key = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    value = fields.Integer(allow_none=True)
    threshold = fields.Integer()
    met = fields.Boolean()


class PhaseSchema(Schema):
    """The current phase and the readiness for the next one."""

    phase = fields.Integer()
    next_phase = fields.Integer(allow_none=True)
    readiness = fields.List(fields.Nested(FigureSchema))
    ready = fields.Boolean()


class PhaseAdvanceSchema(Schema):
    """Advance to `phase`, with an override reason when figures are unmet."""

    phase = fields.Integer(required=True, strict=True, validate=validate.Range(2, 3))
    override_reason = fields.String(load_default="", validate=validate.Length(max=2000))


class ItemSchema(Schema):
    """A supplier item: goods (stock) or a service (duration, daily slots, capacity, area)."""

    sku = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9A-Za-z._-]{1,40}$", error=N_("1–40 letters, digits, dot, dash or underscore.")
        ),
    )
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ItemKind]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))
    unit = fields.String(required=True, validate=validate.Length(min=1, max=20))
    supply_price_minor = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=100_000_000)
    )
    stock = fields.Integer(load_default=0, strict=True, validate=WHOLE_RANGE)
    staff_role = fields.String(load_default="butler", validate=validate.OneOf(STAFF_ROLES))
    images = fields.List(  # keys of uploaded images (POST /items/{id}/images), to reorder
        fields.String(validate=validate.Regexp(MEDIA_KEY, error=N_("Not an uploaded image."))),
        load_default=list,
        validate=validate.Length(max=8),
    )
    duration_minutes = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=24 * 60)
    )
    slot_times = fields.List(
        fields.String(validate=[validate.Length(max=5), _time_of_day]),
        load_default=list,
        validate=validate.Length(max=24),
    )
    slot_capacity = fields.Integer(
        load_default=0, strict=True, validate=validate.Range(min=0, max=1000)
    )
    service_community_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        load_default=list,
        validate=validate.Length(max=50),
    )
    is_active = fields.Boolean(load_default=True)

    @validates_schema
    def _service_fields(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("kind") != ItemKind.SERVICE.value or self.partial:
            return
        errors: dict[str, list[str]] = {}
        if not data.get("duration_minutes"):
            errors["duration_minutes"] = ["A service needs its duration."]
        if not data.get("slot_times"):
            errors["slot_times"] = ["A service needs at least one daily slot."]
        if not data.get("slot_capacity"):
            errors["slot_capacity"] = ["A service needs a slot capacity of at least 1."]
        if errors:
            raise ValidationError(errors)


class ItemPatchSchema(ItemSchema):
    """Changes to an item: any field but its kind and stock (stock moves by adjustments)."""

    class Meta:
        """Kind and stock cannot be patched."""

        exclude = ("kind", "stock")


class ItemOutSchema(Schema):
    """An item as its supplier and the operator see it."""

    id = fields.Integer()
    supplier_id = fields.Integer()
    kind = fields.String()
    sku = fields.String()
    name = fields.String()
    description = fields.String()
    category = fields.String()
    unit = fields.String()
    supply_price = fields.Method("_price")
    supply_price_minor = fields.Integer()
    stock = fields.Integer()
    staff_role = fields.String()
    images = fields.List(fields.String())
    image_urls = fields.Method("_image_urls")
    duration_minutes = fields.Integer(allow_none=True)
    slot_times = fields.List(fields.String())
    slot_capacity = fields.Integer()
    service_community_ids = fields.List(fields.Integer())
    is_active = fields.Boolean()
    updated_at = fields.AwareDateTime()

    def _price(self, item: Any) -> dict[str, Any]:
        return MoneySchema().dump(
            {"amount_minor": item.supply_price_minor, "currency": item.currency}
        )

    def _image_urls(self, item: Any) -> list[dict[str, str | None]]:
        return [
            {"key": k, "thumb": image_url(k, "thumb"), "page": image_url(k, "page")}
            for k in item.images
        ]


class StockAdjustmentSchema(Schema):
    """`{"delta", "reason"}`: a signed change of stock with why."""

    delta = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=-1_000_000, max=1_000_000)
    )
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class StockMovementSchema(Schema):
    """One stock movement."""

    id = fields.Integer()
    delta = fields.Integer()
    stock_after = fields.Integer()
    reason = fields.String()
    actor_id = fields.Integer(allow_none=True)
    at = fields.AwareDateTime()


class ItemChangeSchema(Schema):
    """One recorded edit."""

    actor_id = fields.Integer(allow_none=True)
    at = fields.AwareDateTime()
    changes = fields.Dict()


class ImportArgsSchema(Schema):
    """`?dry_run=true` previews without saving."""

    dry_run = fields.Boolean(load_default=False)


class ImportRowSchema(Schema):
    """One row of a CSV import: what it would do, or why it cannot."""

    line = fields.Integer()
    sku = fields.String()
    name = fields.String()
    action = fields.String()
    errors = fields.Dict()


class ImportReportSchema(Schema):
    """The outcome of an import or a preview."""

    dry_run = fields.Boolean()
    saved = fields.Boolean()
    created = fields.Integer()
    updated = fields.Integer()
    error_rows = fields.Integer()
    rows = fields.List(fields.Nested(ImportRowSchema))


class StatementSchema(Schema):
    """What the platform owes the supplier for one period, when it is due and when paid."""

    period_start = fields.Date()
    period_end = fields.Date()
    status = fields.String()
    lines = fields.Integer()
    total = fields.Nested(MoneySchema)
    due_on = fields.Date()
    paid_at = fields.AwareDateTime(allow_none=True)
    bank_reference = fields.String()


class StatementPaymentInSchema(Schema):
    """The operator's record of paying a closed statement: the bank's transfer reference."""

    bank_reference = fields.String(
        required=True, validate=validate.Length(min=1, max=60, error="1–60 characters.")
    )


class StatementLineSchema(Schema):
    """One line of a statement."""

    reference = fields.String()
    description = fields.String()
    amount = fields.Nested(MoneySchema)
    at = fields.AwareDateTime()


class ImportForm(PageForm):
    """An item import: a file to preview, or the confirmation of a kept preview."""

    confirm = fields.Boolean(load_default=False)
    token = fields.String(load_default="", validate=validate.Length(max=64))


class ChecklistForm(OpenPageForm):
    """The vetting checklist: the requirements ticked, and a note per requirement (`note-<id>`)."""

    done = fields.List(fields.Integer(validate=ID_RANGE), load_default=list)

    @post_load
    def _notes(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        notes = {
            int(key.removeprefix("note-")): str(value)[:500]
            for key, value in data.items()
            if key.startswith("note-") and key.removeprefix("note-").isdigit()
        }
        return {"done": set(data["done"]), "notes": notes}


class RequirementForm(PageForm):
    """An onboarding requirement: its code, names, whether it blocks, which categories."""

    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9_]{1,40}$", error=N_("The code takes letters, digits and underscores.")
        ),
    )
    name_zh = fields.String(load_default="", validate=validate.Length(max=100))
    name_en = fields.String(load_default="", validate=validate.Length(max=100))
    is_blocking = fields.Boolean(load_default=False)
    is_active = fields.Boolean(load_default=True)
    only_for_categories = fields.List(
        fields.String(validate=validate.Length(max=40)), load_default=list
    )

    @post_load
    def _names(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        return {
            **data,
            "name_zh": data["name_zh"] or data["code"],
            "name_en": data["name_en"] or data["code"],
        }
