"""Migrations: upgrade to head, no drift from the models, and back down to base."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import PG_URL


@pytest.fixture
def empty_database_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"shop_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_upgrade_match_the_models_and_downgrade(app_factory, empty_database_url):
    from shop.core import migrate

    app = app_factory(DATABASE_URL=empty_database_url)
    engine = app.extensions["shop.db"]
    migrate.upgrade(app)
    tables = set(inspect(engine).get_table_names())
    assert {"core_user", "core_community", "suppliers_supplier", "fulfilment_grid"} <= tables
    migrate.check(app)  # raises if autogenerate finds a difference
    migrate.downgrade(app, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_migrations_go_down_and_up_again_with_data_in_the_tables(app_factory, empty_database_url):
    from shop.console.demo import seed
    from shop.core import db, migrate

    app = app_factory(DATABASE_URL=empty_database_url)
    migrate.upgrade(app)
    with app.app_context(), db.session_scope() as s:
        assert seed() is True
        s.commit()
    # The suppliers migration alters suppliers_supplier, which other rows point at.
    migrate.downgrade(app, "c2415b945245")
    migrate.upgrade(app)
    migrate.check(app)
    migrate.downgrade(app, "base")
