"""marshmallow shapes of the tasks API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from fulfilment.services import EVENT_ACTIONS


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


class TaskEventInSchema(Schema):
    """A step of my task: `delivered` and `done` need the resident's code; `failed` a reason."""

    event = fields.String(required=True, validate=validate.OneOf(sorted(EVENT_ACTIONS)))
    confirmation_code = fields.String(
        load_default=None, validate=validate.Regexp(r"^\d{6}$", error="Six digits.")
    )
    checklist = fields.List(fields.String(validate=validate.Length(max=60)), load_default=list)
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class ReassignInSchema(Schema):
    """Whom the manager gives the task to."""

    staff_id = fields.Integer(required=True, strict=True)
