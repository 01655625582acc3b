"""Dump schemas read off frozen views, and views filled from rows by field name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from shop.core.schemas import view_schema
from shop.core.values import view_of


@dataclass(frozen=True)
class PartView:
    """A part."""

    name: str
    weight: float | None


@dataclass(frozen=True)
class ThingView:
    """A thing with its parts."""

    id: int
    made_on: date
    seen_at: datetime | None
    tags: tuple[str, ...]
    parts: tuple[PartView, ...]
    ok: bool = True


def test_the_schema_names_each_field_once_with_its_type():
    schema = view_schema(ThingView)
    assert schema.__name__ == "ThingSchema" and schema.__doc__ == "A thing with its parts."
    assert view_schema(ThingView) is schema  # one class per view (one OpenAPI component)
    thing = ThingView(
        1, date(2026, 12, 3), None, ("a", "b"), (PartView("x", None), PartView("y", 2.5))
    )
    assert schema().dump(thing) == {
        "id": 1,
        "made_on": "2026-12-03",
        "seen_at": None,
        "tags": ["a", "b"],
        "parts": [{"name": "x", "weight": None}, {"name": "y", "weight": 2.5}],
        "ok": True,
    }
    fields = schema().fields
    assert fields["seen_at"].allow_none and not fields["id"].allow_none
    with_extra = view_schema(PartView, note=view_schema(ThingView)().fields["tags"])
    assert with_extra is not view_schema(PartView) and "note" in with_extra().fields


def test_a_view_is_filled_from_rows_by_name_values_first_lists_as_tuples():
    class Row:
        id, made_on, seen_at = 7, date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)
        tags, parts = ["x"], []

    class Other:
        id, ok = 99, False

    made = view_of(ThingView, Row(), Other(), parts=())
    assert (made.id, made.tags, made.parts, made.ok) == (7, ("x",), (), False)
    with pytest.raises(TypeError):
        view_of(ThingView, Other())  # no made_on anywhere: as the dataclass itself would
