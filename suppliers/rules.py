"""Pure rules of vetting and probation: the weighted score, graduation and the floor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CRITERIA = ("community_commitment", "property_experience", "strength_management")


def weighted_score(scores: Mapping[str, int], weights: Mapping[str, int]) -> int:
    """The weighted mean of 1–5 scores, in hundredths (3.75 → 375), rounded half up."""
    total_weight = sum(weights[c] for c in CRITERIA)
    if total_weight <= 0:
        raise ValueError("the score weights must add up to more than zero")
    weighted = sum(scores[c] * weights[c] for c in CRITERIA) * 100
    return (2 * weighted + total_weight) // (2 * total_weight)


@dataclass(frozen=True)
class Card:
    """The figures of a scorecard the rules look at (rates in basis points)."""

    orders_count: int
    met_rate_bp: int
    on_time_rate_bp: int
    refund_rate_bp: int
    days_on_probation: int
    #: Orders with a defect in 90 days, from the monthly snapshot (None: not measured yet).
    defect_rate_bp: int | None = None


@dataclass(frozen=True)
class GraduationRule:
    """When a supplier on probation becomes active."""

    min_days: int = 14
    min_orders: int = 20
    min_met_rate_bp: int = 9_000
    min_on_time_rate_bp: int = 9_000
    max_refund_rate_bp: int = 500
    max_defect_rate_bp: int = 1_000


@dataclass(frozen=True)
class Floor:
    """Below this, a supplier is flagged for the operator's review."""

    min_orders: int = 5
    min_met_rate_bp: int = 8_000
    max_refund_rate_bp: int = 1_000
    max_defect_rate_bp: int = 2_000


def graduates(card: Card, rule: GraduationRule) -> bool:
    """Whether a supplier on probation has earned `active`."""
    return (
        card.days_on_probation >= rule.min_days
        and card.orders_count >= rule.min_orders
        and card.met_rate_bp >= rule.min_met_rate_bp
        and card.on_time_rate_bp >= rule.min_on_time_rate_bp
        and card.refund_rate_bp <= rule.max_refund_rate_bp
        and (card.defect_rate_bp or 0) <= rule.max_defect_rate_bp
    )


def below_floor(card: Card, floor: Floor) -> str | None:
    """Why the scorecard is below the floor, or None. Too few orders say nothing yet."""
    if card.orders_count < floor.min_orders:
        return None
    if card.met_rate_bp < floor.min_met_rate_bp:
        return f"met rate {card.met_rate_bp / 100:.1f}% < {floor.min_met_rate_bp / 100:.1f}%"
    if card.refund_rate_bp > floor.max_refund_rate_bp:
        return (
            f"refund rate {card.refund_rate_bp / 100:.1f}% > {floor.max_refund_rate_bp / 100:.1f}%"
        )
    defects = card.defect_rate_bp
    if defects is not None and defects > floor.max_defect_rate_bp:
        return f"90-day defect rate {defects / 100:.1f}% > {floor.max_defect_rate_bp / 100:.1f}%"
    return None
