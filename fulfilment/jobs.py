"""Timers of fulfilment: tasks nobody accepted in time open to the whole grid."""

from __future__ import annotations

from fulfilment import services
from shop.core.jobs import job


@job
def release_unaccepted() -> int:
    """Every minute: assigned tasks not accepted in time become claimable by the grid."""
    return services.release_unaccepted()
