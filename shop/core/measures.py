"""Measures (测评指标): figures of the seven parties, from what happened, snapshotted monthly.

Each package declares its measures (a key, the party, the formula in words, the unit, the
target band) and a source: a function that measures one month and returns the figures per
scope. `snapshot(month)` runs every source and replaces that month's rows, so the job may run
again for any past month and gives the same rows; pages and the API read the rows, never
the orders themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import delete, func, select

from shop.core import db, jobs, months
from shop.core.jobs import job
from shop.core.models import MeasureFigure

_EXT = "shop.measures"
#: Parties, in the order the console shows them.
PARTIES = ("residents", "suppliers", "staff", "managers", "project", "committee", "platform")
SCOPES = ("platform", "compound", "grid", "supplier", "staff")
PARTY_NAMES = {
    "residents": _l("Residents"),
    "suppliers": _l("Suppliers"),
    "staff": _l("Frontline staff"),
    "managers": _l("Grid managers"),
    "project": _l("The project"),
    "committee": _l("Owners' committee"),
    "platform": _l("The platform"),
}


def party_label(party: str) -> str:
    """A party's name in the reader's language."""
    return str(PARTY_NAMES.get(party, party))


#: How many of a figure's orders are kept with it, for the "orders behind it" link.
ORDERS_KEPT = 200


@dataclass(frozen=True)
class Measure:
    """One measure: what it counts, in which unit, and its target band.

    `unit` is "bp" (a share in basis points), "minor" (money in fen), "count", "minutes" or "days".
    The band: at or past `green` is green, at or past `amber` amber, else red (for a measure
    where less is better, `lower_is_better`, the comparison turns round). `public` figures
    may be shown to the owners' committee.
    """

    key: str
    party: str
    name: Any
    formula: Any
    unit: str
    amber: int
    green: int
    lower_is_better: bool = False
    public: bool = False


@dataclass(frozen=True)
class Figure:
    """What a source measured: one measure, one scope, its value and its sample size."""

    measure: str
    scope: str
    scope_id: int
    value: int | None
    n: int
    order_ids: tuple[int, ...] = field(default=())


#: Measures one month [start, end) (instants in the platform's time zone).
Source = Callable[[date, datetime, datetime], Iterable[Figure]]


def register(app: Flask, measures: Sequence[Measure], source: Source) -> None:
    """Declare a package's measures and the source that measures them."""
    state = app.extensions.setdefault(_EXT, {"measures": {}, "sources": []})
    for m in measures:
        if m.party not in PARTIES:
            raise ValueError(f"unknown party {m.party!r}")
        state["measures"][m.key] = m
    state["sources"].append(source)


def defined() -> dict[str, Measure]:
    """Every declared measure by key, with the bands the settings override."""
    declared = current_app.extensions.get(_EXT, {"measures": {}})["measures"]
    bands: Mapping[str, Sequence[int]] = current_app.config.get("MEASURE_BANDS") or {}
    return {
        key: Measure(**{**m.__dict__, "amber": bands[key][0], "green": bands[key][1]})
        if key in bands
        else m
        for key, m in declared.items()
    }


def of_party(party: str) -> list[Measure]:
    """The party's measures, in the order they were declared."""
    return [m for m in defined().values() if m.party == party]


def band(measure: Measure, value: int | None) -> str:
    """The band of a value: green, amber or red (empty when nothing was measured)."""
    if value is None:
        return ""
    sign = -1 if measure.lower_is_better else 1
    if sign * value >= sign * measure.green:
        return "green"
    return "amber" if sign * value >= sign * measure.amber else "red"


def snapshot(month: date) -> int:
    """Measure `month` with every source and replace its rows (idempotent); how many rows."""
    start, end = months.month_bounds(month, current_app.config["TIMEZONE"])
    known = defined()
    rows = [
        figure
        for source in current_app.extensions.get(_EXT, {"sources": []})["sources"]
        for figure in source(month, start, end)
    ]
    unknown = {f.measure for f in rows} - set(known)
    if unknown:
        raise ValueError(f"figures of undeclared measures: {sorted(unknown)}")
    s = db.session()
    db.serialize(f"measures.snapshot:{month.isoformat()}")  # two at once would clash on insert
    s.exec(delete(MeasureFigure).where(MeasureFigure.month == month))
    s.add_all(
        MeasureFigure(
            month=month,
            measure=f.measure,
            scope=f.scope,
            scope_id=f.scope_id,
            value=f.value,
            n=f.n,
            order_ids=list(f.order_ids[:ORDERS_KEPT]),
        )
        for f in rows
    )
    s.flush()
    return len(rows)


def figures(
    *, measures: Sequence[str], scope: str, first: date, last: date, scope_ids: Sequence[int] = ()
) -> list[MeasureFigure]:
    """Snapshot rows of these measures and scope, months `first` to `last`, oldest first."""
    where = _rows_of(measures, scope, scope_ids, MeasureFigure.month.between(first, last))
    order = (MeasureFigure.month, MeasureFigure.measure, MeasureFigure.scope_id)
    return list(db.session().exec(select(MeasureFigure).where(*where).order_by(*order)))


def figures_page(
    *,
    measures: Sequence[str],
    scope: str,
    month: date,
    scope_ids: Sequence[int] = (),
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[MeasureFigure], int]:
    """A page of a month's rows of these measures and scope (by measure, scope id); the total."""
    where = _rows_of(measures, scope, scope_ids, MeasureFigure.month == month)
    session = db.session()
    total = session.exec(select(func.count()).select_from(MeasureFigure).where(*where)).one()
    stmt = (
        select(MeasureFigure).where(*where).order_by(MeasureFigure.measure, MeasureFigure.scope_id)
    )
    rows = session.exec(stmt.offset((page - 1) * per_page).limit(per_page))
    return list(rows), int(total)


def _rows_of(measures: Sequence[str], scope: str, scope_ids: Sequence[int], months: Any) -> tuple:
    return (
        MeasureFigure.measure.in_(list(measures)),
        MeasureFigure.scope == scope,
        months,
        *((MeasureFigure.scope_id.in_(list(scope_ids)),) if scope_ids else ()),
    )


def rate_bp(part: int, whole: int) -> int | None:
    """part / whole in basis points (None when there is nothing to divide)."""
    return None if whole <= 0 else part * 10_000 // whole


@job
def snapshot_month(month_iso: str) -> int:
    """The snapshot of one month, `YYYY-MM-01` (re-runnable for any past month)."""
    return snapshot(date.fromisoformat(month_iso))


@job
def snapshot_recent() -> int:
    """Every night: this month so far, and last month (whose late verdicts keep arriving)."""
    this = months.month_start(db.utcnow(), current_app.config["TIMEZONE"])
    last = (this - timedelta(days=1)).replace(day=1)
    return snapshot(this) + snapshot(last)


def init_app(app: Flask) -> None:
    """The nightly snapshot; target bands from MEASURE_BANDS ({key: [amber, green]})."""
    from shop.core.web import register_helpers

    app.config.setdefault("MEASURE_BANDS", {})
    register_helpers(app, party_label=party_label)
    jobs.register_periodic(app, "shop.core.measures.snapshot_recent", 24 * 3600)
