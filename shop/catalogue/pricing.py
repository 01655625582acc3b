"""Pure figures of a bundle: settlement, margin, savings and stock, from its component lines."""

from __future__ import annotations

from collections.abc import Sequence
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
