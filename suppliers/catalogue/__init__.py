"""Layer 2: categories, 产品包 bundles and their components, commitment policies, search."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Settings, the API and operator pages, the supplier handlers and the search indexer."""
    from shop.core import http as core_http
    from shop.core.search import Indexer, register_indexer
    from shop.core.web import register_helpers
    from suppliers.catalogue import handlers, http, jobs, labels, views

    app.config.setdefault("MAX_PHASE1_CATEGORIES", 5)
    core_http.register(app, http.bp)
    app.register_blueprint(views.bp)
    handlers.connect()
    register_helpers(
        app, bundle_status_label=labels.bundle_status_label, segment_label=labels.segment_label
    )
    register_indexer(app, Indexer("bundles", jobs.count_for_reindex, jobs.rebuild_index))
