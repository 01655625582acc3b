"""`flask --app wsgi serve`: the marketplace on one machine, with offline Stripe in test mode."""

from __future__ import annotations

import signal
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

import orders.api


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the app; without a Stripe key, run the offline Stripe server beside it."""
    app = current_app._get_current_object()
    stripe = orders.api.start_offline_stripe(f"http://{host}:{port}/api/v1/payments/stripe/webhook")
    if stripe is not None:
        click.echo(f"Stripe test mode: offline server at {app.config['STRIPE_API_BASE']}")
    # A plain SIGTERM would skip the `finally` below and leave the Stripe server running.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        if stripe is not None:
            stripe.terminate()
            stripe.wait(timeout=10)
