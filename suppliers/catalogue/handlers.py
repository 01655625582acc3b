"""Reactions to suppliers' signals; they run inside the sender's transaction."""

from __future__ import annotations

from typing import Any

from suppliers import signals as supplier_signals
from suppliers.catalogue.services import bundles


def _supplier_suspended(supplier_id: int, **_kwargs: Any) -> None:
    bundles.withdraw_bundles_of_supplier(supplier_id)


def _item_changed(item_id: int, **_kwargs: Any) -> None:
    bundles.reindex_bundles_with_item(item_id)


def _scorecard_changed(supplier_id: int, **_kwargs: Any) -> None:
    bundles.rerank_bundles_of_supplier(supplier_id)


def connect() -> None:
    """Connect once (blinker keeps weak references to module functions: they live on)."""
    supplier_signals.supplier_suspended.connect(_supplier_suspended)
    supplier_signals.item_changed.connect(_item_changed)
    supplier_signals.scorecard_changed.connect(_scorecard_changed)
