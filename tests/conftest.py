"""Fixtures: a database per run (SQLite, or PostgreSQL when SHOP_TEST_DATABASE_URL is set),
emptied after every test, and one app per run, reset for every test."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import wsgi
from shop.core import accounts, db

pytest_plugins = [
    "tests.fixtures_catalogue",
    "tests.fixtures_orders",
    "tests.fixtures_fulfilment",
    "tests.fixtures_measures",
]
PG_URL = os.environ.get("SHOP_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("SHOP_REDIS_URL", "")
PASSWORD = "correct horse 42"


def _pg_admin_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this run's own: a SQLite file, or a new PostgreSQL database."""
    wsgi.import_models()
    if not PG_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        engine = db.make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    name = f"shop_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_pg_admin_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = db.make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_all_tables(database_url: str, engine: Any = None) -> None:
    own = engine is None
    engine = engine if engine is not None else db.make_engine(database_url)
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608  (our table names)
    if own:
        engine.dispose()


def _settings(database_url: str, root: Path, **overrides: Any) -> dict[str, Any]:
    settings = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "SEARCH_DIR": str(root / "search"),
        "UPLOAD_DIR": str(root / "uploads"),
        "REDIS_URL": None,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # fast in tests; production: scrypt
        "JOBS_RAISE": True,
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Build apps of their own (for settings the shared app does not have) on this run's
    database; every table is emptied after the test."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = wsgi.create_app(_settings(database_url, tmp_path, **overrides))
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["shop.db"].dispose()
    _empty_all_tables(database_url)


@pytest.fixture(scope="session")
def shared_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the whole run on the default test settings (building one costs ~0.2 s)."""
    from shop.core.ratelimit import limiter

    app = wsgi.create_app(_settings(database_url, tmp_path_factory.mktemp("shared")))
    # Flask-Limiter's one module-level limiter takes the storage of the app built last (one
    # per process in production); the tests' other apps may point it at Redis, so the shared
    # app's memory storage is put back before each test.
    app.extensions["tests.limiter_storage"] = (limiter._storage, limiter._limiter)
    yield app
    app.extensions["shop.db"].dispose()


def _stop_delayed_jobs(app: Flask) -> None:
    delayed = app.extensions.get("shop.jobs", {}).get("delayed")
    if delayed is not None:  # its thread lives on; nothing it holds may run in the next test
        with delayed.wake:
            delayed.heap.clear()


@pytest.fixture
def app(shared_app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The shared app, as new for each test: its own search index and uploads, no rate-limit
    counts or waiting jobs from earlier tests, its settings and registries put back after,
    and every table emptied."""
    from shop.core.ratelimit import limiter

    app = shared_app
    config, extensions = dict(app.config), dict(app.extensions)
    helpers = dict(app.jinja_env.globals)
    app.config.update(SEARCH_DIR=str(tmp_path / "search"), UPLOAD_DIR=str(tmp_path / "uploads"))
    app.extensions["shop.search"] = {}
    app.extensions["shop.jobs"] = {"mode": extensions["shop.jobs"]["mode"]}
    limiter._storage, limiter._limiter = extensions["tests.limiter_storage"]
    limiter.reset()
    try:
        yield app
    finally:
        _stop_delayed_jobs(app)
        for registry, before in (
            (app.config, config),
            (app.extensions, extensions),
            (app.jinja_env.globals, helpers),
        ):
            registry.clear()
            registry.update(before)
        _empty_all_tables(database_url, app.extensions["shop.db"])


#: The search engines this run can test: Whoosh always, PostgreSQL's on the PostgreSQL run.
SEARCH_ENGINES = ["whoosh", *(["postgres"] if PG_URL else [])]


@pytest.fixture(params=SEARCH_ENGINES)
def search_engine(request: pytest.FixtureRequest, app: Flask) -> str:
    """Run the test once on each search engine (the shared app's setting, put back after)."""
    app.config["SEARCH_ENGINE"] = request.param
    app.extensions["shop.search"] = {}
    return request.param


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class DemoSnapshot:
    """The demo community seeded once per run: every table's rows and the search index and
    uploads folders, put back for each test that wants the demo (seeding takes ~1.6 s).

    A snapshot from another day in the community's time zone is seeded afresh: delivery
    windows open from "today".
    """

    def __init__(self, root: Path) -> None:
        self.root, self.day, self.rows = root, "", {}

    def seed(self, app: Flask) -> Flask:
        """Give `app` (on this run's database, empty) the demo."""
        import shutil
        from datetime import datetime
        from zoneinfo import ZoneInfo

        today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        engine = app.extensions["shop.db"]
        folders = ("SEARCH_DIR", "UPLOAD_DIR")
        if self.day != today:
            result = app.test_cli_runner().invoke(args=["demo"])
            assert result.exit_code == 0, result.output
            with engine.connect() as conn:
                self.rows = {
                    t.name: [dict(r) for r in conn.execute(t.select()).mappings()]
                    for t in SQLModel.metadata.sorted_tables
                }
            for name in folders:
                shutil.rmtree(self.root / name, ignore_errors=True)
                if Path(app.config[name]).exists():
                    shutil.copytree(app.config[name], self.root / name)
            self.day = today
            return app
        with engine.begin() as conn:
            for table in SQLModel.metadata.sorted_tables:
                if self.rows[table.name]:
                    conn.execute(table.insert(), self.rows[table.name])
            if engine.dialect.name == "postgresql":  # ids were given: move the sequences on
                for table in SQLModel.metadata.sorted_tables:
                    if "id" in table.c and self.rows[table.name]:
                        move = (
                            "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                            "(SELECT max(id) FROM {}))"
                        )
                        conn.execute(text(move.format(table.name)), {"t": table.name})
        for name in folders:
            if (self.root / name).exists():
                shutil.rmtree(app.config[name], ignore_errors=True)
                shutil.copytree(self.root / name, app.config[name])
        return app


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> DemoSnapshot:
    """The run's demo snapshot (made by the first test that wants the demo)."""
    return DemoSnapshot(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo(app: Flask, demo_snapshot: DemoSnapshot) -> Flask:
    """The app with the demo community seeded (from the run's snapshot)."""
    return demo_snapshot.seed(app)


@pytest.fixture
def make_user(app: Flask) -> Any:
    """Create and commit a user: make_user("resident", email=...) -> user id."""
    counter = iter(range(1, 10_000))

    def make(
        *roles: str, email: str | None = None, phone: str | None = None, locale: str | None = None
    ) -> int:
        with app.app_context(), db.session_scope() as s:
            user = accounts.create_user(
                email=email or f"user{next(counter)}@test.local",
                password=PASSWORD,
                display_name="测试用户",
                roles=roles or ("resident",),
                phone=phone,
                locale=locale,
            )
            s.commit()
            return user.id

    return make


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the form on `path`."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def web_login(client: FlaskClient, login: str, password: str = PASSWORD) -> Any:
    """Log in through the form, as a browser would."""
    return client.post(
        "/login", data={"login": login, "password": password, "csrf_token": csrf_token(client)}
    )


def at_once(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `n` threads released together (a barrier): a race, made likely.

    Each thread's result, or the exception it raised, in the order of `i`.
    """
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except Exception as exc:  # the caller asserts on it
            outcomes[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def api_token(client: FlaskClient, login: str, password: str = PASSWORD) -> str:
    """A bearer token from POST /api/v1/auth/token."""
    response = client.post("/api/v1/auth/token", json={"login": login, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


@pytest.fixture
def headers(client):
    """Bearer headers for a login: headers("ops@platform.test")."""
    cache: dict[str, dict[str, str]] = {}

    def get(email: str) -> dict[str, str]:
        if email not in cache:
            cache[email] = {"Authorization": f"Bearer {api_token(client, email)}"}
        return cache[email]

    return get


@pytest.fixture(scope="session")
def localstripe_url():
    """The offline Stripe-compatible server on 127.0.0.1, for the whole run."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "orders.services.offline_stripe", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"localstripe did not start: {proc.stderr.read().decode()[-2000:]}")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)
    proc.stderr.close()


ROOT = Path(__file__).resolve().parents[1]


class HangingWorker:
    """A real RQ worker process whose job stops mid-way (see tests/*/slow_*worker.py)."""

    def __init__(self, module: str, database_url: str, tmp_path: Path, **env: str) -> None:
        self.ready = tmp_path / "ready"
        settings = {
            **os.environ,
            "SHOP_DATABASE_URL": database_url,
            "SHOP_REDIS_URL": REDIS_URL,
            "SHOP_SECRET_KEY": "test-secret",
            "SHOP_SEARCH_DIR": str(tmp_path / "search"),
            **env,
        }
        # Its own process group: the kill takes the worker and its work-horse child together,
        # as when the machine under a worker dies (killing only the parent orphans the child).
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, str(self.ready)],
            cwd=ROOT,
            env=settings,
            start_new_session=True,
        )

    def wait_mid_job(self) -> str:
        """Wait until the job has done its work and hangs before its commit; what it wrote."""
        deadline = time.monotonic() + 60
        while not self.ready.exists() and time.monotonic() < deadline:
            assert self.proc.poll() is None, "the worker died on its own"
            time.sleep(0.1)
        return self.ready.read_text()

    def kill(self) -> None:
        """SIGKILL the worker's whole process group (nothing of it outlives the test)."""
        import contextlib
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
