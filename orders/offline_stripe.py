"""Run localstripe, the offline Stripe-compatible server, on 127.0.0.1 for test mode.

`python -m orders.offline_stripe --port 8420`. Unlike localstripe's own command it listens on
the loopback address only and keeps nothing on disk (its store would go to /tmp otherwise).
"""

from __future__ import annotations

import argparse
import logging


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


if __name__ == "__main__":
    main()
