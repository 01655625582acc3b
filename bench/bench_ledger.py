"""Staff ledger benchmark on PostgreSQL: monthly statements, and delivery to credit.

* statements: a fresh database, migrated; 10,000 staff users and 500,000 balanced postings
  (1,000,000 lines) spread over three months, written with generate_series; then
  `fulfilment.services.statements.statements_for_month` (every staff member's earnings and closing
  balance for the middle month) is timed, median of 3. Goal: <= 10 s.
* delivery to credit: the demo community on the same database, real Redis and one worker
  process (`flask worker default`); each round places and pays an order (a hand-signed
  webhook), the butler accepts and delivers with the resident's code, and the time from that
  commit until the credit is in the ledger is measured. Goal: <= 5 s (median and worst shown).

    .venv/bin/python bench/bench_ledger.py [--postgres URL] [--redis URL] [--staff 10000]
        [--lines 1000000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg
import redis
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wsgi  # noqa: E402

STATEMENT_GOAL_S, CREDIT_GOAL_S = 10.0, 5.0


def create_database(admin_url: str) -> tuple[str, str]:
    name = f"bench_ledger_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill_ledger(url: str, staff: int, lines: int) -> float:
    """Staff users and balanced postings (credit, release, reverse) over Oct–Dec 2026."""
    postings = lines // 2
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO core_user (email, display_name, password_hash, is_active,"
            " session_version, created_at)"
            " SELECT 'staff' || g || '@bench.local', '员工' || g, 'x', true, 1, now()"
            " FROM generate_series(1, %s) g",
            (staff,),
        )
        first = conn.execute("SELECT min(id) FROM core_user").fetchone()[0]
        conn.execute(
            "INSERT INTO fulfilment_posting (idempotency_key, kind, staff_id, memo, created_at)"
            " SELECT 'bench:' || g,"
            "  (ARRAY['credit', 'credit', 'release', 'reverse'])[1 + g %% 4],"
            "  %s + g %% %s, '',"
            "  timestamptz '2026-10-01 00:00+08' + (g::float / %s) * interval '91 days'"
            " FROM generate_series(1, %s) g",
            (first, staff, postings, postings),
        )
        # Two lines per posting, each pair summing to zero (credit: expense / pending; release:
        # pending / available; reverse: pending / expense).
        conn.execute(
            "INSERT INTO fulfilment_ledger_entry (posting_id, account, staff_id, amount_minor,"
            " created_at)"
            " SELECT p.id, x.account, CASE WHEN x.account = 'commission_expense' THEN NULL"
            "   ELSE p.staff_id END, x.amount, p.created_at"
            " FROM fulfilment_posting p CROSS JOIN LATERAL (VALUES"
            "  (CASE p.kind WHEN 'credit' THEN 'commission_expense' ELSE 'staff_pending' END,"
            "   200),"
            "  (CASE p.kind WHEN 'credit' THEN 'staff_pending' WHEN 'release'"
            "   THEN 'staff_available' ELSE 'commission_expense' END, -200)"
            " ) AS x(account, amount)"
        )
        conn.execute("ANALYZE fulfilment_posting")
        conn.execute("ANALYZE fulfilment_ledger_entry")
        count = conn.execute("SELECT count(*) FROM fulfilment_ledger_entry").fetchone()[0]
        total = conn.execute("SELECT sum(amount_minor) FROM fulfilment_ledger_entry").fetchone()[0]
        assert count == postings * 2 and total == 0, (count, total)
    return time.perf_counter() - started


def time_statements(app, month: date) -> tuple[float, int]:
    from fulfilment.services import statements
    from shop.core import db

    timings, rows = [], 0
    for _ in range(3):
        with app.app_context(), db.session_scope(write=False):
            started = time.perf_counter()
            rows = len(statements.statements_for_month(month))
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), rows


def sign(payload: bytes, secret: str) -> str:
    t = int(time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def delivery_to_credit(app, rounds: int) -> list[float]:
    """Rounds of: place, pay (signed webhook), accept, deliver; then wait for the credit."""
    from sqlmodel import select

    import orders.api
    from fulfilment.models import Credit, Task
    from fulfilment.services import tasks
    from orders.models import Order, Payment
    from orders.services import payments
    from shop.core import accounts, db

    with app.app_context(), db.session_scope() as s:
        resident = accounts.find_user_by_email("resident1@demo.local")
        kind, choices = orders.api.delivery_choices([1], resident_id=resident.id)
        s.execute(text("UPDATE suppliers_item SET stock = 1000000"))
        s.execute(text("UPDATE orders_window SET capacity = 1000000"))
        s.commit()
    bundle_id = 1
    waits = []
    for n in range(rounds):
        with app.app_context(), db.session_scope() as s:
            order_id = orders.api.place_order(
                resident_id=resident.id,
                lines=[{"bundle_id": bundle_id, "quantity": 1}],
                delivery={"mode": kind, "window_id": choices[0].id},
                idempotency_key=f"bench-{uuid.uuid4().hex}",
            )
            order = s.get(Order, order_id)
            intent = f"pi_bench_{uuid.uuid4().hex[:10]}"
            s.add(
                Payment(
                    order_id=order_id,
                    attempt=1,
                    intent_id=intent,
                    client_secret=f"{intent}_secret",
                    amount_minor=order.total_minor,
                    currency=order.currency,
                )
            )
            s.commit()
            event = {
                "id": f"evt_{uuid.uuid4().hex[:12]}",
                "type": "payment_intent.succeeded",
                "data": {
                    "object": {
                        "id": intent,
                        "amount": order.total_minor,
                        "amount_received": order.total_minor,
                        "currency": order.currency.lower(),
                    }
                },
            }
            payload = json.dumps(event).encode()
            payments.handle_webhook(payload, sign(payload, app.config["STRIPE_WEBHOOK_SECRET"]))
            s.commit()
            task = s.exec(select(Task).where(Task.order_id == order_id)).one()
            code = s.get(Order, order_id).confirmation_code
            tasks.act(task_id=task.id, staff_id=task.assignee_id, action="accept")
            s.commit()
            tasks.act(
                task_id=task.id,
                staff_id=task.assignee_id,
                action="deliver",
                confirmation_code=code,
                early_agreed=True,  # before the window: the resident agrees at the door
            )
            s.commit()  # the credit job goes to Redis now
            started = time.perf_counter()
            task_id = task.id
        while True:
            with app.app_context(), db.session_scope(write=False) as s:
                if s.exec(select(Credit.id).where(Credit.task_id == task_id)).first():
                    break
            if time.perf_counter() - started > 60:
                raise RuntimeError(f"round {n}: no credit after 60 s")
            time.sleep(0.02)
        waits.append(time.perf_counter() - started)
    return waits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    name, url = create_database(args.postgres)
    env = {
        **os.environ,
        "SHOP_DATABASE_URL": url,
        "SHOP_SECRET_KEY": "bench",
        "SHOP_REDIS_URL": args.redis,
        "SHOP_SEARCH_DIR": tempfile.mkdtemp(prefix=f"{name}-search-"),
    }
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi"]
    worker = None
    try:
        subprocess.run(
            [*flask, "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        fill_s = fill_ledger(url, args.staff, args.lines)
        settings = {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "REDIS_URL": args.redis,
            "SEARCH_DIR": env["SHOP_SEARCH_DIR"],
        }
        app = wsgi.create_app(settings)
        statement_s, rows = time_statements(app, date(2026, 11, 1))
        # Delivery to credit: the demo on the same database, one worker on real Redis.
        redis.Redis.from_url(args.redis).flushdb()
        subprocess.run([*flask, "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        worker = subprocess.Popen(
            [*flask, "worker", "default"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(2)
        waits = delivery_to_credit(app, args.rounds)
        app.extensions["shop.db"].dispose()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)
        drop_database(args.postgres, name)
    lines = args.lines
    ok = "ok" if statement_s <= STATEMENT_GOAL_S else "MISS"
    print(
        f"\nledger on PostgreSQL: {args.staff:,} staff, {lines:,} lines (filled in {fill_s:.1f} s)"
    )
    print(
        f"monthly statements for every staff member: {statement_s:.2f} s for {rows:,} staff"
        f" (median of 3)  goal <= {STATEMENT_GOAL_S:.0f} s {ok}"
    )
    median, worst = statistics.median(waits), max(waits)
    ok = "ok" if median <= CREDIT_GOAL_S and worst <= CREDIT_GOAL_S else "MISS"
    print(
        f"verified delivery to credit, one worker: median {median:.2f} s, worst {worst:.2f} s"
        f" over {len(waits)} deliveries  goal <= {CREDIT_GOAL_S:.0f} s {ok}"
    )


if __name__ == "__main__":
    main()
