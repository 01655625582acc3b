"""The console's forms as schemas: what an operator types, in yuan and percent, checked once."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from shop.core.i18n import N_
from shop.core.money import basis_points, parse_major
from shop.core.schemas import ID_RANGE, OpenPageForm, PageForm
from shop.core.schemas import ReasonForm as ReasonForm

REASON = validate.Length(max=500)


class PhaseForm(PageForm):
    """Advancing the platform phase; the reason is needed only to override unmet figures."""

    override_reason = fields.String(load_default="", validate=REASON)


class RefundForm(PageForm):
    """A refund: all that is left (amount empty) or part of it, typed in yuan."""

    amount_minor = fields.Integer(
        load_default=None,
        validate=validate.Range(
            min=1, max=100_000_000, error=N_("Enter the amount in yuan, or leave it empty.")
        ),
    )
    reason = fields.String(load_default="operator refund", validate=REASON)


class ResolutionForm(PageForm):
    """The answer to a complaint."""

    resolution = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CommissionRuleForm(PageForm):
    """A commission rule as typed: yuan per piece or a percent of the margin, shares in percent.

    Loaded into what `fulfilment.api.add_commission_rule` takes (fen and basis points).
    """

    scope = fields.String(required=True, validate=validate.OneOf(["bundle", "category", "default"]))
    scope_id = fields.Integer(load_default=None, validate=ID_RANGE)
    basis = fields.String(required=True, validate=validate.OneOf(["fixed", "margin_bp"]))
    amount = fields.String(required=True, validate=validate.Length(max=20))
    missed_factor_bp = fields.Integer(load_default=10_000, validate=validate.Range(0, 10_000))
    split_deliverer_bp = fields.Integer(validate=validate.Range(0, 10_000))
    split_performer_bp = fields.Integer(validate=validate.Range(0, 10_000))
    split_referrer_bp = fields.Integer(validate=validate.Range(0, 10_000))

    @post_load
    def _rule(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        fixed, text = data["basis"] == "fixed", data.pop("amount")
        amount = parse_major(text) if fixed else basis_points(text)
        if amount is None:
            raise ValidationError(
                {
                    "amount": [
                        N_("An amount in yuan, e.g. 39.90.") if fixed else N_("A percent, e.g. 80.")
                    ]
                }
            )
        roles = ("deliverer", "performer", "referrer")
        split = {r: data.pop(f"split_{r}_bp") for r in roles if f"split_{r}_bp" in data}
        return {**data, "amount": amount, "split_bp": split}


class BuildingsForm(PageForm):
    """Buildings added to a compound: names separated by commas (each up to 50 characters)."""

    community_id = fields.Integer(required=True, validate=ID_RANGE)
    names = fields.String(required=True, validate=validate.Length(min=1, max=2000))

    @post_load
    def _names(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        names = [n.strip() for n in re.split(r"[,，、\s]+", data["names"]) if n.strip()]
        if not names or any(len(n) > 50 for n in names):
            raise ValidationError({"names": [N_("Give building names, separated by commas.")]})
        return {**data, "names": names}


class GridForm(PageForm):
    """A grid drawn over ticked buildings, with its manager if chosen."""

    community_id = fields.Integer(required=True, validate=ID_RANGE)
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60, error=N_("Name the grid and tick its buildings.")),
    )
    building_ids = fields.List(
        fields.Integer(validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=1, error=N_("Name the grid and tick its buildings.")),
    )
    manager_id = fields.Integer(load_default=None, validate=ID_RANGE)


class MoveForm(PageForm):
    """A building moved into another grid; `confirm` once its open work is shown."""

    building_id = fields.Integer(required=True, validate=ID_RANGE)
    grid_id = fields.Integer(required=True, validate=ID_RANGE)
    confirm = fields.Boolean(load_default=False)


class GridManagerForm(PageForm):
    """A grid's manager chosen (none: the field left empty)."""

    grid_id = fields.Integer(required=True, validate=ID_RANGE)
    manager_id = fields.Integer(load_default=None, validate=ID_RANGE)


class LetGoForm(PageForm):
    """A staff member leaving, with the reason."""

    user_id = fields.Integer(required=True, validate=ID_RANGE)
    reason = fields.String(load_default="", validate=REASON)


class DemandFilterForm(PageForm):
    """The demand board's filters."""

    community_id = fields.Integer(load_default=None, validate=ID_RANGE)
    status = fields.String(
        load_default="open", validate=validate.OneOf(("open", "answered", "declined", "batched"))
    )


class DemandAnswerForm(PageForm):
    """The bundle on sale that answers a demand."""

    bundle_id = fields.Integer(
        required=True, validate=validate.Range(min=1, error=N_("Pick a bundle on sale."))
    )


class PlanIssueForm(OpenPageForm):
    """A producer's plan for a week, with each item's minimum batch and multiple.

    The item fields are `min-<item>` and `mult-<item>`; left empty, 1.
    """

    supplier_id = fields.Integer(required=True, validate=ID_RANGE)
    week = fields.Date(required=True)
    deliver_after_days = fields.Integer(load_default=3, validate=validate.Range(min=0, max=6))

    @post_load
    def _rules(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        rules: dict[int, dict[str, int]] = {}
        for prefix, name in (("min-", "min_batch"), ("mult-", "multiple")):
            for key, value in data.items():
                number = key.removeprefix(prefix)
                text = str(value).strip()
                if key.startswith(prefix) and number.isdigit() and text:
                    if not text.isdigit() or not 1 <= int(text) <= 100_000:
                        raise ValidationError({key: [N_("A whole number from 1.")]})
                    rules.setdefault(int(number), {})[name] = int(text)
        plan = {k: data[k] for k in ("supplier_id", "week", "deliver_after_days")}
        return {"plan": {**plan, "week": plan["week"].isoformat()}, "rules": rules}


class BatchOpenForm(OpenPageForm):
    """A custom batch as the operator types it: the price in yuan, the deadline in local time.

    `compound` names the compounds offered (several values); `min-<compound>` a compound's own
    minimum, left empty for none. Loaded into what `orders.api.open_batch` takes.
    """

    supplier_id = fields.Integer(required=True, validate=ID_RANGE)
    bundle_id = fields.Integer(required=True, validate=ID_RANGE)
    title = fields.String(load_default="", validate=validate.Length(max=200))
    price_minor = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000_000))
    min_quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))
    cap = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100_000))
    deadline = fields.NaiveDateTime(required=True, format="%Y-%m-%dT%H:%M")
    delivery_date = fields.Date(required=True)
    compound = fields.List(fields.Integer(validate=ID_RANGE), required=True)
    demand_id = fields.Integer(load_default=None, validate=ID_RANGE)

    @post_load
    def _batch(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        from zoneinfo import ZoneInfo

        from flask import current_app

        minimums: dict[int, int | None] = {}
        for community_id in data["compound"]:
            text = str(data.get(f"min-{community_id}", "")).strip()
            if text and not (text.isdigit() and 1 <= int(text) <= 100_000):
                raise ValidationError({f"min-{community_id}": [N_("A whole number from 1.")]})
            minimums[community_id] = int(text) if text else None
        local = data["deadline"].replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
        keys = ("supplier_id", "bundle_id", "title", "price_minor", "min_quantity", "cap")
        return {
            **{k: data[k] for k in keys},
            "deadline": local.isoformat(),
            "delivery_date": data["delivery_date"].isoformat(),
            "compounds": [{"community_id": c, "min_quantity": m} for c, m in minimums.items()],
            "demand_id": data["demand_id"],
        }
