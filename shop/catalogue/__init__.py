"""Layer 2: categories, 产品包 bundles and their components, commitment policies, search."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to mount yet: bundles, policies and search arrive with the catalogue issue."""
