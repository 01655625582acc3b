"""32 buyers in 32 separate processes (as gunicorn workers would be) for the last 10 units."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

import wsgi
from orders.models import DeliveryWindow
from shop.core import db
from suppliers.models import Item
from tests.fixtures_orders import order_body, stock, taken

BUYERS = 32


def _buyer(
    settings: dict[str, Any],
    headers: dict[str, str],
    body: dict[str, Any],
    n: int,
    barrier: Any,
    results: Any,
) -> None:
    """One process: its own app, engine and connections; one POST /orders at the barrier."""
    app = wsgi.create_app(settings)
    client = app.test_client()
    barrier.wait(timeout=60)
    response = client.post(
        "/api/v1/orders", json=body, headers={**headers, "Idempotency-Key": f"proc-{n}"}
    )
    payload = response.get_json()
    results.put((os.getpid(), "ok" if response.status_code == 201 else payload["error"]["code"]))
    app.extensions["shop.db"].dispose()


def test_32_processes_for_the_last_10_units_never_oversell(app, shop):
    with app.app_context(), db.session_scope() as s:
        s.get(Item, shop["item_id"]).stock = 10
        s.get(DeliveryWindow, shop["window_id"]).capacity = 100
        s.commit()
    settings = {
        key: app.config[key]
        for key in (
            "TESTING",
            "DATABASE_URL",
            "SECRET_KEY",
            "SEARCH_DIR",
            "UPLOAD_DIR",
            "REDIS_URL",
            "PASSWORD_HASH_METHOD",
            "JOBS_RAISE",
        )
    }
    # fork: the children start from this process's imports (fast) and build their own app,
    # so no connection is shared across the fork.
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(BUYERS), ctx.Queue()
    procs = [
        ctx.Process(
            target=_buyer,
            args=(settings, shop["headers"], order_body(shop), n, barrier, results),
        )
        for n in range(BUYERS)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert len({pid for pid, _ in outcomes}) == BUYERS  # really 32 processes
    codes = [code for _, code in outcomes]
    assert codes.count("ok") == 10 and codes.count("out_of_stock") == 22
    assert stock(app, shop["item_id"]) == 0 and taken(app, shop["window_id"]) == 10
