"""The application factory and the WSGI entry point (`gunicorn 'wsgi:create_app()'`)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from flask import Flask

import fulfilment
import orders
import shop.console
import shop.core
import shop.storefront
import suppliers
import suppliers.catalogue

ROOT = Path(__file__).resolve().parent
#: Bottom layer first; each has init_app(app) and may have a models module.
PACKAGES = (
    shop.core,
    suppliers,
    suppliers.catalogue,
    orders,
    fulfilment,
    shop.storefront,
    shop.console,
)


def import_models() -> None:
    """Import every package's models so that SQLModel.metadata holds all tables."""
    for package in PACKAGES:
        name = f"{package.__name__}.models"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the marketplace: settings from SHOP_* variables, `overrides` winning (tests)."""
    from shop.core import config

    app = Flask(
        "shop",
        root_path=str(ROOT / "shop" / "core"),
        instance_path=str(ROOT / "instance"),
        static_folder=None,
    )
    config.load(app, overrides)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "shop" / "core" / "translations")
    import_models()
    for package in PACKAGES:
        package.init_app(app)
    return app
