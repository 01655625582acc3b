"""A real RQ worker whose credit job stops after its work and before its commit, so that a
test can kill it there with SIGKILL: `python -m tests.fulfilment.slow_worker READY_FILE`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import wsgi
from fulfilment.services import credits
from shop.core import jobs


def main() -> None:
    ready = Path(sys.argv[1])
    real = credits.credit_task

    def credit_then_hang(task_id: int) -> list:
        made = real(task_id)
        ready.write_text(str(len(made)))  # the credits are flushed, not committed
        time.sleep(300)
        return made

    credits.credit_task = credit_then_hang
    app = wsgi.create_app()
    jobs.run_worker(app, ["default"], burst=False)


if __name__ == "__main__":
    main()
