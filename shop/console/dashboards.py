"""A party's dashboard read off the monthly snapshot: each measure's figure, band, trend, bars.

Nothing here counts orders: the numbers are the snapshot job's rows (shop.core.measures).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

import fulfilment.api
import suppliers.api
from shop.console import charts
from shop.core import accounts, measures
from shop.core.errors import Forbidden, Invalid
from shop.core.models import MeasureFigure
from shop.core.money import Money

#: How many months a trend shows.
TREND_MONTHS = 12


@dataclass(frozen=True)
class Row:
    """One scope's figure of a measure (a compound, a grid, a supplier, a staff member)."""

    scope_id: int
    name: str
    value: int | None
    text: str
    n: int
    band: str
    order_ids: tuple[int, ...]


@dataclass(frozen=True)
class Card:
    """One measure on the dashboard: this month's figure for the platform, trend and rows."""

    key: str
    name: str
    formula: str
    unit: str
    text: str
    n: int
    band: str
    trend: Markup
    bars: Markup
    rows: tuple[Row, ...]
    #: The platform's figure this month (beside one scope's own headline).
    overall: str


#: The parties each non-operator role may read, with the scope their rows are per.
READERS = {
    "manager": {"staff": "staff", "managers": "grid"},
    "supplier_member": {"suppliers": "supplier"},
    "committee": {"committee": "compound", "residents": "compound"},
}


def readable(roles: frozenset[str]) -> dict[str, str]:
    """The parties (and their row scopes) these roles may read on a dashboard."""
    out: dict[str, str] = {}
    for role, parties in READERS.items():
        if role in roles:
            out.update(parties)
    return out


def fence(user_id: int, roles: frozenset[str], party: str, scope: str) -> tuple[int, ...] | None:
    """The scope ids this user may read of a party (None: all of them); Forbidden otherwise.

    The operator reads everything; a manager the staff and grid figures of their own grids; a
    supplier's member its own supplier's; the owners' committee its own compound's.
    """
    if "operator" in roles:
        return None
    if "committee" in roles and party in ("committee", "residents") and scope == "compound":
        return (accounts.committee_compound(user_id) or 0,)
    if "manager" in roles and party in ("staff", "managers") and scope in ("grid", "staff"):
        grids = [g for g in fulfilment.api.list_grids() if g.manager_id == user_id]
        if scope == "grid":
            return tuple(g.id for g in grids)
        return tuple(sorted({sid for g in grids for sid in g.staff_ids}))
    if "supplier_member" in roles and party == "suppliers" and scope == "supplier":
        return (suppliers.api.supplier_for(user_id).id,)
    raise Forbidden(_("You may not see these figures."))


def within_grid(grid_id: int, scope: str, allowed: tuple[int, ...] | None) -> tuple[int, ...]:
    """The fenced scope ids narrowed to one grid: its staff (scope `staff`) or itself (`grid`)."""
    grid = next((g for g in fulfilment.api.list_grids() if g.id == grid_id), None)
    if scope not in ("staff", "grid") or grid is None:
        why = _("Pick one of the grids, with the staff or grid scope.")
        raise Invalid(why, fields={"grid": [why]})
    ids = grid.staff_ids if scope == "staff" else (grid.id,)
    return tuple(i for i in ids if allowed is None or i in allowed)


def text(measure: measures.Measure, value: int | None, currency: str = "CNY") -> str:
    """A figure as the reader reads it: 95.0 %, ¥12.00, 42 (— when nothing was measured)."""
    if value is None:
        return "—"
    if measure.unit == "bp":
        return f"{value / 100:.1f}%"
    if measure.unit == "minor":
        return Money(value, currency).format()
    if measure.unit == "minutes":
        return _("%(n)d min", n=value)
    if measure.unit == "days":
        return _("%(n)d days", n=value)
    return str(value)


def months_back(month: date, count: int = TREND_MONTHS) -> list[date]:
    """`count` month starts ending with `month`, oldest first."""
    out = [month]
    while len(out) < count:
        out.insert(0, (out[0] - timedelta(days=1)).replace(day=1))
    return out


def cards(
    party: str,
    month: date,
    scope: str,
    names: Mapping[int, str],
    *,
    public_only: bool = False,
    trend_of: int | None = None,
) -> list[Card]:
    """The party's measures for `month`: the headline figure and trend, each scope's row.

    `names` are the scopes shown (their ids and names). The headline is the platform's, or
    with `trend_of` that one scope's own (a supplier, a grid, the committee's compound);
    with `public_only`, only the figures the owners' committee may see.
    """
    chosen = [m for m in measures.of_party(party) if m.public or not public_only]
    if party == "committee":  # the committee's own figures, and the residents' public ones
        chosen = [m for m in measures.of_party("residents") if m.public] + chosen
    span = months_back(month)
    keys = [m.key for m in chosen]
    first = month if trend_of is not None else span[0]
    platform = measures.figures(measures=keys, scope="platform", first=first, last=month)
    own = platform
    if trend_of is not None:
        own = measures.figures(
            measures=keys, scope=scope, first=span[0], last=month, scope_ids=[trend_of]
        )
    scoped = measures.figures(
        measures=keys, scope=scope, first=month, last=month, scope_ids=sorted(names)
    )
    overall = {f.measure: f.value for f in platform if f.month == month}
    return [_card(m, span, own, scoped, names, text(m, overall.get(m.key))) for m in chosen]


def _card(
    m: measures.Measure,
    span: Sequence[date],
    platform: Sequence[MeasureFigure],
    scoped: Sequence[MeasureFigure],
    names: Mapping[int, str],
    overall: str,
) -> Card:
    by_month = {f.month: f for f in platform if f.measure == m.key}
    points = [(format_date(d, "MMM"), by_month[d].value if d in by_month else None) for d in span]
    now = by_month.get(span[-1])
    rows = tuple(
        Row(
            f.scope_id,
            names.get(f.scope_id, str(f.scope_id)),
            f.value,
            text(m, f.value),
            f.n,
            measures.band(m, f.value),
            tuple(f.order_ids),
        )
        for f in scoped
        if f.measure == m.key
    )
    value = now.value if now else None
    return Card(
        m.key,
        str(m.name),
        str(m.formula),
        m.unit,
        text(m, value),
        now.n if now else 0,
        measures.band(m, value),
        charts.trend(
            points,
            amber=m.amber,
            green=m.green,
            lower_is_better=m.lower_is_better,
            title=str(m.name),
            shown=[text(m, v) for _label, v in points],
        ),
        charts.bars(
            [(r.name, r.value, f"{r.text} · n={r.n}") for r in _worst(m, rows)], title=str(m.name)
        ),
        rows,
        overall,
    )


#: How many bars a chart draws at most (the rest are in the table and the CSV).
MAX_BARS = 24


def _worst(m: measures.Measure, rows: Sequence[Row]) -> Sequence[Row]:
    """The rows a bar chart draws: all of them, or the MAX_BARS furthest from the target."""
    if len(rows) <= MAX_BARS:
        return rows
    sign = 1 if m.lower_is_better else -1
    measured = [r for r in rows if r.value is not None]
    return sorted(measured, key=lambda r: (sign * (r.value or 0), r.scope_id))[:MAX_BARS]


def csv_lines(party: str, month: date, scope: str, found: Sequence[Card]) -> Iterator[str]:
    """The dashboard's table as CSV, UTF-8 with a BOM so that Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "month",
            "party",
            "measure",
            "name",
            "scope",
            "scope_id",
            "scope_name",
            "value",
            "unit",
            "n",
            "band",
        ]
    )
    for card in found:
        for row in card.rows:
            writer.writerow(
                [
                    month.isoformat(),
                    party,
                    card.key,
                    card.name,
                    scope,
                    row.scope_id,
                    row.name,
                    "" if row.value is None else row.value,
                    card.unit,
                    row.n,
                    row.band,
                ]
            )
    yield "\ufeff" + out.getvalue()
