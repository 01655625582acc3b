"""A clone is complete: the docs point at no file outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_doc_points_outside_the_repository():
    outside = [
        f"{doc.relative_to(ROOT)}: {match}"
        for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        for match in re.findall(r"\.\./[\w./-]+", doc.read_text(encoding="utf-8"))
    ]
    assert outside == []
