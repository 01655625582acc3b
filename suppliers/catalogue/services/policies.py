"""Commitment policies: their nodes, validation, and the promise in plain words."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shop.core.i18n import N_
from shop.core.money import Money

NODE_KINDS = ("accept", "deliver_window", "arrive_window", "complete", "standard")
COMPENSATION_TYPES = ("refund_amount", "refund_percent", "coupon")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class CompensationSchema(Schema):
    """What a missed node pays: a fixed refund, a share of the order, or a coupon credit."""

    type = fields.String(required=True, validate=validate.OneOf(COMPENSATION_TYPES))
    amount_minor = fields.Integer(strict=True, validate=validate.Range(min=1, max=1_000_000))
    basis_points = fields.Integer(strict=True, validate=validate.Range(min=1, max=10_000))

    @validates_schema
    def _amount(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["type"] == "refund_percent" and "basis_points" not in data:
            raise ValidationError({"basis_points": [N_("A percentage refund needs basis points.")]})
        if data["type"] != "refund_percent" and "amount_minor" not in data:
            raise ValidationError({"amount_minor": [N_("This compensation needs an amount.")]})


class NodeSchema(Schema):
    """One promise of a policy."""

    kind = fields.String(required=True, validate=validate.OneOf(NODE_KINDS))
    minutes = fields.Integer(strict=True, validate=validate.Range(min=0, max=7 * 24 * 60))
    service_start = fields.String(validate=validate.Regexp(_TIME))
    service_end = fields.String(validate=validate.Regexp(_TIME))
    checklist = fields.List(
        fields.String(validate=validate.Length(min=1, max=80)), validate=validate.Length(max=20)
    )
    requires_confirmation = fields.Boolean(load_default=False)
    compensation = fields.Nested(CompensationSchema, required=True)

    @validates_schema
    def _per_kind(self, data: dict[str, Any], **_kwargs: Any) -> None:
        kind = data["kind"]
        if kind == "accept":
            missing = [f for f in ("minutes", "service_start", "service_end") if f not in data]
            if missing:
                raise ValidationError({f: [N_("Required for accept.")] for f in missing})
            if data["service_start"] >= data["service_end"]:
                raise ValidationError({"service_end": [N_("Must be after the start.")]})
        if kind == "complete" and "minutes" not in data:
            raise ValidationError({"minutes": [N_("The buffer after the service duration.")]})
        if kind == "standard" and not data.get("checklist"):
            raise ValidationError({"checklist": [N_("A standard needs its checklist.")]})


class PolicySchema(Schema):
    """A named policy with its nodes; each kind at most once, one window at most."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    nodes = fields.List(
        fields.Nested(NodeSchema),
        required=True,
        validate=validate.Length(min=1, max=len(NODE_KINDS)),
    )

    @validates_schema
    def _kinds(self, data: dict[str, Any], **_kwargs: Any) -> None:
        kinds = [n["kind"] for n in data.get("nodes", [])]
        if len(kinds) != len(set(kinds)):
            raise ValidationError({"nodes": [N_("Each kind of node at most once.")]})
        if {"deliver_window", "arrive_window"} <= set(kinds):
            raise ValidationError({"nodes": [N_("Either a delivery or an arrival window.")]})


def _compensation(node: Mapping[str, Any], currency: str) -> str:
    comp = node["compensation"]
    if comp["type"] == "refund_percent":
        return _("refund %(pct)s%% of the order", pct=f"{comp['basis_points'] / 100:g}")
    amount = Money(comp["amount_minor"], currency).format()
    if comp["type"] == "coupon":
        return _("a %(amount)s coupon", amount=amount)
    return _("refund %(amount)s", amount=amount)


def describe(node: Mapping[str, Any], currency: str = "CNY") -> str:
    """One promise in plain words, e.g. "送达时间：您选择的时段内；超时赔付 ¥5.00"."""
    kind, pay = node["kind"], _compensation(node, currency)
    if kind == "accept":
        return _(
            "Accepted within %(minutes)d minutes of payment (service hours %(start)s–%(end)s);"
            " if late: %(pay)s",
            minutes=node["minutes"],
            start=node["service_start"],
            end=node["service_end"],
            pay=pay,
        )
    if kind == "deliver_window":
        return _("Delivered within the time window you choose; if late: %(pay)s", pay=pay)
    if kind == "arrive_window":
        return _("We arrive within the time window you choose; if late: %(pay)s", pay=pay)
    if kind == "complete":
        return _(
            "Finished within the service time plus %(minutes)d minutes; if late: %(pay)s",
            minutes=node["minutes"],
            pay=pay,
        )
    checks = "、".join(node.get("checklist", []))
    if node.get("requires_confirmation"):
        return _(
            "Done to standard (%(checks)s) and confirmed by you; if not: %(pay)s",
            checks=checks,
            pay=pay,
        )
    return _("Done to standard (%(checks)s); if not: %(pay)s", checks=checks, pay=pay)


def describe_all(nodes: Sequence[Mapping[str, Any]], currency: str = "CNY") -> list[str]:
    """Every promise of a policy in plain words, in the order of the service."""
    order = {kind: n for n, kind in enumerate(NODE_KINDS)}
    return [describe(n, currency) for n in sorted(nodes, key=lambda n: order[n["kind"]])]


def with_checklist(
    nodes: Sequence[Mapping[str, Any]], checklist: Sequence[str]
) -> list[dict[str, Any]]:
    """The policy's nodes with a category's checklist added to its standard (if it has one)."""
    out = []
    for node in nodes:
        node = dict(node)
        if node["kind"] == "standard" and checklist:
            own = list(node.get("checklist", []))
            node["checklist"] = own + [item for item in checklist if item not in own]
        out.append(node)
    return out
