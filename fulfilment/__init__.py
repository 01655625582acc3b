"""Layer 4: grids and staff, tasks and dispatch, commissions and the staff ledger."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Mount the staff and manager pages; say whom to warn before an order's deadlines."""
    import orders.api
    from fulfilment import labels, queries, views
    from shop.core.web import register_home

    app.register_blueprint(views.bp)
    orders.api.register_assignee_source(app, queries.people_to_warn)
    app.jinja_env.globals["staff_role_label"] = labels.staff_role_label
    register_home(app, "staff", "fulfilment.staff_home", str(_l("My work")))
    register_home(app, "manager", "fulfilment.manager_home", str(_l("My grids")))
