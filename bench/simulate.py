"""A seeded random-operation simulator over the real app, checking the invariants every step.

Residents of the demo community order goods (sometimes retrying with the same key), start
payments and cancel; Stripe's webhooks arrive late, twice and out of order; unpaid orders
lapse; the operator refunds all or part. After every step: no item below zero stock and every
item's stock equal to its start plus its movements; an order's stock taken once and, when it
is cancelled, given back once; no window over its capacity; no order keeping two payments;
no payment refunded beyond what it brought; the ledger's trial balance zero. What happens after
payment (staff, promises, after-sale, wallets, payroll) and the custom batches are in
bench/simulate_work.py. A failing seed prints itself, so `--seed N --steps M` replays it.

    .venv/bin/python bench/simulate.py [--steps 100000] [--seed 1] [--database-url URL]
        [--check-every 1]

The invariants read the whole database, so a step's checks grow with the walk: a long run may
check every N steps (and at the end); a failure then lies within the last N steps, and the
replay with `--check-every 1` finds the step.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.simulate_work import CountingGateway, WorkOps  # noqa: E402

RESIDENTS = [f"resident{n}@demo.local" for n in range(1, 6)]  # resident6: the care segment
PASSWORD = "demo1234"  # noqa: S105 - the demo's published password
STOCK = 4  # per goods item: few, so orders run out and the guard is exercised


#: Every operation of the walk and how often it comes, relative to the others.
OPERATIONS = {
    "place": 30,
    "retry": 5,
    "pay": 20,
    "webhook": 20,
    "cancel": 8,
    "lapse": 5,
    "refund": 8,
    "step": 30,
    "reassign": 3,
    "complete": 5,
    "complain": 3,
    "withdraw": 4,
    "decide": 4,
    "payout": 2,
    "late": 3,
    "open_batch": 2,
    "pledge": 8,
    "deadline": 3,
}


#: Where the simulated clock starts: a fixed moment, so a seed replays exactly on any day.
START = datetime(2030, 1, 7, 0, 0, tzinfo=UTC)


class Clock:
    """The simulated time (installed as `shop.core.db.utcnow`); each step moves it on."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        """Move the time on."""
        self.now += timedelta(seconds=seconds)


class Failed(AssertionError):
    """An invariant broke: the seed and step say how to get here again."""


class Simulator(WorkOps):
    """The app, its demo community, and a random walk of operations over its HTTP API."""

    def __init__(self, app: Any, seed: int, clock: Clock) -> None:
        """`clock` must already be `shop.core.db.utcnow` (the caller installs and removes it)."""
        self.app, self.seed, self.rng, self.clock = app, seed, random.Random(seed), clock
        self.client = app.test_client()
        self.gateway = CountingGateway()
        app.extensions["orders.services.gateway"] = self.gateway
        # The simulated months outlast a bearer token's 30 days: the walk's tokens last.
        app.config["API_TOKEN_TTL_DAYS"] = 36_500
        self.tokens = {e: self._token(e) for e in [*RESIDENTS, "operator@demo.local"]}
        self.webhooks: list[dict[str, Any]] = []  # sent by "Stripe", not yet delivered
        self.placed: dict[str, tuple[str, dict[str, Any], int]] = {}  # key -> resident, body, id
        self.done: Counter[str] = Counter()
        self.prepare_work()
        self.bundles, self.start_stock = self._prepare()

    def _token(self, email: str) -> dict[str, str]:
        got = self.client.post("/api/v1/auth/token", json={"login": email, "password": PASSWORD})
        return {"Authorization": f"Bearer {got.get_json()['token']}"}

    def _prepare(self) -> tuple[list[int], dict[int, int]]:
        from sqlmodel import select

        from shop.core import db
        from suppliers.catalogue.models import Bundle, BundleComponent
        from suppliers.models import Item

        self._open_windows()
        with self.app.app_context(), db.unit_of_work() as s:
            goods = {i.id for i in s.exec(select(Item).where(Item.kind == "goods"))}
            bundles = [
                b.id
                for b in s.exec(
                    select(Bundle).where(Bundle.status == "published").order_by(Bundle.id)
                )
                if {
                    c.item_id
                    for c in s.exec(
                        select(BundleComponent).where(BundleComponent.bundle_id == b.id)
                    )
                }
                <= goods
            ]
            moved = _moved(s)
            start = {}
            for item in s.exec(select(Item).where(Item.kind == "goods")):
                item.stock = STOCK
                start[item.id] = STOCK - moved.get(item.id, 0)  # the demo's movements before
        return bundles, start

    def _open_windows(self) -> None:
        from orders.services import windows
        from shop.core import accounts, db

        with self.app.app_context(), db.unit_of_work():
            for community in accounts.list_communities():
                windows.open_windows(community_id=community.id, days=3)

    # -- operations ---------------------------------------------------------------------

    def step(self, n: int, *, check: bool = True) -> None:
        """One random operation, then every invariant (unless `check` is off for this step)."""
        name = self.rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
        try:
            getattr(self, f"_{name}")()  # an answer it did not expect fails the walk too
            self.done[name] += 1
            self.clock.advance(self.rng.randint(0, 120))
            if check:
                self.check()
        except AssertionError as exc:
            raise Failed(f"seed {self.seed}, step {n} ({name}): {exc}") from exc

    def _place(self) -> None:
        email = self.rng.choice(RESIDENTS)
        bundle = self.rng.choice(self.bundles)
        got = self.client.get(
            f"/api/v1/delivery-windows?bundle_id={bundle}", headers=self.tokens[email]
        )
        open_windows = got.get_json()["items"] if got.status_code == 200 else []
        if not open_windows:  # the simulated days ran past the open ones: open the next
            self._open_windows()
            return
        body = {
            "lines": [{"bundle_id": bundle, "quantity": self.rng.randint(1, 3)}],
            "delivery": {"mode": "doorstep", "window_id": self.rng.choice(open_windows)["id"]},
        }
        key = uuid.uuid4().hex
        answer = self._post(email, "/api/v1/orders", body, key)
        assert answer.status_code in (201, 409), (answer.status_code, answer.get_json())
        if answer.status_code == 201:
            self.placed[key] = (email, body, answer.get_json()["id"])

    def _retry(self) -> None:
        if not self.placed:
            return
        key = self.rng.choice(sorted(self.placed))
        email, body, order_id = self.placed[key]
        answer = self._post(email, "/api/v1/orders", body, key)
        assert answer.status_code == 201 and answer.get_json()["id"] == order_id, "retry"

    def _pay(self) -> None:
        order = self._an_order(("pending_payment",))
        if order is None:
            return
        email, order_id = order
        got = self._post(email, f"/api/v1/orders/{order_id}/payments", {}, None)
        if got.status_code != 201:
            return
        payment = got.get_json()
        from tests.fixtures_orders import intent_event

        kind = self.rng.choice(["succeeded", "succeeded", "succeeded", "payment_failed"])
        event = intent_event(kind, payment["payment_intent_id"], payment["amount"]["amount_minor"])
        self.webhooks += [event] * self.rng.choice([1, 1, 2])  # Stripe sends some twice

    def _webhook(self) -> None:
        if not self.webhooks:
            return
        from tests.fixtures_orders import deliver

        event = self.webhooks.pop(self.rng.randrange(len(self.webhooks)))  # any order
        answer = deliver(self.client, self.app, event)
        assert answer.status_code == 200, (answer.status_code, answer.get_data(as_text=True))

    def _cancel(self) -> None:
        order = self._an_order(("pending_payment", "paid"))
        if order is not None:
            email, order_id = order
            answer = self._post(email, f"/api/v1/orders/{order_id}/cancel", {"reason": "改主意了"})
            assert answer.status_code in (200, 409), answer.get_json()

    def _lapse(self) -> None:
        """The clock passes an unpaid order's deadline; the sweep and its job expire it."""
        from orders import jobs as order_jobs
        from orders.models import Order
        from orders.services import checkout
        from shop.core import db

        order = self._an_order(("pending_payment",))
        if order is None:
            return
        with self.app.app_context(), db.unit_of_work() as s:
            row = s.get(Order, order[1])
            row.expires_at = db.utcnow() - timedelta(minutes=1)
        with self.app.app_context(), db.unit_of_work():
            checkout.sweep_unpaid()
        with self.app.app_context():
            order_jobs.expire_unpaid(order[1])  # the job may run twice: once is all it does

    def _refund(self) -> None:
        """The operator refunds all or part of a paid order: before or after delivery."""
        order = self._an_order(("paid", "accepted", "delivered", "completed"))
        if order is None:
            return
        part = self.rng.choice([None, 100])
        body = {"reason": "模拟退款", **({"amount_minor": part} if part else {})}
        answer = self._post("operator@demo.local", f"/api/v1/orders/{order[1]}/refunds", body)
        if answer.status_code == 422:  # a part larger than what is left: refused, as it must be
            assert set(answer.get_json()["error"]["fields"]) == {"amount_minor"}
            return
        assert answer.status_code in (201, 409), answer.get_json()

    def _post(self, email: str, path: str, body: Any, key: str | None = None) -> Any:
        headers = {**self.tokens[email], **({"Idempotency-Key": key} if key else {})}
        return self.client.post(path, json=body, headers=headers)

    def _an_order(self, statuses: tuple[str, ...]) -> tuple[str, int] | None:
        from sqlmodel import select

        from orders.models import Order
        from shop.core import accounts, db

        with self.app.app_context(), db.session_scope(write=False) as s:
            rows = list(s.exec(select(Order).where(Order.status.in_(statuses)).order_by(Order.id)))
            if not rows:
                return None
            row = self.rng.choice(rows)
            return accounts.get_user(row.resident_id).email, row.id

    # -- invariants ---------------------------------------------------------------------

    def check(self) -> None:
        """Every invariant over the whole database (raises AssertionError)."""
        from sqlmodel import func, select

        from orders.models import DeliveryWindow, Order, OrderComponent, Payment, Pledge, Refund
        from shop.core import db
        from suppliers.models import Item, StockMovement

        with self.app.app_context(), db.session_scope(write=False) as s:
            moved = _moved(s)
            for item_id, start in self.start_stock.items():
                stock = s.get(Item, item_id).stock
                assert stock >= 0, f"item {item_id} oversold: {stock}"
                assert stock == start + moved.get(item_id, 0), f"item {item_id}: stock off"
            by_order: Counter[int] = Counter()
            for reason, delta in s.exec(select(StockMovement.reason, StockMovement.delta)):
                if reason.startswith("order "):
                    by_order[int(reason.split()[1])] += delta
            taken: Counter[int] = Counter()
            goods = select(OrderComponent.order_id, func.sum(OrderComponent.quantity)).where(
                OrderComponent.kind == "goods"
            )
            wants = dict(s.exec(goods.group_by(OrderComponent.order_id)).all())
            # A batch's orders are made to order: the producer makes them, no stock is taken.
            made = set(s.exec(select(Pledge.order_id).where(Pledge.order_id.is_not(None))))
            for order in s.exec(select(Order)):
                wanted = 0 if order.id in made else int(wants.get(order.id) or 0)
                held = order.status != "cancelled"
                assert by_order[order.id] == (-wanted if held else 0), f"order {order.id} stock"
                if held and order.window_id:
                    taken[order.window_id] += 1
            for window in s.exec(select(DeliveryWindow)):
                assert 0 <= window.taken <= window.capacity, f"window {window.id} over"
                assert window.taken == taken[window.id], f"window {window.id} counts"
            # Money kept: a payment counts unless all of it went back (an order cancelled before
            # its money came, a second charge). No order may keep two.
            back = Counter()
            for payment_id, amount in s.exec(
                select(Refund.payment_id, Refund.amount_minor).where(Refund.status != "failed")
            ):
                back[payment_id] += amount
            kept = Counter(
                p.order_id
                for p in s.exec(select(Payment).where(Payment.status.in_(("succeeded",))))
                if back[p.id] < p.amount_minor
            )
            assert all(n == 1 for n in kept.values()), "an order keeps two payments"
            from orders.services import payments

            # Refunds never give back more than a payment brought in (`back`, above).
            for p in s.exec(select(Payment).where(Payment.id.in_(list(back)))):
                assert back[p.id] <= p.amount_minor, f"payment {p.id}: {back[p.id]} back"
            twice = s.exec(select(Payment).where(Payment.status == payments.CHARGED_TWICE))
            for payment in twice:
                back = s.exec(
                    select(func.sum(Refund.amount_minor)).where(Refund.payment_id == payment.id)
                ).one()
                assert back == payment.amount_minor, f"payment {payment.id} charged twice, kept"
            self.check_work(s)
        answer = self.client.get(
            "/api/v1/ledger/trial-balance", headers=self.tokens["operator@demo.local"]
        )
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["total_minor"] == 0, "the ledger does not balance"


def _moved(s: Any) -> dict[int, int]:
    from sqlmodel import func, select

    from suppliers.models import StockMovement

    rows = s.exec(
        select(StockMovement.item_id, func.sum(StockMovement.delta)).group_by(StockMovement.item_id)
    )
    return {item_id: int(total or 0) for item_id, total in rows}


def build_app(database_url: str | None, work: Path) -> Any:
    """A migrated app with the demo community, on SQLite in `work` unless a URL is given."""
    import wsgi
    from shop.console import demo
    from shop.core import db, migrate

    app = wsgi.create_app(
        {
            "DATABASE_URL": database_url or f"sqlite:///{work / 'sim.db'}",
            "SEARCH_DIR": str(work / "search"),
            "UPLOAD_DIR": str(work / "uploads"),
            "SECRET_KEY": "simulate",
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    migrate.upgrade(app)
    with app.app_context(), db.unit_of_work():
        demo.seed()
    return app


def main() -> None:
    """Run the walk; print what it did and how fast; exit 1 with the seed on a failure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--check-every",
        type=int,
        default=1,
        help="check the invariants every N steps (and at the end); they read the whole database",
    )
    args = parser.parse_args()
    app = build_app(args.database_url, Path(tempfile.mkdtemp(prefix="simulate-")))
    from shop.core import db

    clock = Clock()
    db.utcnow = clock  # the whole run lives on the simulated time
    sim = Simulator(app, args.seed, clock)
    started = time.perf_counter()
    try:
        for n in range(1, args.steps + 1):
            sim.step(n, check=n % args.check_every == 0 or n == args.steps)
            if n % 1000 == 0:
                print(f"{n} steps, {time.perf_counter() - started:.0f} s: {dict(sim.done)}")
    except Failed as exc:
        print(f"FAILED {exc}\nreplay: bench/simulate.py --seed {args.seed} --steps {args.steps}")
        raise SystemExit(1) from exc
    print(
        f"seed {args.seed}: {args.steps} steps in {time.perf_counter() - started:.0f} s, all held"
    )
    print(dict(sim.done))
    for kind, counts in sim.outcomes().items():
        print(f"  {kind}: {counts}")


if __name__ == "__main__":
    main()
