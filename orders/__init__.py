"""Layer 3: checkout, orders and their process, payments, commitments, demand."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to mount yet: checkout and payments arrive with the orders issue."""
