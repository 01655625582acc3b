"""Kernel commands: `db upgrade|downgrade|check|revision`, `worker`, `search reindex`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from shop.core import jobs, migrate, search

db_cli = AppGroup("db", help="Database migrations (Alembic).")
search_cli = AppGroup("search", help="The full-text indexes.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up (to head by default)."""
    migrate.upgrade(current_app, revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Migrate the database down (one step by default)."""
    migrate.downgrade(current_app, revision)


@db_cli.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    migrate.check(current_app)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models."""
    migrate.revision(current_app, message)


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild every registered index from the database, with a progress bar."""
    indexers = search.indexers(current_app)
    if not indexers:
        click.echo("No indexes are registered.")
    for indexer in indexers:
        total = indexer.count()
        with click.progressbar(length=total, label=f"{indexer.name}: {total} documents") as bar:
            done = 0

            def advance(n: int, bar: object = bar) -> None:
                nonlocal done
                bar.update(n - done)  # type: ignore[attr-defined]
                done = n

            count = indexer.rebuild(advance)
        click.echo(f"{indexer.name}: indexed {count} documents.")


@click.command("worker")
@with_appcontext
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker with the scheduler (needs SHOP_REDIS_URL)."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("SHOP_REDIS_URL is not set: jobs run in-process already.")
    jobs.run_worker(
        current_app._get_current_object(), list(queues) or ["default", "search"], burst=burst
    )


def init_app(app: Flask) -> None:
    """Add the commands to `flask --app wsgi`."""
    app.cli.add_command(db_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(worker)
