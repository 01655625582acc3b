"""Kernel commands: `db upgrade|downgrade|check|revision`, `worker`, `search reindex`, `units`."""

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


units_cli = AppGroup("units", help="A compound's homes (the property's owner list).")


@units_cli.command("import")
@click.argument("community_code")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Check every line and save nothing.")
def units_import(community_code: str, csv_file: click.utils.LazyFile, dry_run: bool) -> None:
    """Import the owner list (building,unit,owner_name,owner_phone), all or nothing.

    A progress bar shows the saving; bad lines are listed and then nothing is saved.
    """
    from sqlmodel import select

    from shop.core import accounts, db
    from shop.core.models import Community

    text = csv_file.read()
    with db.unit_of_work() as s:
        community = s.exec(select(Community).where(Community.code == community_code)).first()
        if community is None:
            raise click.ClickException(f"No community with the code {community_code!r}.")
        total = len(accounts.read_unit_csv(text))
        with click.progressbar(length=total, label=f"{community.name}: {total} units") as bar:
            rows, created = accounts.import_units(
                actor_id=None,
                community_id=community.id,
                text=text,
                dry_run=dry_run,
                progress=bar.update,
            )
        bad = [r for r in rows if r.errors]
        for row in bad:
            click.echo(f"line {row.line}: {'; '.join(row.errors)}", err=True)
        if bad:
            raise click.ClickException(f"{len(bad)} bad lines: nothing was saved.")
        if dry_run:
            click.echo(f"{len(rows)} lines are fine (dry run: nothing saved).")
            return
    click.echo(f"Imported {created} units.")


users_cli = AppGroup("users", help="Logins that nobody can create from a page.")


@users_cli.command("create-operator")
@click.argument("email")
@click.option("--name", "display_name", default="平台运营", show_default=True)
@click.option("--phone", default=None, help="A phone to log in with as well.")
@click.password_option(help="Asked for (twice) when not given.")
def create_operator(email: str, display_name: str, phone: str | None, password: str) -> None:
    """Create the first operator of an empty installation (or another one)."""
    from shop.core import accounts, db
    from shop.core.errors import Invalid

    with db.unit_of_work():
        try:
            user = accounts.create_user(
                email=email,
                password=password,
                display_name=display_name,
                roles=["operator"],
                phone=phone,
            )
        except Invalid as exc:
            details = "; ".join(f"{k}: {v[0]}" for k, v in exc.fields.items())
            raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    click.echo(f"Operator {user.email} created (user {user.id}): log in at /login.")


process_cli = AppGroup("process", help="The processes of the platform (the kernel's engine).")


@process_cli.command("tables")
def process_tables() -> None:
    """Print every process's table of transitions as Markdown."""
    from shop.core import process

    click.echo(process.markdown_tables())


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
    app.cli.add_command(units_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(process_cli)
