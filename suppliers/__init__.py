"""Layer 1: supplier onboarding and vetting, the platform phase, items, stock and settlement."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

#: Settings of this package, with their defaults (each may be set as SHOP_<NAME>).
SETTINGS = {
    "SUPPLIER_SCORE_WEIGHTS": {
        "community_commitment": 40,
        "property_experience": 30,
        "strength_management": 30,
    },
    "SUPPLIER_MIN_SCORE": 350,  # hundredths: 3.50 of 5
    "SUPPLIER_PROBATION_MAX_ACTIVE_ITEMS": 20,
    "SUPPLIER_PROBATION_MAX_OPEN_ORDERS": 30,
    "SUPPLIER_GRADUATION": {
        "min_days": 14,
        "min_orders": 20,
        "min_met_rate_bp": 9000,
        "min_on_time_rate_bp": 9000,
        "max_refund_rate_bp": 500,
        "max_defect_rate_bp": 1000,
    },
    "SUPPLIER_FLOOR": {
        "min_orders": 5,
        "min_met_rate_bp": 8000,
        "max_refund_rate_bp": 1000,
        "max_defect_rate_bp": 2000,
    },
    #: Days after a statement's month ends by which the platform pays it.
    "SUPPLIER_SETTLEMENT_DUE_DAYS": 10,
    "SUPPLIER_REVIEW_EVERY_SECONDS": 3600,
    "SUPPLIER_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
    "PHASE_THRESHOLDS": {
        "2": {"active_channel_partners": 3, "delivered_orders": 300, "met_rate_bp": 9000},
        "3": {"active_producers": 2, "delivered_orders": 2000, "met_rate_bp": 9200},
    },
}


def init_app(app: Flask) -> None:
    """Settings, the portal and operator pages, the API and the probation review job."""
    from shop.core import http, measures
    from shop.core.jobs import register_periodic
    from shop.core.web import register_helpers, register_home
    from suppliers import api, labels, views
    from suppliers import http as supplier_http
    from suppliers.services import measures as vetting_measures

    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)
    from shop.core.http import register_me_section

    register_me_section(app, "supplier", api.me_section)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.public)
    app.register_blueprint(views.ops)
    http.register(app, supplier_http.bp)
    register_helpers(
        app,
        supplier_status_label=labels.status_label,
        decision_options=labels.decision_options,
        supplier_event_label=labels.event_label,
        document_label=labels.document_label,
    )
    register_home(app, "supplier_member", "suppliers.portal_home", str(_l("Supplier portal")))
    register_periodic(
        app, "suppliers.jobs.review_probation", app.config["SUPPLIER_REVIEW_EVERY_SECONDS"]
    )
    measures.register(app, vetting_measures.MEASURES, vetting_measures.measure)
