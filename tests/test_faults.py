"""Faults under load: PostgreSQL crashes, Redis loses its queues, workers die mid-job.

The same day of the demo compound runs twice on a PostgreSQL cluster of the test's own, with
real Redis and real RQ worker processes: residents order, pay by webhook, staff deliver, the
workers credit commissions and deliver notifications. The second time a seeded chaos thread
SIGKILLs workers at random moments all along, Redis is flushed mid-load, and PostgreSQL is
crashed and restarted while checkouts are in flight (and once more while staff deliver).
Requests that fail are sent again as a client would, with the same idempotency key and the
same webhook event. Then the workers stop and the periodic sweeps run until they find
nothing: orders, payments, tasks, credits, ledger postings, stock movements and notifications
must come out the same as in the run without faults, and the ledger must balance.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from tests.conftest import PG_URL, REDIS_URL
from tests.private_postgres import PrivatePostgres, binaries

pytestmark = pytest.mark.skipif(
    not (PG_URL and REDIS_URL and binaries()),
    reason="the PostgreSQL run with a real Redis (CI sets both) and PostgreSQL's programs",
)

ROOT = Path(__file__).resolve().parents[1]
ORDERS = 24
#: The residents of grid A, where a butler is on duty: every task is assigned at once.
RESIDENTS = [f"resident{n}@demo.local" for n in range(1, 5)]
PASSWORD = "demo1234"  # the demo's published password


class World:
    """One run: a database on the private cluster, the app, RQ worker processes, a client."""

    def __init__(self, pg: PrivatePostgres, name: str, folder: Path, seed: int | None) -> None:
        import wsgi
        from shop.console import demo
        from shop.core import db, jobs, migrate
        from tests.fixtures_orders import FakeGateway

        with psycopg.connect(pg.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.pg, self.folder = pg, folder
        self.url = pg.url.rsplit("/", 1)[0] + f"/{name}"
        self.settings = {
            "DATABASE_URL": self.url,
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "faults",
            "SEARCH_DIR": str(folder / "search"),
            "UPLOAD_DIR": str(folder / "uploads"),
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "JOB_RETRY_INTERVALS": [1, 2, 4],
        }
        self.app = wsgi.create_app({**self.settings, "TESTING": True, "RATELIMIT_ENABLED": False})
        self.redis = jobs.redis_connection(self.app)
        self.redis.flushdb()
        migrate.upgrade(self.app)
        with self.app.app_context(), db.unit_of_work():
            demo.seed()
        self.app.extensions["orders.services.gateway"] = FakeGateway()
        self.client = self.app.test_client()
        self.rng = random.Random(seed)
        self.chaos = seed is not None
        self.faults: Counter[str] = Counter()
        self.workers: list[subprocess.Popen[bytes]] = []
        self.lock = threading.Lock()
        for _ in range(2):
            self.start_worker()
        self.tokens = {who: self.token(who) for who in RESIDENTS}

    # -- the workers --------------------------------------------------------------------

    def start_worker(self) -> None:
        env = {**os.environ, **{f"SHOP_{k}": str(v) for k, v in self.settings.items()}}
        env["SHOP_JOB_RETRY_INTERVALS"] = "[1, 2, 4]"
        log = (self.folder / f"worker-{len(self.workers)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "default", "search"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        with self.lock:
            self.workers.append(proc)

    def kill_a_worker(self) -> None:
        """SIGKILL one live worker's process group (mid-job, or not), and start another."""
        with self.lock:
            alive = [w for w in self.workers if w.poll() is None]
        if alive:
            victim = self.rng.choice(alive)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
            self.faults["workers killed"] += 1
        self.start_worker()

    def stop_workers(self) -> None:
        """Warm shutdown: each worker finishes its job and exits."""
        for w in self.workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
        for w in self.workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
                w.wait(timeout=10)

    # -- a client that sends again what failed ------------------------------------------

    def call(self, method: str, path: str, who: str | None, **kwargs: Any) -> Any:
        """The request, sent again (same body, same key) while the server fails to answer."""
        headers = dict(kwargs.pop("headers", {}))
        if who is not None:
            headers.update(self.tokens[who])
        for _ in range(200):
            try:
                answer = self.client.open(path, method=method, headers=headers, **kwargs)
            except DBAPIError:  # the database went away mid-request; TESTING lets it through
                answer = None
            if answer is not None and answer.status_code < 500:
                return answer
            self.faults["requests sent again"] += 1
            time.sleep(0.1)
        raise AssertionError(f"{method} {path} never answered")

    def token(self, who: str) -> dict[str, str]:
        got = self.call(
            "POST", "/api/v1/auth/token", None, json={"login": who, "password": PASSWORD}
        )
        assert got.status_code == 201, got.get_json()
        return {"Authorization": f"Bearer {got.get_json()['token']}"}

    def read(self, fn: Any) -> Any:
        """A read in a session of its own, tried again while the database restarts."""
        from shop.core import db

        for _ in range(200):
            try:
                with self.app.app_context(), db.session_scope(write=False) as s:
                    return fn(s)
            except DBAPIError:
                time.sleep(0.1)
        raise AssertionError("the database never came back")

    # -- the day ------------------------------------------------------------------------

    def goods_bundles(self) -> list[int]:
        from suppliers.catalogue.models import Bundle, BundleComponent
        from suppliers.models import Item

        def find(s: Any) -> list[int]:
            goods = {i.id for i in s.exec(select(Item).where(Item.kind == "goods"))}
            out = []
            for b in s.exec(select(Bundle).where(Bundle.status == "published").order_by(Bundle.id)):
                items = s.exec(
                    select(BundleComponent.item_id).where(BundleComponent.bundle_id == b.id)
                )
                if set(items) <= goods:
                    out.append(b.id)
            return out

        return self.read(find)

    def order_and_pay(self, n: int, bundle: int) -> int:
        from tests.fixtures_orders import intent_event, sign

        who = RESIDENTS[n % len(RESIDENTS)]
        windows = self.call("GET", f"/api/v1/delivery-windows?bundle_id={bundle}", who)
        open_ids = [w["id"] for w in windows.get_json()["items"]]
        body = {
            "lines": [{"bundle_id": bundle, "quantity": 1 + n % 2}],
            "delivery": {"mode": "doorstep", "window_id": open_ids[n % len(open_ids)]},
        }
        key = f"fault-order-{n}"
        placed = self.call(
            "POST", "/api/v1/orders", who, json=body, headers={"Idempotency-Key": key}
        )
        assert placed.status_code == 201, placed.get_json()
        order_id = placed.get_json()["id"]
        started = self.call("POST", f"/api/v1/orders/{order_id}/payments", who, json={})
        assert started.status_code == 201, started.get_json()
        payment = started.get_json()
        event = intent_event(
            "succeeded",
            payment["payment_intent_id"],
            payment["amount"]["amount_minor"],
            event_id=f"evt_fault_{n}",
        )
        payload = json.dumps(event).encode()
        signature = sign(payload, self.app.config["STRIPE_WEBHOOK_SECRET"])
        hook = self.call(
            "POST",
            "/api/v1/payments/stripe/webhook",
            None,
            data=payload,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
        assert hook.status_code == 200, hook.get_data(as_text=True)
        return order_id

    def deliver(self, order_id: int) -> None:
        """The assigned staff member accepts and delivers (each step once, however retried)."""
        from fulfilment.models import Task
        from orders.models import Order
        from shop.core.models import User

        def state(s: Any) -> tuple[Any, ...]:
            task = s.exec(select(Task).where(Task.order_id == order_id)).one()
            code = s.get(Order, order_id).confirmation_code
            return task.id, task.status, s.get(User, task.assignee_id).email, code

        for _ in range(10):
            task_id, status, who, code = self.read(state)
            if who not in self.tokens:
                self.tokens[who] = self.token(who)
            if status == "done":
                return
            if status == "assigned":
                step = self.call(
                    "POST", f"/api/v1/tasks/{task_id}/events", who, json={"event": "accepted"}
                )
            else:
                body = {"event": "delivered", "confirmation_code": code, "early_agreed": True}
                step = self.call("POST", f"/api/v1/tasks/{task_id}/events", who, json=body)
            assert step.status_code in (200, 409), step.get_json()
        raise AssertionError(f"order {order_id} was never delivered")

    def run(self) -> None:
        """The day, with the faults when this world has a seed."""
        stop = threading.Event()
        chaos = threading.Thread(target=self._kill_workers_until, args=(stop,), daemon=True)
        if self.chaos:
            chaos.start()
        flush_at, crash_at = self.rng.randrange(3, 10), self.rng.randrange(10, 18)
        bundles = self.goods_bundles()
        placed = []
        try:
            for n in range(ORDERS):
                if self.chaos and n == flush_at:
                    self.redis.flushdb()  # every queued, scheduled and started job is gone
                    self.faults["Redis flushed"] += 1
                if self.chaos and n == crash_at:
                    self._crash_soon()  # while the next checkouts are under way
                placed.append(self.order_and_pay(n, bundles[n % len(bundles)]))
            for n, order_id in enumerate(placed):
                if self.chaos and n == ORDERS // 2:
                    self._crash_soon()  # while staff deliver and workers credit
                self.deliver(order_id)
        finally:
            stop.set()
            if chaos.is_alive():
                chaos.join(timeout=30)
        self.stop_workers()

    def _kill_workers_until(self, stop: threading.Event) -> None:
        while not stop.wait(self.rng.uniform(0.1, 0.6)):
            self.kill_a_worker()

    def _crash_soon(self) -> None:
        def crash() -> None:
            time.sleep(0.05)
            self.pg.restart()
            self.faults["PostgreSQL crashed and restarted"] += 1

        threading.Thread(target=crash, daemon=True).start()

    # -- recovery and the final state ---------------------------------------------------

    def recover(self, monkeypatch: pytest.MonkeyPatch) -> int:
        """The periodic sweeps, ten minutes on, and a worker, until nothing is left to do."""
        from fulfilment import jobs as fulfilment_jobs
        from orders import jobs as order_jobs
        from shop.core import db, jobs, notifications

        later = db.utcnow() + timedelta(minutes=10)
        monkeypatch.setattr(db, "utcnow", lambda: later)
        sweeps = (
            fulfilment_jobs.sweep_uncredited,
            notifications.sweep_undelivered,
            order_jobs.sweep_unpaid,
            order_jobs.watch_commitments,
        )
        sent = 0
        for _ in range(5):
            jobs.run_worker(self.app, ["default", "search"], burst=True)
            with self.app.app_context():
                found = sum(sweep() for sweep in sweeps)
            sent += found
            if not found:
                break
        else:
            raise AssertionError("the sweeps kept finding work")
        jobs.run_worker(self.app, ["default", "search"], burst=True)
        monkeypatch.undo()
        return sent

    def final_state(self) -> dict[str, Any]:
        from fulfilment.models import Credit, LedgerEntry, Posting, Task
        from orders.models import Order, Payment
        from shop.core.models import Notification
        from suppliers.models import StockMovement

        def count(s: Any, model: Any, *where: Any) -> int:
            return s.exec(select(func.count()).select_from(model).where(*where)).one()

        def state(s: Any) -> dict[str, Any]:
            kinds = s.exec(select(Notification.kind, func.count()).group_by(Notification.kind))
            return {
                "orders": dict(
                    s.exec(select(Order.status, func.count()).group_by(Order.status)).all()
                ),
                "paid by": count(s, Payment, Payment.status == "succeeded"),
                "tasks": dict(
                    s.exec(select(Task.status, func.count()).group_by(Task.status)).all()
                ),
                "tasks credited": count(s, Task, Task.credited_at.is_not(None)),
                "credits": count(s, Credit),
                "credited (fen)": s.exec(select(func.sum(Credit.amount_minor))).one(),
                "postings": count(s, Posting),
                "ledger total (fen)": s.exec(select(func.sum(LedgerEntry.amount_minor))).one(),
                "stock movements": count(s, StockMovement),
                "notifications": dict(kinds.all()),
                "undelivered": count(s, Notification, Notification.delivered_at.is_(None)),
            }

        return self.read(state)

    def close(self) -> None:
        self.stop_workers()
        self.app.extensions["shop.db"].dispose()
        self.redis.flushdb()


@pytest.fixture
def private_pg():
    pg = PrivatePostgres()
    yield pg
    pg.remove()


def test_after_crashes_flushes_and_killed_workers_the_sweeps_reach_the_same_state(
    private_pg, tmp_path, monkeypatch, capsys
):
    results, faults = {}, Counter()
    for name, seed in (("calm", None), ("faulty", 20261207)):
        folder = tmp_path / name
        folder.mkdir()
        world = World(private_pg, f"shop_{name}_{uuid.uuid4().hex[:6]}", folder, seed)
        try:
            world.run()
            sent = world.recover(monkeypatch)
            results[name] = world.final_state()
            faults = world.faults
            faults[f"jobs the sweeps sent again ({name})"] = sent
        finally:
            world.close()
    with capsys.disabled():
        print(f"\nfaults: {dict(faults)}\nfinal state: {results['faulty']}")
    assert faults["workers killed"] >= 5
    assert faults["Redis flushed"] == 1
    assert faults["PostgreSQL crashed and restarted"] == 2
    assert faults["requests sent again"] >= 1
    calm = results["calm"]
    assert calm["orders"] == {"delivered": ORDERS}
    assert calm["tasks"] == {"done": ORDERS} and calm["tasks credited"] == ORDERS
    assert calm["undelivered"] == 0 and calm["ledger total (fen)"] == 0
    assert results["faulty"] == calm
