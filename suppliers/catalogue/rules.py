"""Pure rules of the catalogue: a bundle's figures, and who sees it at which price.

A bundle's settlement, margin, savings and stock come from its component lines; the segments
(mass, premium, care) decide who sees a bundle and which price they pay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One component: quantity, per-unit settlement and list price, and the item's stock.

    `stock` is None for a service (it has slots, not stock).
    """

    quantity: int
    settlement_price_minor: int
    list_price_minor: int
    stock: int | None = None


def settlement_total(lines: Sequence[Line]) -> int:
    """What the suppliers are paid for one bundle."""
    return sum(line.settlement_price_minor * line.quantity for line in lines)


def list_total(lines: Sequence[Line]) -> int:
    """What the components would cost bought one by one."""
    return sum(line.list_price_minor * line.quantity for line in lines)


def margin(price_minor: int, lines: Sequence[Line]) -> int:
    """The platform's margin on one bundle: its price minus the settlements."""
    return price_minor - settlement_total(lines)


def saving_vs_components(price_minor: int, lines: Sequence[Line]) -> int:
    """How much cheaper the bundle is than its components bought alone (may be negative)."""
    return list_total(lines) - price_minor


def saving_vs_reference(price_minor: int, reference_minor: int | None) -> int | None:
    """How much cheaper than the nearest competitor's price, when one is known."""
    return None if reference_minor is None else reference_minor - price_minor


def available(lines: Sequence[Line]) -> int | None:
    """How many bundles the goods in stock make; None when the bundle holds only services."""
    goods = [line for line in lines if line.stock is not None]
    if not goods:
        return None
    return min(max(line.stock, 0) // line.quantity for line in goods)


SEGMENTS = ("mass", "premium", "care")
#: A bundle offered to a segment is shown to residents of these segments.
AUDIENCE = {
    "mass": frozenset({"mass", "premium", "care"}),
    "premium": frozenset({"premium", "mass"}),
    "care": frozenset({"care"}),
}


def open_segments(opened: Iterable[str]) -> frozenset[str]:
    """The open segments: mass always, plus those the operator has opened."""
    return frozenset({"mass", *opened}) & frozenset(SEGMENTS)


def visible_segments(viewer: str | None, opened: Iterable[str]) -> frozenset[str]:
    """The bundle segments a viewer sees (a visitor who is not a resident counts as mass)."""
    viewer = viewer or "mass"
    return frozenset(s for s in open_segments(opened) if viewer in AUDIENCE[s])


def is_visible(bundle_segments: Iterable[str], viewer: str | None, opened: Iterable[str]) -> bool:
    """Whether a bundle offered to `bundle_segments` shows to this viewer."""
    return bool(set(bundle_segments) & visible_segments(viewer, opened))


def unit_price(
    price_minor: int, care_price_minor: int | None, viewer: str | None, opened: Iterable[str]
) -> int:
    """The price this viewer pays: the care price for care residents once care is open."""
    if viewer == "care" and care_price_minor is not None and "care" in open_segments(opened):
        return care_price_minor
    return price_minor
