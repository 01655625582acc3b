"""Timers of orders: unpaid orders expire; delivery windows open ahead of time."""

from __future__ import annotations

from orders import payments, services, windows
from shop.core import accounts
from shop.core.jobs import job


@job
def expire_unpaid(order_id: int) -> bool:
    """Cancel the order if it is still unpaid at its deadline (idempotent)."""
    return services.expire_unpaid(order_id)


@job
def open_delivery_windows() -> int:
    """Open the configured delivery windows for the coming days in every community."""
    return sum(windows.open_windows(community_id=c.id) for c in accounts.list_communities())


@job
def execute_refund(refund_id: int) -> str:
    """Carry out a refund through Stripe (idempotent)."""
    return payments.execute_refund(refund_id)
