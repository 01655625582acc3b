"""Who sees which bundle and at which price (pure): mass, premium and care segments."""

from __future__ import annotations

from collections.abc import Iterable

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
