"""Measures benchmark: the monthly snapshot job and every dashboard, on a platform-sized year.

A fresh database with the demo community, then (at `--scale 1`) 50 compounds of 400
households, 300 suppliers with an item each, 2,000 staff in 100 grids and 200,000 orders over
12 months, each with a line, a component, two judged promises, a done task and a commission;
one complaint and one compensation in fifty. Then:

* the snapshot of the last month (what the nightly job does), and of all twelve, timed.
  Goal: one month's snapshot <= 60 s on PostgreSQL;
* each party's dashboard (`/console/measures?party=`) and the API's figures, median of 5
  requests through the test client. Goal: <= 200 ms each.

    .venv/bin/python bench/bench_measures.py [--scale 1] [--postgres URL | --sqlite]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wsgi  # noqa: E402
from fulfilment.models import Credit, Grid, GridBuilding, GridStaff, StaffMember, Task  # noqa: E402
from orders.models import (  # noqa: E402
    CommitmentNode,
    Compensation,
    Complaint,
    Order,
    OrderComponent,
    OrderLine,
)
from shop.core import db, measures  # noqa: E402
from shop.core.models import Building, Community, ResidentProfile, User, UserRole  # noqa: E402
from suppliers.models import Item, Supplier  # noqa: E402

SNAPSHOT_GOAL_S, PAGE_GOAL_MS = 60.0, 200.0
LAST_MONTH = date(2026, 11, 1)
CHUNK = 5000


def _database(args: argparse.Namespace, work: Path) -> str:
    if args.sqlite:
        return f"sqlite:///{work / 'bench.db'}"
    from sqlalchemy import create_engine, text

    name = f"bench_measures_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        args.postgres.replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return args.postgres.rsplit("/", 1)[0] + f"/{name}"


def _insert(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert (Core, chunked), each row filled with its model's defaults; the new ids."""
    from sqlalchemy import insert

    table = model.__table__
    names = [c.name for c in table.columns if c.name != "id" or "id" in rows[0]]
    rows = [{n: getattr(obj, n) for n in names} for obj in (model(**r) for r in rows)]
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        if "id" in table.c and "id" not in part[0]:
            ids += list(db.session().execute(insert(table).returning(table.c.id), part).scalars())
        else:
            db.session().execute(insert(table), part)
    return ids


def _months() -> list[datetime]:
    out, day = [], LAST_MONTH
    for _ in range(12):
        out.append(datetime(day.year, day.month, 1, tzinfo=UTC))
        day = (day - timedelta(days=1)).replace(day=1)
    return out[::-1]


def _people(scale: float, now: datetime) -> dict[str, Any]:
    compounds = _insert(
        Community,
        [
            {"code": f"b{n}", "name": f"小区{n}", "timezone": "Asia/Shanghai", "created_at": now}
            for n in range(50)
        ],
    )
    buildings = _insert(
        Building, [{"community_id": c, "name": f"{b}栋"} for c in compounds for b in range(10)]
    )
    households = int(20_000 * scale) or 50
    users = _users("r", "r", households, "resident", now - timedelta(days=500))
    home = {u: buildings[i % len(buildings)] for i, u in enumerate(users)}
    _insert(
        ResidentProfile,
        [
            {
                "user_id": u,
                "building_id": b,
                "room": "1",
                "phone": "1",
                "segment": "care" if u % 10 == 0 else "mass",
                "verified_at": now,
            }
            for u, b in home.items()
        ],
    )
    return {
        "compounds": compounds,
        "buildings": buildings,
        "home": home,
        "community_of": {b: compounds[i // 10] for i, b in enumerate(buildings)},
    }


def _users(prefix: str, name: str, count: int, role: str, joined: datetime) -> list[int]:
    """`count` users holding `role`, joined at `joined`; their ids."""
    ids = _insert(
        User,
        [
            {
                "email": f"{prefix}{n}@bench.test",
                "display_name": f"{name}{n}",
                "password_hash": "x",
                "is_active": True,
                "session_version": 1,
                "created_at": joined,
            }
            for n in range(count)
        ],
    )
    _insert(UserRole, [{"user_id": u, "role": role} for u in ids])
    return ids


def _staff(scale: float, world: dict[str, Any], now: datetime) -> list[int]:
    count = int(2000 * scale) or 20
    staff = _users("s", "员工", count, "staff", now - timedelta(days=400))
    _insert(
        StaffMember,
        [
            {"user_id": u, "employee_no": f"B{u}", "staff_role": "butler", "is_on_duty": True}
            for u in staff
        ],
    )
    grids = _insert(
        Grid,
        [{"community_id": c, "name": f"网格{c}-{g}"} for c in world["compounds"] for g in range(2)],
    )
    _insert(
        GridBuilding,
        [{"grid_id": grids[i // 5], "building_id": b} for i, b in enumerate(world["buildings"])],
    )
    _insert(
        GridStaff, [{"grid_id": grids[i % len(grids)], "user_id": u} for i, u in enumerate(staff)]
    )
    world["grid_of"] = {b: grids[i // 5] for i, b in enumerate(world["buildings"])}
    return staff


def _suppliers(now: datetime, member: int) -> list[tuple[int, int]]:
    sups = _insert(
        Supplier,
        [
            {
                "name": f"供应商{n}",
                "kind": "channel_partner",
                "licence_no": f"L{n}",
                "status": "active",
                "created_at": now - timedelta(days=30),
                "approved_at": now,
            }
            for n in range(300)
        ],
    )
    items = _insert(
        Item,
        [
            {
                "supplier_id": s,
                "kind": "goods",
                "sku": f"S{s}",
                "name": f"商品{s}",
                "category": "饮用水",
                "description": "",
                "unit": "箱",
                "supply_price_minor": 1000,
                "stock": 0,
            }
            for s in sups
        ],
    )
    return list(zip(sups, items, strict=True))


def build(scale: float, bundle_id: int) -> None:
    """The platform-sized year, inserted in bulk."""
    rnd = random.Random(7)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    world = _people(scale, now)
    staff = _staff(scale, world, now)
    sold = _suppliers(now, staff[0])
    residents = list(world["home"])
    total = int(200_000 * scale)
    months = _months()
    paid = [
        months[rnd.randrange(12)] + timedelta(hours=rnd.randrange(24 * 28)) for _ in range(total)
    ]
    buyers = [rnd.choice(residents) for _ in range(total)]
    orders = _insert(
        Order,
        [
            {
                "resident_id": r,
                "community_id": world["community_of"][world["home"][r]],
                "building_id": world["home"][r],
                "address": "x",
                "status": "delivered",
                "total_minor": 3600,
                "credit_minor": 0,
                "currency": "CNY",
                "delivery_mode": "doorstep",
                "referral_code": "",
                "note": "",
                "confirmation_code": "1",
                "idempotency_key": f"b{n}",
                "request_hash": "h",
                "created_at": at,
                "expires_at": at,
                "paid_at": at,
                "delivered_at": at + timedelta(hours=3),
            }
            for n, (r, at) in enumerate(zip(buyers, paid, strict=True))
        ],
    )
    lines = _insert(
        OrderLine,
        [
            {
                "order_id": o,
                "bundle_id": bundle_id,
                "title": "水",
                "quantity": 1,
                "unit_price_minor": 3600,
                "line_total_minor": 3600,
                "policy_nodes": [],
            }
            for o in orders
        ],
    )
    pick = [sold[rnd.randrange(len(sold))] for _ in orders]
    _insert(
        OrderComponent,
        [
            {
                "order_id": o,
                "line_id": ln,
                "item_id": item,
                "supplier_id": sup,
                "name": "水",
                "kind": "goods",
                "quantity": 1,
                "settlement_price_minor": 3000,
                "staff_role": "butler",
            }
            for o, ln, (sup, item) in zip(orders, lines, pick, strict=True)
        ],
    )
    statuses = ["met" if rnd.random() > 0.05 else "missed" for _ in range(2 * total)]
    nodes = _insert(
        CommitmentNode,
        [
            {
                "order_id": o,
                "line_id": ln,
                "kind": kind,
                "checklist": [],
                "compensation": {"type": "coupon", "amount_minor": 500},
                "status": statuses[2 * i + k],
                "evidence": {},
                "requires_confirmation": False,
            }
            for i, (o, ln) in enumerate(zip(orders, lines, strict=True))
            for k, kind in enumerate(("accept", "deliver_window"))
        ],
    )
    doer = [staff[rnd.randrange(len(staff))] for _ in orders]
    tasks = _insert(
        Task,
        [
            {
                "order_id": o,
                "grid_id": world["grid_of"][world["home"][r]],
                "building_id": world["home"][r],
                "kind": "deliver",
                "staff_role": "butler",
                "status": "done",
                "assignee_id": s,
                "claimable": False,
                "code_attempts": 0,
                "locked": False,
                "fail_reason": "",
                "fail_cause": "",
                "created_at": at,
                "done_at": at + timedelta(hours=3),
            }
            for o, r, s, at in zip(orders, buyers, doer, paid, strict=True)
        ],
    )
    _insert(
        Credit,
        [
            {
                "task_id": t,
                "order_id": o,
                "staff_id": s,
                "role": "deliverer",
                "amount_minor": 200,
                "status": "available",
                "created_at": at + timedelta(hours=3),
            }
            for t, o, s, at in zip(tasks, orders, doer, paid, strict=True)
        ],
    )
    every = range(0, total, 50)
    _insert(
        Complaint,
        [
            {
                "order_id": orders[i],
                "resident_id": buyers[i],
                "text": "慢",
                "status": "resolved",
                "created_at": paid[i] + timedelta(hours=5),
                "resolution": "已处理",
                "resolved_at": paid[i] + timedelta(hours=5 + rnd.randrange(48)),
            }
            for i in every
        ],
    )
    missed = [(i // 2, n) for i, n in enumerate(nodes) if statuses[i] == "missed"][: len(every)]
    _insert(
        Compensation,
        [
            {
                "node_id": n,
                "order_id": orders[i],
                "method": "credit",
                "amount_minor": 300,
                "created_at": paid[i] + timedelta(hours=4),
            }
            for i, n in missed
        ],
    )


def _median_ms(client: Any, url: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    """Build, snapshot, read; print each figure next to its goal."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-measures-"))
    url = _database(args, work)
    app = wsgi.create_app(
        {
            "DATABASE_URL": url,
            "SEARCH_DIR": str(work / "search"),
            "UPLOAD_DIR": str(work / "uploads"),
            "SECRET_KEY": "bench",
            "TESTING": True,  # no periodic ticker racing the timed requests
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    from shop.console import demo
    from shop.core import migrate

    migrate.upgrade(app)
    with app.app_context(), db.unit_of_work():
        demo.seed()
    with app.app_context(), db.unit_of_work() as s:
        from sqlmodel import select

        from suppliers.catalogue.models import Bundle

        bundle_id = s.exec(select(Bundle.id)).first()
        started = time.perf_counter()
        build(args.scale, bundle_id)
    print(
        f"built: {int(200_000 * args.scale)} orders in {time.perf_counter() - started:.0f} s "
        f"({url.split(':')[0]}, scale {args.scale})"
    )
    with app.app_context(), db.unit_of_work():
        started = time.perf_counter()
        rows = measures.snapshot(LAST_MONTH)
        one = time.perf_counter() - started
    print(f"snapshot of one month: {one:.1f} s, {rows} figures (goal <= {SNAPSHOT_GOAL_S:.0f} s)")
    with app.app_context(), db.unit_of_work():
        started = time.perf_counter()
        for month in _months()[:-1]:
            measures.snapshot(month.date())
        print(f"snapshot of the other 11 months: {time.perf_counter() - started:.1f} s")
    client = app.test_client()
    from tests.conftest import web_login  # the page logs in as a browser would

    with app.app_context(), db.unit_of_work():
        from shop.core import accounts

        accounts.create_user(
            email="bench@ops.test",
            password="correct horse 42",  # noqa: S106 - a throwaway benchmark login
            display_name="ops",
            roles=["operator"],
        )
    web_login(client, "bench@ops.test", "correct horse 42")
    print(f"{'page':84} {'median ms':>10} {'goal':>6}")
    from shop.console.views import PARTY_SCOPE

    with app.app_context(), db.unit_of_work():
        import fulfilment.api

        first_grid = fulfilment.api.list_grids()[0].id
    for party in measures.PARTIES:
        api = (
            f"/api/v1/measures?party={party}&month=2026-11&scope={PARTY_SCOPE[party]}&per_page=100"
        )
        # the staff dashboard shows one grid's staff at a time; the API is asked the same
        one_grid = [f"{api}&grid={first_grid}"] if PARTY_SCOPE[party] == "staff" else []
        for url_ in (
            f"/console/measures?party={party}&month=2026-11",
            f"/console/measures.csv?party={party}&month=2026-11",
            *one_grid,
            api,
        ):
            ms = _median_ms(client, url_)
            print(
                f"{url_:84} {ms:10.0f} {PAGE_GOAL_MS:6.0f}{'' if ms <= PAGE_GOAL_MS else '  over'}"
            )


if __name__ == "__main__":
    main()
