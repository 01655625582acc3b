"""Layer 4: the residents' pages: browse, search, bundle page, basket, checkout, my orders."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Mount the residents' pages."""
    from shop.core.web import register_home, register_shortcut
    from shop.storefront import orders_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(orders_views.bp)
    register_home(app, "resident", "storefront.home", str(_l("Shop")))
    register_shortcut(app, "resident.home", "storefront.demand_page", str(_l("Ask for something")))
    register_shortcut(app, "resident.home", "storefront.batches_page", str(_l("Custom batches")))
