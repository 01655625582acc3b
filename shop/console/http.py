"""The measures as JSON: `GET /api/v1/measures`, the same figures as the dashboards, fenced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_login import current_user
from marshmallow import fields, validate

from shop.console import dashboards
from shop.core import db, measures, months
from shop.core.auth import role_required
from shop.core.boundary import Blueprint
from shop.core.schemas import ID_RANGE, PageArgsSchema, page_schema, view_schema

bp = Blueprint("console_api", __name__, url_prefix="/api/v1", description="Measures of the parties")


class MeasureArgs(PageArgsSchema):
    """Which party, month (YYYY-MM, this month when absent) and scope; a page of its figures."""

    party = fields.String(required=True, validate=validate.OneOf(measures.PARTIES))
    month = fields.String(load_default="", validate=validate.Regexp(r"^(\d{4}-\d{2})?$"))
    scope = fields.String(load_default="platform", validate=validate.OneOf(measures.SCOPES))
    #: With scope `staff` or `grid`: only that grid's staff, or that grid (as the page shows).
    grid = fields.Integer(load_default=None, validate=ID_RANGE)


@dataclass(frozen=True)
class MeasureFigureView:
    """One figure of a measure for one scope, with its formula, band and sample size."""

    measure: str
    name: str
    formula: str
    unit: str
    month: date
    scope: str
    scope_id: int
    value: int | None
    n: int
    band: str
    amber: int
    green: int
    lower_is_better: bool
    #: The orders behind the figure (for the operator and managers, to check or appeal).
    order_ids: tuple[int, ...]


MeasurePage = page_schema(view_schema(MeasureFigureView), "MeasurePage")


@bp.get("/measures")
@role_required("operator", "manager", "supplier_member", "committee")
@bp.arguments(MeasureArgs, location="query")
@bp.response(200, MeasurePage)
def list_measures(args: dict[str, Any]) -> Any:
    """A page of a party's figures for a month and scope (the snapshot job's; nothing counted here).

    The operator reads every party; a manager the staff and grid figures of their grids; a
    supplier's member its own supplier's figures; the owners' committee its compound's public
    figures, without the orders behind them (403 otherwise). `grid` narrows the staff or grid
    scope to one grid (422 for another scope or an unknown grid). Figures come by measure,
    then scope id, `per_page` (at most 100) at a time.
    """
    allowed = dashboards.fence(current_user.id, current_user.roles, args["party"], args["scope"])
    if args["grid"] is not None:
        allowed = dashboards.within_grid(args["grid"], args["scope"], allowed)
    month = months.parse_month(
        args["month"], now=db.utcnow(), timezone=current_app.config["TIMEZONE"]
    )
    committee = "committee" in current_user.roles and "operator" not in current_user.roles
    chosen = {m.key: m for m in measures.of_party(args["party"]) if m.public or not committee}
    paging = {"page": args["page"], "per_page": args["per_page"]}
    if allowed == ():
        return {"items": [], "total": 0, **paging}
    rows, total = measures.figures_page(
        measures=list(chosen), scope=args["scope"], month=month, scope_ids=allowed or (), **paging
    )
    words = {key: (str(m.name), str(m.formula)) for key, m in chosen.items()}  # once each
    items = [
        MeasureFigureView(
            f.measure,
            *words[f.measure],
            chosen[f.measure].unit,
            f.month,
            f.scope,
            f.scope_id,
            f.value,
            f.n,
            measures.band(chosen[f.measure], f.value),
            chosen[f.measure].amber,
            chosen[f.measure].green,
            chosen[f.measure].lower_is_better,
            () if committee else tuple(f.order_ids),
        )
        for f in rows
    ]
    return {"items": items, "total": total, **paging}
