"""What fulfilment does when orders send news (in the sender's transaction)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

import orders.signals
from fulfilment.models import Task
from fulfilment.services import credits, tasks
from shop.core import db


def open_task_for_paid_order(order_id: int, **_kwargs: Any) -> None:
    """order_paid: open the order's task and dispatch it."""
    tasks.open_task(order_id)


def stop_task_of_order(order_id: int, **_kwargs: Any) -> None:
    """order_cancelled / order_refunded: the work stops wherever it was."""
    task = (
        db.session().exec(select(Task).where(Task.order_id == order_id).with_for_update()).first()
    )
    if task is not None and task.status not in ("done", "cancelled"):
        tasks.cancel_task(task)


def connect() -> None:
    """Connect once (blinker keeps weak references to module functions: they live on)."""
    orders.signals.order_paid.connect(open_task_for_paid_order)
    orders.signals.order_cancelled.connect(stop_task_of_order)
    orders.signals.order_refunded.connect(stop_task_of_order)
    orders.signals.order_refunded.connect(credits.reverse_order)
    orders.signals.order_completed.connect(credits.release_order)
