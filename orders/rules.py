"""Service commitments (pure): a policy's nodes made concrete for one order, and judged.

At payment each node becomes a promise with real times, computed in the community's time
zone: accept by (N minutes of service hours after payment), deliver or arrive within the
chosen window, complete by (window start + service duration + buffer), and the standard
(a checklist, and the resident's confirmation if the policy asks for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shop.core.money import percent_of


@dataclass(frozen=True)
class Promise:
    """One promised value: a time window (or none, for the standard) and what a miss pays."""

    kind: str
    due_from: datetime | None
    due_by: datetime | None
    compensation: Mapping[str, Any]
    checklist: tuple[str, ...] = field(default=())
    requires_confirmation: bool = False


def _service_clock(
    start: datetime, minutes: int, tz: ZoneInfo, opens: str, closes: str
) -> datetime:
    """`minutes` of service hours counted from `start` (outside hours, from the next opening)."""
    local = start.astimezone(tz)
    open_t, close_t = time.fromisoformat(opens), time.fromisoformat(closes)
    left = timedelta(minutes=minutes)
    while True:
        day_open = datetime.combine(local.date(), open_t, tz)
        day_close = datetime.combine(local.date(), close_t, tz)
        if local < day_open:
            local = day_open
        if local >= day_close:
            local = datetime.combine(local.date() + timedelta(days=1), open_t, tz)
            continue
        if local + left <= day_close:
            return local + left
        left -= day_close - local
        local = datetime.combine(local.date() + timedelta(days=1), open_t, tz)


def promises_for(
    nodes: Sequence[Mapping[str, Any]],
    *,
    paid_at: datetime,
    window: tuple[datetime, datetime] | None,
    service_minutes: int,
    timezone: str,
) -> list[Promise]:
    """The order's promises, from its policy nodes and what the resident chose."""
    tz = ZoneInfo(timezone)
    out = []
    for node in nodes:
        kind, comp = node["kind"], node["compensation"]
        if kind == "accept":
            due = _service_clock(
                paid_at, node["minutes"], tz, node["service_start"], node["service_end"]
            )
            out.append(Promise(kind, None, due, comp))
        elif kind in ("deliver_window", "arrive_window"):
            out.append(
                Promise(kind, window[0] if window else None, window[1] if window else None, comp)
            )
        elif kind == "decide":  # a custom batch's threshold, decided by its deadline
            out.append(Promise(kind, None, datetime.fromisoformat(node["due_by"]), comp))
        elif kind == "complete":
            start = window[0] if window else paid_at
            due = start + timedelta(minutes=service_minutes + node["minutes"])
            out.append(Promise(kind, None, due, comp))
        elif kind == "standard":
            out.append(
                Promise(
                    kind,
                    None,
                    None,
                    comp,
                    tuple(node.get("checklist", ())),
                    bool(node.get("requires_confirmation")),
                )
            )
    return out


def unanswered(
    checklist: Sequence[str], checked: Sequence[str], not_applicable: Mapping[str, str]
) -> list[str]:
    """The checklist items neither ticked nor marked not applicable with a reason."""
    answered = set(checked) | {item for item, why in not_applicable.items() if why.strip()}
    return [item for item in checklist if item not in answered]


def is_early(promise: Promise, at: datetime) -> bool:
    """Whether a step recorded at `at` comes before the window the resident chose."""
    return promise.due_from is not None and at < promise.due_from


def judge(
    promise: Promise,
    *,
    actual_at: datetime | None,
    checked: Sequence[str] = (),
    not_applicable: Mapping[str, str] | None = None,
    confirmed: bool = False,
    early_agreed: bool = False,
    now: datetime,
) -> str:
    """`met`, `missed` or `pending` for one promise, from what was recorded and the time now.

    A standard is met when every checklist item was ticked or marked not applicable with a
    reason (and the resident confirmed, where asked). A window is met inside it, or before it
    when the resident agreed to the early step.
    """
    if promise.kind == "standard":
        if actual_at is None:
            return "pending"
        complete = not unanswered(promise.checklist, checked, not_applicable or {})
        return "met" if complete and (confirmed or not promise.requires_confirmation) else "missed"
    if actual_at is None:
        return "missed" if promise.due_by is not None and now > promise.due_by else "pending"
    too_early = is_early(promise, actual_at) and not early_agreed
    too_late = promise.due_by is not None and actual_at > promise.due_by
    return "missed" if too_early or too_late else "met"


def compensation_minor(compensation: Mapping[str, Any], order_total_minor: int) -> int:
    """What a missed promise pays, in minor units (a share of the order, or a fixed amount)."""
    if compensation["type"] == "refund_percent":
        return percent_of(order_total_minor, compensation["basis_points"])
    return (
        min(int(compensation["amount_minor"]), order_total_minor)
        if compensation["type"] == "refund_amount"
        else int(compensation["amount_minor"])
    )


def planned_quantity(needed: int, *, min_batch: int = 1, multiple: int = 1) -> int:
    """What a producer should make for `needed` pieces.

    Nothing for none; else at least the minimum batch, rounded up to the multiple (as Odoo's
    reordering rules round).
    """
    if needed <= 0:
        return 0
    quantity = max(needed, min_batch)
    return -(-quantity // multiple) * multiple
