"""Frozen views filled from table rows by field name, so a view names its fields once."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def view_of(view: type[T], *rows: Any, **values: Any) -> T:
    """A `view` (a frozen dataclass) filled by field name.

    Each field comes from `values`, else from the first of `rows` with an attribute of that
    name; a list becomes a tuple where the view says tuple. A field found nowhere keeps its
    default (one with no default is a TypeError, as the dataclass itself would raise).
    """
    filled: dict[str, Any] = {}
    for field in dataclasses.fields(view):  # type: ignore[arg-type]
        if not field.init:
            continue
        if field.name in values:
            filled[field.name] = values[field.name]
            continue
        for row in rows:
            if hasattr(row, field.name):
                value = getattr(row, field.name)
                if isinstance(value, list) and str(field.type).startswith("tuple"):
                    value = tuple(value)
                filled[field.name] = value
                break
    return view(**filled)
