"""A bare Flask app: the baseline the marketplace is measured against in the same run.

`POST /api/v1/orders` only parses the body and answers 201: what the HTTP stack allows.
`POST /api/v1/orders-raw` runs the checkout's transaction as hand-written SQL through the bare
driver (bench_checkout.raw_checkout) and answers 201: HTTP and the database with no framework,
no ORM and no validation between them. bench_checkout.py tells it the database, the token and
the body in SHOP_BENCH_RAW (JSON); a worker opens its connection on its first request.
"""

import json
import os
import threading

from flask import Flask, jsonify, request

app = Flask(__name__)
PAGE = "<!doctype html><html><body><h1>hello</h1></body></html>"
_raw: dict = {}
_lock = threading.Lock()


@app.get("/")
def home() -> str:
    return PAGE


@app.get("/me")
def me():
    return jsonify({"id": 1, "email": "resident1@demo.local", "roles": ["resident"]})


@app.post("/api/v1/orders")
def order():
    """Reads the JSON body and answers 201: the HTTP stack's own ceiling for a checkout."""
    body = request.get_json()
    return jsonify({"id": 1, "lines": body["lines"], "status": "pending_payment"}), 201


@app.post("/api/v1/orders-raw")
def order_raw():
    """Reads the JSON body, runs the checkout's SQL by hand and answers 201."""
    body = request.get_json()
    with _lock:
        if "checkout" not in _raw:
            from bench.bench_checkout import Database, raw_checkout

            spec = json.loads(os.environ["SHOP_BENCH_RAW"])
            db = Database.attach(spec["kind"], spec["url"])
            _raw["checkout"] = raw_checkout(db, spec["token"], body, spec["ctx"])
    _raw["checkout"]()
    return jsonify({"id": 1, "lines": body["lines"], "status": "pending_payment"}), 201
