"""Charts drawn on the server as SVG (no script, no CDN): a trend with its target band, bars.

Pure functions of the figures; the text in them (labels, n) is escaped. A figure of None
(nothing measured) leaves a gap in the line and no bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 340, 150, 28
BANDS = {"green": "#e3f4e7", "amber": "#fdf3d8", "red": "#fbe3e1"}
LINE = "#1f6f5c"


def _scale(values: Sequence[int | None], amber: int, green: int) -> tuple[int, int]:
    seen = [v for v in values if v is not None] + [amber, green]
    low, high = min(0, *seen), max(seen)
    return low, high if high > low else low + 1


def _y(value: float, low: int, high: int) -> float:
    return PAD / 2 + (HEIGHT - PAD) * (1 - (value - low) / (high - low))


def _bands(low: int, high: int, amber: int, green: int, lower_is_better: bool) -> list[str]:
    """Red, amber and green zones behind the line, as far as the axis reaches."""
    cuts = sorted((amber, green))
    zones = [(low, cuts[0]), (cuts[0], cuts[1]), (cuts[1], high)]
    names = ("green", "amber", "red") if lower_is_better else ("red", "amber", "green")
    out = []
    for (bottom, top), name in zip(zones, names, strict=True):
        bottom, top = max(bottom, low), min(top, high)
        if top > bottom:
            y_top, y_bottom = _y(top, low, high), _y(bottom, low, high)
            out.append(
                f'<rect x="{PAD}" y="{y_top:.1f}" width="{WIDTH - PAD}" '
                f'height="{y_bottom - y_top:.1f}" fill="{BANDS[name]}"/>'
            )
    return out


def trend(
    points: Sequence[tuple[str, int | None]],
    *,
    amber: int,
    green: int,
    lower_is_better: bool,
    title: str,
    shown: Sequence[str] = (),
) -> Markup:
    """A line over the months (`points`: label, value), drawn on the target band.

    `shown` are the values as text (formatted for the reader), printed on the last point.
    """
    values = [v for _label, v in points]
    low, high = _scale(values, amber, green)
    step = (WIDTH - PAD - 8) / max(len(points) - 1, 1)
    parts = _bands(low, high, amber, green, lower_is_better)
    path, pen_down = [], False
    for i, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        x, y = PAD + i * step, _y(value, low, high)
        path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE}"/>')
        pen_down = True
    if path:
        parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for i, (label, _v) in enumerate(points):
        if i in (0, len(points) - 1) or len(points) <= 6:
            parts.append(
                f'<text x="{PAD + i * step:.1f}" y="{HEIGHT - 4}" font-size="10" '
                f'text-anchor="middle" fill="#555">{escape(label)}</text>'
            )
    if shown and values[-1] is not None:
        parts.append(
            f'<text x="{WIDTH - 4}" y="{_y(values[-1], low, high) - 6:.1f}" font-size="11" '
            f'text-anchor="end" fill="{LINE}">{escape(shown[-1])}</text>'
        )
    return _svg(title, parts)


def bars(rows: Sequence[tuple[str, int | None, str]], *, title: str) -> Markup:
    """Horizontal bars: (label, value, the value as text with its n) per row."""
    measured = [v for _label, v, _text in rows if v is not None]
    high = max([*measured, 1])
    height = 22 * len(rows) + 8
    parts = []
    for i, (label, value, text) in enumerate(rows):
        y = 6 + i * 22
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="11" fill="#333">{escape(label[:8])}</text>'
        )
        if value is not None and value > 0:
            length = (WIDTH - 170) * value / high
            parts.append(
                f'<rect x="90" y="{y}" width="{length:.1f}" height="14" rx="3" fill="{LINE}"/>'
            )
        parts.append(
            f'<text x="{WIDTH - 4}" y="{y + 12}" font-size="11" text-anchor="end" '
            f'fill="#333">{escape(text)}</text>'
        )
    return _svg(title, parts, height=height)


def _svg(title: str, parts: list[str], *, height: int = HEIGHT) -> Markup:
    body = "".join(parts)
    return Markup(  # noqa: S704  (every text in `parts` was escaped above)
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{body}</svg>'
    )
