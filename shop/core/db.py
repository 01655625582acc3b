"""Engine, the current session and the unit of work: one commit per request, job or command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import CursorResult, Engine, Executable, Table, create_engine, event, func, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

_EXT = "shop.db"
_job_session: ContextVar[Session | None] = ContextVar("shop_job_session", default=None)
#: Whether the next transaction on this context intends to write (SQLite: BEGIN IMMEDIATE).
_write_intent: ContextVar[bool] = ContextVar("shop_write_intent", default=True)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only kind of datetime stored)."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A stored time as timezone-aware UTC (SQLite hands them back without an offset)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the project's connection settings for SQLite or PostgreSQL."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    # A pool of connections (not one per request): each new connection pays for its PRAGMAs.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over BEGIN from pysqlite so that writers can start with BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes fails with "database is
        # locked" under a concurrent writer; IMMEDIATE takes the write lock up front.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")

    return engine


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions[_EXT]


def session() -> Session:
    """The current unit of work: the running job's session, else this request's session."""
    if (s := _job_session.get()) is not None:
        return s
    if "_db_session" not in g:
        if has_request_context():
            _write_intent.set(request.method not in _SAFE_METHODS)
        g._db_session = Session(engine(), expire_on_commit=False)
    return g._db_session


def table(model: Any) -> Table:
    """The model's table, for statements on a hot path built once with `bindparam`.

    A statement on the table (not on the model) runs as plain Core: no ORM compile step, no
    objects in the session to keep in step. Checkout's reads and conditional updates use it.
    """
    return model.__table__


def run(statement: Executable, params: Any = None) -> CursorResult[Any]:
    """Run a plain statement (on tables, see `table`) on this unit of work's connection.

    No ORM step in between: no autoflush, no session events, no ORM compile. For the hot
    path's prebuilt reads and conditional updates; their rows are plain rows.
    """
    return session().connection().execute(statement, params)


def page(statement: Any, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of an ordered select, and how many rows the whole select has.

    The one way a list that grows without bound is paged: in the database, by OFFSET and
    LIMIT, with a count of the same select (its order dropped) beside it.
    """
    s = session()
    count = sa_select(func.count()).select_from(statement.order_by(None).subquery())
    total = s.execute(count).scalar_one()
    rows = s.exec(statement.offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


_INSERTS: dict[tuple[Table, str, tuple[str, ...]], Any] = {}


def insert_row(row: T, *, unless_taken: tuple[str, ...] = ()) -> T | None:
    """Write a new model row with one plain INSERT and keep it in the session as loaded.

    The hot path's way to add a row: it skips the unit of work's flush (the row is in the
    database at once, its id set) and leaves the object in the session, clean, so later
    changes to it are flushed as usual. The row's values are all in the object already
    (model defaults are filled in Python), so nothing is read back but the id.

    With `unless_taken` (the columns of a unique key), a row whose key is taken writes
    nothing and gives None. That includes a key a racing transaction is writing: the INSERT
    waits for it (ON CONFLICT DO NOTHING), so the caller can then read that row.
    """
    t: Table = row.__table__  # type: ignore[attr-defined]
    (key,) = t.primary_key.columns
    s = session()
    dialect = s.get_bind().dialect.name
    statement = _INSERTS.get((t, dialect, unless_taken))
    if statement is None:
        if unless_taken:
            made = (pg_insert if dialect == "postgresql" else sqlite_insert)(t)
            made = made.on_conflict_do_nothing(index_elements=[t.c[c] for c in unless_taken])
        else:
            made = t.insert()
        statement = _INSERTS[(t, dialect, unless_taken)] = made.returning(key)
    values = {c.key: getattr(row, c.key) for c in t.columns if c is not key}
    written = s.connection().execute(statement, values).scalar()
    if written is None:
        return None
    setattr(row, key.key, written)
    make_transient_to_detached(row)
    s.add(row)
    return row


def add_once(row: Any) -> bool:
    """Insert `row` unless its unique key is taken (also by a transaction racing this one).

    Runs in a savepoint, so a duplicate leaves the rest of the transaction intact; returns
    whether the row was inserted. The mechanism for "happens once" writes of ORM rows; the hot
    path's `insert_row(row, unless_taken=...)` does the same in its one INSERT.
    """
    s = session()
    try:
        with s.begin_nested():
            s.add(row)
    except IntegrityError:
        return False
    return True


def serialize(name: str) -> None:
    """Hold this unit of work's turn at `name` until it ends: one at a time per name.

    For work that replaces a set of rows and may run twice at once (a periodic job in two
    processes, a retried job beside its hung original). PostgreSQL takes a transaction-level
    advisory lock; SQLite needs none, as a writer holds the whole database from BEGIN IMMEDIATE.
    """
    s = session()
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def refused(exc: BaseException) -> None:
    """A refusal ends this unit of work's changes now, unless it keeps its record.

    The one way a handler or a page deals with a refusal it shows: `DomainError(keep=True)`
    marks the work done so far to be committed all the same; anything else is rolled back.
    """
    if getattr(exc, "keep", False):
        if _job_session.get() is None and has_request_context():
            g._db_keep_refused = True
        return
    discard()


def discard() -> None:
    """Throw away what this unit of work changed (a preview, a form shown again)."""
    session().rollback()


def _finish_request(response: Any) -> Any:
    """The request's unit of work: committed once after a successful response.

    A refusal that keeps its record is committed too; any other error is rolled back.
    """
    s = g.get("_db_session")
    if s is not None:
        if response.status_code < 400 or g.pop("_db_keep_refused", False):
            s.commit()
        else:
            s.rollback()
    return response


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A job's or a command's unit of work: a session of its own, committed once.

    It commits when the block ends normally and rolls back when it raises.
    """
    with session_scope() as s:
        yield s
        s.commit()


@contextmanager
def session_scope(*, write: bool = True) -> Iterator[Session]:
    """Open a session of its own (a job, a CLI command) that becomes `session()` inside."""
    s = Session(engine(), expire_on_commit=False)
    token = _job_session.set(s)
    intent = _write_intent.set(write)
    try:
        yield s
    finally:
        _write_intent.reset(intent)
        _job_session.reset(token)
        s.close()


def _close_request_session(_exc: BaseException | None) -> None:
    s = g.pop("_db_session", None)
    if s is not None:
        s.close()


def init_app(app: Flask) -> None:
    """Create the engine from DATABASE_URL; a request's unit of work and its session's end.

    The unit of work commits once after the handler; the session closes on teardown.
    """
    app.extensions[_EXT] = make_engine(app.config["DATABASE_URL"])
    app.after_request(_finish_request)
    app.teardown_appcontext(_close_request_session)
