"""The resident's basket, kept in their session: bundle ids and quantities."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session
from flask_babel import gettext as _

import suppliers.catalogue.api as catalogue

MAX_PER_LINE = 20
_KEY = "basket"


@dataclass(frozen=True)
class BasketLine:
    """A bundle in the basket, priced for the resident."""

    card: catalogue.BundleCard
    quantity: int

    @property
    def total_minor(self) -> int:
        """Unit price times quantity."""
        return self.card.price_minor * self.quantity


@dataclass(frozen=True)
class Basket:
    """The basket's lines (only bundles still on sale to the resident) and its total."""

    lines: list[BasketLine]
    dropped: int

    @property
    def total_minor(self) -> int:
        """The sum of the lines."""
        return sum(line.total_minor for line in self.lines)

    @property
    def count(self) -> int:
        """How many bundles in all."""
        return sum(line.quantity for line in self.lines)


def _raw() -> dict[str, int]:
    value = session.get(_KEY)
    return dict(value) if isinstance(value, dict) else {}


def parse_quantity(text: str, *, adding: bool) -> tuple[int, str]:
    """The quantity typed into a form and an error to show beside it ("" when it is fine).

    Adding takes 1 to MAX_PER_LINE; changing a line also takes 0 (which takes it out).
    """
    least = 1 if adding else 0
    text = text.strip()
    if not text:
        return 0, _("Enter how many.")
    if not text.isdigit() or not least <= int(text) <= MAX_PER_LINE:
        return 0, _(
            "Enter a whole number from %(least)d to %(most)d.", least=least, most=MAX_PER_LINE
        )
    return int(text), ""


def set_quantity(bundle_id: int, quantity: int, *, add: bool = False) -> int:
    """Put `quantity` of a bundle in the basket (or add to it); 0 removes it. Returns the new."""
    raw = _raw()
    new = (raw.get(str(bundle_id), 0) if add else 0) + quantity
    new = max(0, min(new, MAX_PER_LINE))
    if new:
        raw[str(bundle_id)] = new
    else:
        raw.pop(str(bundle_id), None)
    session[_KEY] = raw
    return new


def load(viewer: str | None) -> Basket:
    """The basket priced for the viewer; bundles no longer on sale to them are dropped."""
    raw = _raw()
    cards = catalogue.cards_for([int(k) for k in raw], viewer=viewer)
    lines = [BasketLine(cards[int(k)], q) for k, q in raw.items() if int(k) in cards]
    dropped = len(raw) - len(lines)
    if dropped:
        session[_KEY] = {str(line.card.id): line.quantity for line in lines}
    return Basket(lines, dropped)


def count() -> int:
    """How many bundles the basket holds (without pricing them)."""
    return sum(_raw().values())


def clear() -> None:
    """Empty the basket."""
    session.pop(_KEY, None)
