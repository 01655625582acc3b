"""A bare Flask app: the baseline the marketplace is measured against in the same run."""

from flask import Flask, jsonify

app = Flask(__name__)
PAGE = "<!doctype html><html><body><h1>hello</h1></body></html>"


@app.get("/")
def home() -> str:
    return PAGE


@app.get("/me")
def me():
    return jsonify({"id": 1, "email": "resident1@demo.local", "roles": ["resident"]})
