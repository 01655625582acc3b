"""A real RQ worker whose pledge capture stops after Stripe took the money and before the
commit, so that a test can kill it there: `python -m tests.orders.slow_batch_worker READY`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import wsgi
from orders.services import gateway
from shop.core import jobs


def main() -> None:
    ready = Path(sys.argv[1])
    real = gateway.Gateway.capture

    def capture_then_hang(self: gateway.Gateway, intent_id: str) -> gateway.Intent:
        intent = real(self, intent_id)
        ready.write_text(intent.status)  # Stripe has captured; our commit has not happened
        time.sleep(300)
        return intent

    gateway.Gateway.capture = capture_then_hang  # type: ignore[method-assign]
    app = wsgi.create_app()
    jobs.run_worker(app, ["default"], burst=False)


if __name__ == "__main__":
    main()
