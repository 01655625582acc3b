"""Alembic over SQLModel.metadata, driven from the app so it migrates the app's database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(app: Flask) -> Config:
    """Alembic's config from pyproject.toml, bound to the app's engine."""
    cfg = Config(toml_file=str(ROOT / "pyproject.toml"))
    cfg.attributes["engine"] = app.extensions["shop.db"]
    return cfg


def upgrade(app: Flask, revision: str = "head") -> None:
    """Migrate the app's database up to `revision`."""
    command.upgrade(alembic_config(app), revision)


def downgrade(app: Flask, revision: str = "base") -> None:
    """Migrate the app's database down to `revision`."""
    command.downgrade(alembic_config(app), revision)


def check(app: Flask) -> None:
    """Raise if the models differ from what the migrations create."""
    command.check(alembic_config(app))


def revision(app: Flask, message: str) -> None:
    """Autogenerate a new migration from the models."""
    command.revision(alembic_config(app), message=message, autogenerate=True)
