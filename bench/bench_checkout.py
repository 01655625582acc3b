"""Checkout benchmark: POST /api/v1/orders next to its raw-SQL ceiling; the oversell race.

For each database: a fresh database, migrated and seeded with the demo community; a goods
bundle with plenty of stock and windows with plenty of room; gunicorn with 2 sync workers.

* checkout: `--requests` orders placed by `--concurrency` clients through HTTP (bearer token,
  a new Idempotency-Key each), requests per second and latency;
* raw-SQL ceiling: the statements the request runs, one for one (the token with its user and
  roles; the idempotency check; the address; the bundle with its policy and category, the
  open segments, its components, their items with their suppliers; the order, line and
  component rows; the conditional stock update and its movement; the window; the event), as
  hand-written SQL through the bare driver, with the same number of clients, in the same run.
  Goal on PostgreSQL: checkout at >= 60 % of it;
* bare HTTP: the same POST to a Flask app that only parses the body and answers 201
  (gunicorn, same workers and clients): what the HTTP stack alone allows. On SQLite, whose
  raw transaction is far faster than any HTTP request, this is the ceiling (goal >= 60 %);
* bare HTTP + raw SQL: that bare app running the raw transaction per request: HTTP and the
  database with no framework, ORM or validation between them, on the same CPUs. Printed
  beside the goal: on a machine where clients, server and database share two cores, the
  request can be no faster than this;
* oversell race: `--rounds` rounds of 32 concurrent buyers through HTTP for the last 10
  units. Goal: 0 oversold, and all 10 sold, every round.

    .venv/bin/python bench/bench_checkout.py [--requests 400] [--concurrency 4] [--rounds 20]
        [--workers 2]
        [--postgres postgresql://postgres@127.0.0.1:5432/test | --no-postgres] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_http import free_port, serve  # noqa: E402

BIN = Path(sys.executable).parent
SHARE_GOAL = 0.60
RACE_BUYERS, RACE_UNITS = 32, 10


class Database:
    """A fresh database of the run and a DB-API connection factory for it."""

    def __init__(self, kind: str, pg_url: str | None, work: Path) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.path = work / "checkout.db"
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            self.name = f"bench_checkout_{uuid.uuid4().hex[:8]}"
            self.admin = pg_url
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = pg_url.rsplit("/", 1)[0] + f"/{self.name}"

    @classmethod
    def attach(cls, kind: str, url: str) -> Database:
        """The run's database, already made, from another process (the bare app)."""
        db = cls.__new__(cls)
        db.kind, db.url = kind, url
        if kind == "sqlite":
            db.path = Path(url.removeprefix("sqlite:///"))
        return db

    def connect(self) -> Any:
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            return conn
        import psycopg

        return psycopg.connect(self.url)

    def ph(self, sql: str) -> str:
        """Our SQL uses ? placeholders; psycopg wants %s."""
        return sql if self.kind == "sqlite" else sql.replace("?", "%s")

    def drop(self) -> None:
        if self.kind == "postgresql":
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def query(db: Database, conn: Any, sql: str, params: tuple = ()) -> list[tuple]:
    cur = conn.cursor()
    cur.execute(db.ph(sql), params)
    rows = cur.fetchall() if cur.description else []
    cur.close()
    return rows


def prepare(db: Database) -> dict[str, Any]:
    """A goods-only bundle on sale to the demo resident, plenty of stock and window room."""
    conn = db.connect()
    if db.kind == "postgresql":
        conn.autocommit = True
    bundle_id = None
    for (candidate,) in query(
        db, conn, "SELECT id FROM catalogue_bundle WHERE status = 'published' ORDER BY id"
    ):
        kinds = query(
            db,
            conn,
            "SELECT i.kind FROM catalogue_component c JOIN suppliers_item i ON i.id = c.item_id"
            " WHERE c.bundle_id = ?",
            (candidate,),
        )
        if kinds and all(k == "goods" for (k,) in kinds):
            bundle_id = candidate
            break
    items = query(
        db,
        conn,
        "SELECT item_id, quantity FROM catalogue_component WHERE bundle_id = ? ORDER BY item_id",
        (bundle_id,),
    )
    query(db, conn, "UPDATE suppliers_item SET stock = 100000000")
    query(db, conn, "UPDATE orders_window SET capacity = 100000000")
    conn.close()
    return {"bundle_id": bundle_id, "items": items}


def http_checkout(
    base: str, bearer: dict[str, str], body: dict[str, Any], path: str = "/api/v1/orders"
) -> Callable[[], int]:
    local = threading.local()

    def one() -> int:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        response = session.post(
            f"{base}{path}",
            json=body,
            headers={**bearer, "Idempotency-Key": uuid.uuid4().hex},
            timeout=30,
        )
        return response.status_code

    return one


def raw_checkout(db: Database, token: str, body: dict[str, Any], ctx: dict[str, Any]) -> Callable:
    """The request's transaction as hand-written SQL on a connection per client thread."""
    local = threading.local()
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    window_id = body["delivery"]["window_id"]
    begin = "BEGIN IMMEDIATE" if db.kind == "sqlite" else "BEGIN"

    def one() -> int:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = db.connect()
            if db.kind == "postgresql":
                conn.autocommit = True  # we send BEGIN and COMMIT ourselves
        cur = conn.cursor()

        def q(sql: str, *params: Any) -> list[tuple]:
            cur.execute(db.ph(sql), params)
            return cur.fetchall() if cur.description else []

        now = datetime.now(UTC)
        key = uuid.uuid4().hex
        q(begin)
        [(user_id, *_rest), *_roles] = q(
            "SELECT t.user_id, t.expires_at, t.revoked_at, u.email, u.is_active,"
            " u.session_version, r.role FROM core_api_token t JOIN core_user u ON u.id = t.user_id"
            " LEFT JOIN core_user_role r ON r.user_id = u.id WHERE t.token_hash = ?",
            token_hash,
        )
        q(
            "SELECT id, request_hash FROM orders_order WHERE resident_id = ?"
            " AND idempotency_key = ?",
            user_id,
            key,
        )
        [(community_id, _community, building_id, _building, room, *_profile)] = q(
            "SELECT c.id, c.name, b.id, b.name, p.room, p.phone, p.segment, p.verified_at"
            " FROM core_resident_profile p JOIN core_building b ON b.id = p.building_id"
            " JOIN core_community c ON c.id = b.community_id WHERE p.user_id = ?",
            user_id,
        )
        [(price, nodes, *_bundle)] = q(
            "SELECT b.price_minor, p.nodes, b.id, b.title, b.status, b.segments,"
            " b.care_price_minor, b.currency, c.checklist FROM catalogue_bundle b"
            " LEFT JOIN catalogue_policy p ON p.id = b.policy_id"
            " LEFT JOIN catalogue_category c ON c.id = b.category_id WHERE b.id = ?",
            ctx["bundle_id"],
        )
        q("SELECT segment FROM catalogue_segment_setting WHERE is_open")
        comps = q(
            "SELECT item_id, quantity, settlement_price_minor, list_price_minor"
            " FROM catalogue_component WHERE bundle_id = ? ORDER BY position",
            ctx["bundle_id"],
        )
        marks = ", ".join("?" for _ in comps)
        sql = (  # only placeholders are formatted in: one per component
            "SELECT i.id, i.supplier_id, i.name, i.kind, i.sku, i.category, i.unit,"  # noqa: S608
            " i.supply_price_minor, i.stock, i.staff_role, i.duration_minutes, i.slot_times,"
            " i.slot_capacity, i.is_active, i.images, i.service_community_ids, s.name, s.status"
            " FROM suppliers_item i JOIN suppliers_supplier s ON s.id = i.supplier_id"
            " WHERE i.id IN (" + marks + ")"
        )
        items = {row[0]: row for row in q(sql, *[c[0] for c in comps])}
        [(order_id,)] = q(
            "INSERT INTO orders_order (resident_id, community_id, building_id, address, status,"
            " currency, total_minor, delivery_mode, window_id, referral_code, note,"
            " confirmation_code, idempotency_key, request_hash, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, 'pending_payment', 'CNY', ?, 'doorstep', ?, '', '', ?, ?, ?,"
            " ?, ?) ON CONFLICT (resident_id, idempotency_key) DO NOTHING RETURNING id",
            user_id,
            community_id,
            building_id,
            f"community building {room}",
            price,
            window_id,
            f"{secrets.randbelow(10**6):06d}",
            key,
            hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest(),
            now,
            now + timedelta(minutes=15),
        )
        [(line_id,)] = q(
            "INSERT INTO orders_line (order_id, bundle_id, title, quantity, unit_price_minor,"
            " line_total_minor, policy_nodes) VALUES (?, ?, 'bundle', 1, ?, ?, ?) RETURNING id",
            order_id,
            ctx["bundle_id"],
            price,
            price,
            nodes if isinstance(nodes, str) else json.dumps(nodes),
        )
        values = ", ".join("(?, ?, ?, ?, ?, ?, ?, ?, 'butler')" for _ in comps)
        params: list[Any] = []
        for item_id, quantity, settlement, _list_price in comps:
            _id, supplier_id, name, kind, *_item = items[item_id]
            params += [order_id, line_id, item_id, supplier_id, name, kind, quantity, settlement]
        q(
            "INSERT INTO orders_component (order_id, line_id, item_id, supplier_id, name, kind,"  # noqa: S608
            " quantity, settlement_price_minor, staff_role) VALUES " + values,
            *params,
        )
        for item_id, quantity, _settlement, _list_price in sorted(comps):
            [(after,)] = q(
                "UPDATE suppliers_item SET stock = stock - ? WHERE id = ? AND stock >= ?"
                " RETURNING stock",
                quantity,
                item_id,
                quantity,
            )
            q(
                "INSERT INTO suppliers_stock_movement (item_id, delta, stock_after, reason, at)"
                " VALUES (?, ?, ?, ?, ?)",
                item_id,
                -quantity,
                after,
                f"order {order_id}",
                now,
            )
        q(
            "UPDATE orders_window SET taken = taken + 1 WHERE id = ? AND community_id = ?"
            " AND starts_at > ? AND taken + 1 <= capacity",
            window_id,
            community_id,
            now,
        )
        q(
            "INSERT INTO orders_event (order_id, at, actor_id, actor_role, action, from_status,"
            " to_status, data) VALUES (?, ?, ?, 'resident', 'place', '', 'pending_payment', '{}')",
            order_id,
            now,
            user_id,
        )
        q("COMMIT")
        cur.close()
        return 201

    return one


def timed(work: Callable[[], int], n: int, concurrency: int) -> dict[str, float]:
    def one(_i: int) -> float:
        start = time.perf_counter()
        status = work()
        if status != 201:
            raise RuntimeError(f"checkout answered {status}")
        return (time.perf_counter() - start) * 1000

    with ThreadPoolExecutor(concurrency) as pool:  # warm up every connection and worker
        list(pool.map(one, range(concurrency * 5)))
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(one, range(n)))
    elapsed = time.perf_counter() - started
    return {
        "median": statistics.median(latencies),
        "p95": latencies[int(0.95 * n) - 1],
        "rps": n / elapsed,
    }


def race(db: Database, base: str, bearer: dict[str, str], body: dict, ctx: dict, rounds: int):
    """Rounds of 32 buyers for the last 10 units: (sold per round, oversold in all)."""
    item_id, per_bundle = ctx["items"][0]
    sold_rounds, oversold = [], 0
    conn = db.connect()
    if db.kind == "postgresql":
        conn.autocommit = True
    for _ in range(rounds):
        query(
            db,
            conn,
            "UPDATE suppliers_item SET stock = ? WHERE id = ?",
            (RACE_UNITS * per_bundle, item_id),
        )
        barrier = threading.Barrier(RACE_BUYERS)
        buy = http_checkout(base, bearer, body)

        def one(_i: int, barrier: Any = barrier, buy: Callable[[], int] = buy) -> int:
            barrier.wait()
            return buy()

        with ThreadPoolExecutor(RACE_BUYERS) as pool:
            statuses = list(pool.map(one, range(RACE_BUYERS)))
        sold = statuses.count(201)
        [(left,)] = query(db, conn, "SELECT stock FROM suppliers_item WHERE id = ?", (item_id,))
        if any(s not in (201, 409) for s in statuses):
            raise RuntimeError(f"unexpected answers in the race: {sorted(set(statuses))}")
        oversold += max(0, sold - RACE_UNITS) + (1 if left < 0 else 0)
        sold_rounds.append(sold)
    query(db, conn, "UPDATE suppliers_item SET stock = 100000000")
    conn.close()
    return sold_rounds, oversold


def run(kind: str, pg_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="shop-bench-checkout-"))
    db = Database(kind, pg_url, work)
    env = {
        **os.environ,
        "SHOP_DATABASE_URL": db.url,
        "SHOP_SECRET_KEY": "bench",
        "SHOP_SEARCH_DIR": str(work / "search"),
        "SHOP_SUPPLIER_PROBATION_MAX_OPEN_ORDERS": "1000000000",
    }
    env.pop("SHOP_REDIS_URL", None)
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    try:
        subprocess.run(
            [*flask, "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run([*flask, "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        ctx = prepare(db)
        port, bare_port = free_port(), free_port()
        server = serve("wsgi:create_app()", port, env, args.workers, args.threads)
        bare = None
        try:
            base = f"http://127.0.0.1:{port}"
            token = requests.post(
                f"{base}/api/v1/auth/token",
                json={"login": "resident1@demo.local", "password": "demo1234"},
                timeout=10,
            ).json()["token"]
            bearer = {"Authorization": f"Bearer {token}"}
            windows = requests.get(
                f"{base}/api/v1/delivery-windows",
                params={"bundle_id": ctx["bundle_id"]},
                headers=bearer,
                timeout=10,
            ).json()["items"]
            body = {
                "lines": [{"bundle_id": ctx["bundle_id"], "quantity": 1}],
                "delivery": {"mode": "doorstep", "window_id": windows[0]["id"]},
            }
            raw_spec = {"kind": kind, "url": db.url, "token": token, "ctx": ctx}
            bare_env = {**env, "SHOP_BENCH_RAW": json.dumps(raw_spec)}
            bare = serve("bench.bare_app:app", bare_port, bare_env, args.workers, args.threads)
            bare_base = f"http://127.0.0.1:{bare_port}"
            app_figures = timed(http_checkout(base, bearer, body), args.requests, args.concurrency)
            bare_figures = timed(
                http_checkout(bare_base, bearer, body), args.requests, args.concurrency
            )
            stack_figures = timed(
                http_checkout(bare_base, bearer, body, path="/api/v1/orders-raw"),
                args.requests,
                args.concurrency,
            )
            raw_figures = timed(raw_checkout(db, token, body, ctx), args.requests, args.concurrency)
            sold, oversold = race(db, base, bearer, body, ctx, args.rounds)
        finally:
            for proc in (server, bare):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=10)
    finally:
        db.drop()
    return {
        "app": app_figures,
        "raw": raw_figures,
        "bare": bare_figures,
        "stack": stack_figures,
        "sold": sold,
        "oversold": oversold,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (gthread workers when > 1)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2 cores)")
    args = parser.parse_args()
    kinds = ([] if args.no_sqlite else [("sqlite", None)]) + (
        [] if args.no_postgres else [("postgresql", args.postgres)]
    )
    results = {kind: run(kind, url, args) for kind, url in kinds}
    print(
        f"\ncheckout: {args.requests} orders, {args.concurrency} concurrent clients,"
        f" gunicorn {args.workers} sync workers. raw: the request's transaction through the bare"
        " driver; bare: a Flask app that only parses the body; bare+raw: that app running the"
        " raw transaction (HTTP and SQL with nothing between them)"
    )
    print(
        f"{'database':<12}{'app req/s':>10}{'median ms':>10}{'raw tx/s':>10}{'raw ms':>8}"
        f"{'bare req/s':>11}{'bare+raw':>9}{'of raw':>8}{'of bare':>8}{'of b+r':>8}  goal"
    )
    for kind, r in results.items():
        # The ceiling: on PostgreSQL the transaction through the bare driver, on SQLite
        # (whose raw transaction is far faster than any HTTP request) the bare Flask app.
        ceiling = "raw" if kind == "postgresql" else "bare"
        share = r["app"]["rps"] / r[ceiling]["rps"]
        verdict = "ok" if share >= SHARE_GOAL else "MISS"
        print(
            f"{kind:<12}{r['app']['rps']:>10.0f}{r['app']['median']:>10.1f}"
            f"{r['raw']['rps']:>10.0f}{r['raw']['median']:>8.1f}{r['bare']['rps']:>11.0f}"
            f"{r['stack']['rps']:>9.0f}{r['app']['rps'] / r['raw']['rps']:>8.0%}"
            f"{r['app']['rps'] / r['bare']['rps']:>8.0%}{r['app']['rps'] / r['stack']['rps']:>8.0%}"
            f"  >= {SHARE_GOAL:.0%} of {ceiling} {verdict}"
        )
    print(f"\noversell race: {RACE_BUYERS} buyers for the last {RACE_UNITS} units")
    for kind, r in results.items():
        all_sold = all(s == RACE_UNITS for s in r["sold"])
        verdict = "ok" if r["oversold"] == 0 and all_sold else "MISS"
        print(
            f"{kind:<12}{len(r['sold'])} rounds, sold per round {min(r['sold'])}-{max(r['sold'])},"
            f" oversold {r['oversold']}  goal: 0 oversold, {RACE_UNITS} sold {verdict}"
        )


if __name__ == "__main__":
    main()
