"""Settings: embedded defaults, then `SHOP_*` environment variables, then explicit overrides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

#: Every setting a deployment may change, with its embedded default. README.md lists them.
DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: a SQLite file in instance/
    "REDIS_URL": None,  # None: jobs run in-process after commit
    "SEARCH_DIR": None,  # None: instance/search
    # "whoosh": an index directory per node; "postgres": one index in the database.
    "SEARCH_ENGINE": "whoosh",
    "UPLOAD_DIR": None,  # None: instance/uploads (documents, images; outside the web root)
    "MEDIA_MAX_BYTES": 8 * 1024 * 1024,
    "MEDIA_MAX_PIXELS": 40_000_000,
    "CURRENCY": "CNY",
    "TIMEZONE": "Asia/Shanghai",
    "STRIPE_SECRET_KEY": None,
    "STRIPE_PUBLISHABLE_KEY": None,
    "STRIPE_WEBHOOK_SECRET": None,
    "STRIPE_API_BASE": None,
    "API_TOKEN_TTL_DAYS": 30,
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute",
    "LOGIN_LIMIT_PER_IP": "20 per minute",
    # werkzeug's scrypt (N=2**15, r=8, p=1: 32 MiB) is a modern memory-hard KDF.
    "PASSWORD_HASH_METHOD": "scrypt",
    # Scoring stops here and returns the best found so far (flagged partial): a storefront
    # answers in time rather than perfectly. Measured in bench/bench_search.py.
    "SEARCH_TIME_LIMIT_SECONDS": 0.1,
    "JOB_RETRY_INTERVALS": [10, 60, 300],
    "LANGUAGES": ["zh_CN", "en"],
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    # Email for notifications: None sends them to the log instead.
    "SMTP_HOST": None,
    "SMTP_PORT": 587,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": True,
    "SMTP_FROM": "noreply@community.example",
}


def load(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill `app.config` from defaults, `SHOP_*` variables and `overrides` (highest wins)."""
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env(prefix="SHOP")
    if overrides:
        app.config.update(overrides)
    cfg = app.config
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'shop.db'}"
    if not cfg["UPLOAD_DIR"]:
        cfg["UPLOAD_DIR"] = str(instance / "uploads")
    if not cfg["SEARCH_DIR"]:
        cfg["SEARCH_DIR"] = str(instance / "search")
    if not cfg["SECRET_KEY"]:
        if cfg["ENV"] == "production":
            raise RuntimeError("SHOP_SECRET_KEY must be set when SHOP_ENV=production")
        cfg["SECRET_KEY"] = _instance_secret(instance)
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = cfg["ENV"] == "production"
    cfg["BABEL_DEFAULT_LOCALE"] = "zh_CN"
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg["TIMEZONE"]
    cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"] or "memory://"
    cfg["RATELIMIT_HEADERS_ENABLED"] = True
    # shop.core.forms.Form reads WTForms' catalog once per locale (Flask-WTF's own switch would
    # parse it on every request).
    cfg["WTF_I18N_ENABLED"] = False


def _instance_secret(instance: Path) -> str:
    """A random key kept in instance/ so that embedded sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()
