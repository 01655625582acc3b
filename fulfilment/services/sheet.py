"""A printable sheet of QR codes (SVG in millimetres, A4 wide): three codes a row, each labelled."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

import segno

COLUMNS = 3
CELL_W, CELL_H = 70.0, 82.0  # mm
CODE = 52.0  # mm, the code's side without its quiet zone
TOP = 16.0  # mm, room for the title


def _modules(link: str) -> tuple[int, str]:
    """The QR code's side in modules and an SVG path of its dark modules (one unit each)."""
    code = segno.make(link, error="m")
    parts = []
    for y, row in enumerate(code.matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return len(code.matrix), "".join(parts)


def render(links: Sequence[tuple[str, str]], *, title: str) -> str:
    """The sheet for (label, link) pairs: the label and the link printed under each code."""
    rows = (len(links) + COLUMNS - 1) // COLUMNS
    height = TOP + rows * CELL_H
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="210mm" height="{height:.0f}mm" viewBox="0 0 210 {height:.0f}" '
        'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif">',
        f'<text x="105" y="10" font-size="6" text-anchor="middle">{escape(title)}</text>',
    ]
    for i, (label, link) in enumerate(links):
        col, row = i % COLUMNS, i // COLUMNS
        x0, y0 = col * CELL_W, TOP + row * CELL_H
        side, path = _modules(link)
        scale = CODE / side
        left = x0 + (CELL_W - CODE) / 2
        out += [
            f'<rect x="{x0 + 2:.1f}" y="{y0:.1f}" width="{CELL_W - 4:.1f}" '
            f'height="{CELL_H - 4:.1f}" rx="3" fill="none" stroke="#999" stroke-width="0.3" '
            'stroke-dasharray="2 1"/>',
            f'<g transform="translate({left:.2f} {y0 + 4:.2f}) scale({scale:.4f})">'
            f'<path d="{path}" fill="#000"/></g>',
            f'<text x="{x0 + CELL_W / 2:.1f}" y="{y0 + CODE + 13:.1f}" font-size="5" '
            f'text-anchor="middle">{escape(label)}</text>',
            f'<text x="{x0 + CELL_W / 2:.1f}" y="{y0 + CODE + 19:.1f}" font-size="2.4" '
            f'text-anchor="middle" fill="#555">{escape(link)}</text>',
        ]
    out.append("</svg>")
    return "\n".join(out)
