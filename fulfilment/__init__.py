"""Layer 4: grids and staff, tasks and dispatch, commissions and the staff ledger."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

#: Settings of this package, with their defaults (each may be set as SHOP_<NAME>).
SETTINGS = {
    "FULFILMENT_ACCEPT_MINUTES": 10,
    "FULFILMENT_MIN_WITHDRAWAL_MINOR": 1000,
    # A withdrawal is paid on time when its payroll batch is made within this many days.
    "FULFILMENT_PAYOUT_DAYS": 3,
    # Service requests from the QR touchpoints (报事/预约): their promises and the IP limit.
    "REQUEST_ACCEPT_MINUTES": 15,
    "REQUEST_ARRIVE_MINUTES": 60,
    "REQUEST_BOOKING_GRACE_MINUTES": 30,
    "REQUEST_BOOKING_DAYS_AHEAD": 14,
    "REQUEST_LIMIT_PER_IP": "30 per hour",
}


def init_app(app: Flask) -> None:
    """Pages, API, order receivers, timers, and whom to warn before an order's deadlines."""
    import orders.api
    import orders.signals
    from fulfilment import cli, handlers, http, labels, queries, views
    from fulfilment.services import measures as staff_measures
    from shop.core import http as core_http
    from shop.core import measures
    from shop.core.jobs import register_periodic
    from shop.core.web import register_helpers, register_home, register_shortcut

    for name, default in SETTINGS.items():
        app.config.setdefault(name, default)

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.payouts_group)
    core_http.register(app, http.bp)
    orders.api.register_assignee_source(app, queries.people_to_warn)
    core_http.register_me_section(app, "staff", queries.me_section)
    handlers.connect()
    measures.register(
        app, staff_measures.MEASURES + staff_measures.GRID_MEASURES, staff_measures.measure
    )
    register_periodic(app, "fulfilment.jobs.release_unaccepted", 60)
    register_periodic(app, "fulfilment.jobs.sweep_uncredited", 60)
    register_periodic(app, "fulfilment.jobs.judge_requests", 60)
    register_helpers(app, **labels.HELPERS, countdown_words=labels.countdown_words)
    register_home(app, "staff", "fulfilment.staff_home", str(_l("My work")))
    register_shortcut(app, "resident.home", "fulfilment.my_butler", str(_l("Call my butler")))
    register_shortcut(app, "resident.home", "fulfilment.my_requests", str(_l("My requests")))
    register_shortcut(
        app, "operator.console", "fulfilment.touchpoint_list", str(_l("QR touchpoints"))
    )
    register_shortcut(app, "operator.console", "fulfilment.households", str(_l("Households")))
    register_home(app, "manager", "fulfilment.manager_home", str(_l("My grids")))
