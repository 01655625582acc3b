"""Layer 3: checkout, orders and their process, payments, commitments, demand, batches."""

from __future__ import annotations

from flask import Flask

#: Settings of this package, with their defaults (each may be set as SHOP_<NAME>).
SETTINGS = {
    "ORDER_UNPAID_MINUTES": 15,
    "ORDER_DELIVERY_WINDOWS": ["09:00-11:00", "14:00-16:00", "18:00-20:00"],
    "ORDER_WINDOW_CAPACITY": 20,
    "ORDER_WINDOW_DAYS_AHEAD": 3,
    "ORDER_LEAD_MINUTES": 60,
    "ORDER_ARRIVAL_GRACE_MINUTES": 30,
    "ORDER_WARN_MINUTES": 15,
    "ORDER_AFTER_SALE_DAYS": 7,
    "BATCH_HOLD_DAYS": 5,
    "BATCH_FIX_HOURS": 48,
    "BATCH_REMIND_HOURS_LEFT": 12,
    "BATCH_DECISION_GRACE_MINUTES": 10,
    "BATCH_LATE_DECISION_CREDIT_MINOR": 500,
}


def init_app(app: Flask) -> None:
    """Settings, the API, and the periodic opening of delivery windows."""
    from flask_babel import lazy_gettext as _l

    import suppliers.api
    from orders import handlers, http, labels, views
    from orders.services import figures, gateway
    from orders.services import measures as resident_measures
    from shop.core import http as core_http
    from shop.core import measures
    from shop.core.jobs import register_periodic
    from shop.core.web import register_helpers, register_shortcut

    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)
    gateway.configure(app)
    register_helpers(
        app,
        order_status_label=labels.order_status_label,
        node_label=labels.node_label,
        verdict_label=labels.verdict_label,
        event_label=labels.event_label,
        actor_label=labels.actor_label,
        demand_status_label=labels.demand_status_label,
        frequency_label=labels.frequency_label,
        pattern_label=labels.pattern_label,
        batch_status_label=labels.batch_status_label,
        pledge_status_label=labels.pledge_status_label,
        pledge_reason_label=labels.pledge_reason_label,
    )
    core_http.register(app, http.bp)
    app.register_blueprint(views.bp)
    register_shortcut(app, "supplier.portal", "orders.prepare", str(_l("Orders to prepare")))
    register_shortcut(app, "supplier.portal", "orders.plans_page", str(_l("Production plans")))
    register_shortcut(app, "supplier.portal", "orders.batches_page", str(_l("Custom batches")))
    handlers.connect()
    suppliers.api.register_readiness_source(app, figures.readiness)
    measures.register(app, resident_measures.MEASURES, resident_measures.measure)
    measures.register(app, resident_measures.SUPPLIER_MEASURES, resident_measures.measure_suppliers)
    measures.register(app, resident_measures.PROJECT_MEASURES, resident_measures.measure_project)
    register_periodic(app, "orders.jobs.open_delivery_windows", 3600)
    register_periodic(app, "orders.jobs.watch_commitments", 60)
    register_periodic(app, "orders.jobs.sweep_unpaid", 60)
    register_periodic(app, "orders.jobs.sweep_after_sale", 3600)
    register_periodic(app, "orders.jobs.update_scorecards", 3600)
    register_periodic(app, "orders.jobs.refresh_demand_series", 24 * 3600)
    register_periodic(app, "orders.jobs.sweep_batches", 60)
