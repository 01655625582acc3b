"""Layer 0, the kernel: config, database, accounts, jobs, search, errors, i18n and base pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import SQLModel

if TYPE_CHECKING:
    from flask import Flask

# Constraint names must be stable for Alembic; set before any table is declared,
# which is guaranteed because every model module imports from shop.core first.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def init_app(app: Flask) -> None:
    """Wire the kernel's extensions, blueprints, error handlers and commands into `app`."""
    from shop.core import (
        auth,
        boundary,
        cli,
        db,
        errors,
        http,
        i18n,
        jobs,
        measures,
        media,
        notifications,
        ratelimit,
        search,
        views,
        web,
    )

    boundary.init_app(app)  # first: the bounded <int:…> converter must precede every route
    db.init_app(app)
    jobs.init_app(app)
    notifications.init_app(app)
    measures.init_app(app)
    search.init_app(app)
    media.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    auth.init_app(app)
    ratelimit.init_app(app)
    errors.init_app(app)
    http.init_app(app)
    views.init_app(app)
    cli.init_app(app)
