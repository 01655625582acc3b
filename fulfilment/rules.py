"""Commission rules (pure): which rule applies, how much a piece of work earns, who gets what."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from shop.core.money import percent_of

ROLES = ("deliverer", "performer", "referrer")
#: Why a task could not be done, as staff pick it.
FAIL_CAUSES = ("resident_absent", "supplier_stock_out", "access_denied", "other")
#: Causes outside the staff member's control: the promises missed then do not count against
#: them (courier scoring's lesson: points for what a person controls, not fines for the rest).
OUTSIDE_CONTROL = frozenset({"resident_absent", "supplier_stock_out"})
_SPECIFICITY = {"bundle": 0, "category": 1, "default": 2}


def fair_promises(met: int, judged: int, fail_cause: str | None) -> tuple[int, int]:
    """A task's promises as they count for the person who held it: (met, judged).

    A task failed for a cause outside their control counts its misses as not judged.
    """
    return (met, met) if fail_cause in OUTSIDE_CONTROL else (met, judged)


@dataclass(frozen=True)
class Rule:
    """A commission rule as the arithmetic needs it."""

    id: int
    scope: str
    scope_id: int | None
    basis: str
    amount: int
    split_bp: Mapping[str, int]
    missed_factor_bp: int
    valid_from: datetime


def pick_rule(
    rules: Sequence[Rule], *, bundle_id: int, category_id: int | None, paid_at: datetime
) -> Rule | None:
    """The rule in force when the order was paid: the most specific scope, then the newest."""
    fits = [
        r
        for r in rules
        if r.valid_from <= paid_at
        and (
            (r.scope == "bundle" and r.scope_id == bundle_id)
            or (r.scope == "category" and r.scope_id == category_id)
            or r.scope == "default"
        )
    ]
    if not fits:
        return None
    return min(fits, key=lambda r: (_SPECIFICITY[r.scope], -r.valid_from.timestamp(), -r.id))


def commission_total(rule: Rule, *, pieces: int, margin_minor: int, missed: bool) -> int:
    """The whole commission of one task before it is split (never negative)."""
    if rule.basis == "fixed":
        total = rule.amount * pieces
    else:
        total = percent_of(max(margin_minor, 0), rule.amount)
    return percent_of(total, rule.missed_factor_bp) if missed else total


def split(total: int, shares_bp: Mapping[str, int], present: Sequence[str]) -> dict[str, int]:
    """Share `total` among the roles present, by their weights; the parts add up to `total`.

    A role without a share gets nothing; the shares of absent roles go to those present.
    Remainders go to the largest fractions first (then the role order), so no fen is lost.
    """
    weights = {r: int(shares_bp.get(r, 0)) for r in present if int(shares_bp.get(r, 0)) > 0}
    whole = sum(weights.values())
    if total <= 0 or whole == 0:
        return {}
    parts = {r: total * w // whole for r, w in weights.items()}
    rests = {r: total * w % whole for r, w in weights.items()}  # integers: no float money
    left = total - sum(parts.values())
    for r in sorted(weights, key=lambda r: (-rests[r], ROLES.index(r)))[:left]:
        parts[r] += 1
    return {r: v for r, v in parts.items() if v > 0}
