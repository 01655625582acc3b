"""Run localstripe, the offline Stripe-compatible server, on 127.0.0.1 for test mode.

`python -m orders.services.offline_stripe --port 8420`. Unlike localstripe's own command it
listens on the loopback address only and keeps nothing on disk (its store would go to /tmp
otherwise).
"""

from __future__ import annotations

import argparse
import logging
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any


def main() -> None:
    """Serve localstripe until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    from aiohttp import web
    from localstripe import resources, server

    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(server.app, host="127.0.0.1", port=args.port, print=None)


def start_for(cfg: Mapping[str, Any], webhook_url: str) -> subprocess.Popen[bytes] | None:
    """In test mode, start this server and register the shop's webhook (`webhook_url`) with it.

    `cfg` is the app's settings.
    Returns the process to stop later, or None when a real Stripe key is configured.
    """
    if not cfg.get("STRIPE_OFFLINE"):
        return None
    base = urllib.parse.urlsplit(cfg["STRIPE_API_BASE"])
    command = [
        sys.executable,
        "-m",
        "orders.services.offline_stripe",
        "--port",
        str(base.port or 8420),
    ]
    proc = subprocess.Popen(command)  # noqa: S603  (our own module, fixed arguments)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection((base.hostname, base.port or 8420), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    body = urllib.parse.urlencode(
        {"url": webhook_url, "secret": cfg["STRIPE_WEBHOOK_SECRET"]}
    ).encode()
    url = f"{cfg['STRIPE_API_BASE']}/_config/webhooks/shop"
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310  (loopback)
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310  (our loopback test server)
        pass
    return proc


if __name__ == "__main__":
    main()
