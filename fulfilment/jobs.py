"""Jobs of fulfilment: commissions posted for verified tasks; timers for tasks and credits."""

from __future__ import annotations

from fulfilment.services import credits, tasks
from shop.core.jobs import job


@job
def release_unaccepted() -> int:
    """Every minute: assigned tasks not accepted in time become claimable by the grid."""
    return tasks.release_unaccepted()


@job
def credit_task(task_id: int) -> int:
    """Post the commission of a verified task (idempotent: each credit key once)."""
    return len(credits.credit_task(task_id))


@job
def sweep_uncredited() -> int:
    """Every minute: send the credit job again for verified tasks still without it."""
    return credits.sweep_uncredited()


@job
def judge_requests() -> int:
    """Every minute: service requests whose accept or arrive time ran out are marked missed."""
    from fulfilment.services import touchpoints

    return touchpoints.judge_overdue()
