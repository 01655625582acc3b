"""A party's dashboard read off the monthly snapshot: each measure's figure, band, trend, bars.

Nothing here counts orders: the numbers are the snapshot job's rows (shop.core.measures).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from markupsafe import Markup

from shop.console import charts
from shop.core import measures
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
    return str(value)


def months_back(month: date, count: int = TREND_MONTHS) -> list[date]:
    """`count` month starts ending with `month`, oldest first."""
    out = [month]
    while len(out) < count:
        out.insert(0, (out[0] - timedelta(days=1)).replace(day=1))
    return out


def cards(
    party: str, month: date, scope: str, names: Mapping[int, str], *, public_only: bool = False
) -> list[Card]:
    """The party's measures for `month`: the platform's figure and trend, each scope's row.

    `names` are the scopes shown (their ids and names); with `public_only`, only the figures
    the owners' committee may see.
    """
    chosen = [m for m in measures.of_party(party) if m.public or not public_only]
    if party == "committee":  # the committee's own figures, and the residents' public ones
        chosen = [m for m in measures.of_party("residents") if m.public] + chosen
    span = months_back(month)
    keys = [m.key for m in chosen]
    platform = measures.figures(measures=keys, scope="platform", first=span[0], last=month)
    scoped = measures.figures(
        measures=keys, scope=scope, first=month, last=month, scope_ids=sorted(names)
    )
    return [_card(m, span, platform, scoped, names) for m in chosen]


def _card(
    m: measures.Measure,
    span: Sequence[date],
    platform: Sequence[MeasureFigure],
    scoped: Sequence[MeasureFigure],
    names: Mapping[int, str],
) -> Card:
    by_month = {f.month: f for f in platform if f.measure == m.key}
    points = [(f"{d.month}月", by_month[d].value if d in by_month else None) for d in span]
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
        charts.bars([(r.name, r.value, f"{r.text} · n={r.n}") for r in rows], title=str(m.name)),
        rows,
    )


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
