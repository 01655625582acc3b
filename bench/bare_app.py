"""A bare Flask app: the baseline the marketplace is measured against in the same run."""

from flask import Flask, jsonify, request

app = Flask(__name__)
PAGE = "<!doctype html><html><body><h1>hello</h1></body></html>"


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
