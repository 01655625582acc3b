"""Layer 1: supplier onboarding and vetting, the platform phase, items, stock and settlement."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Mount the supplier portal."""
    from shop.core.web import register_home
    from suppliers import labels, views

    app.register_blueprint(views.bp)
    app.jinja_env.globals["supplier_status_label"] = labels.status_label
    register_home(app, "supplier_member", "suppliers.portal_home", str(_l("Supplier portal")))
