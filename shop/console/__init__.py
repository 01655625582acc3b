"""Layer 5: the operator's console: dashboards across packages, phase advance, exports."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Mount the console and the `demo` command."""
    from shop.console import demo, http, serve, views
    from shop.core import http as core_http
    from shop.core.web import register_home, register_shortcut

    app.register_blueprint(views.bp)
    core_http.register(app, http.bp)
    app.register_blueprint(views.old_prefix)
    app.register_blueprint(views.committee)
    register_home(app, "committee", "committee.committee_home", str(_l("Our compound")))
    app.cli.add_command(demo.demo_command)
    app.cli.add_command(serve.serve_command)
    register_home(app, "operator", "console.home", str(_l("Console")))
    register_shortcut(app, "manager.home", "console.audit_page", str(_l("Audit log")))
    register_shortcut(app, "manager.home", "console.measures_page", str(_l("Measures")))
    register_shortcut(app, "supplier.portal", "console.measures_page", str(_l("Our scorecard")))
