"""Timers of orders: unpaid orders expire, windows open, promises are watched, batches decided."""

from __future__ import annotations

from orders.services import (
    aftersale,
    batches,
    checkout,
    figures,
    forecasts,
    milestones,
    payments,
    pledges,
    windows,
)
from shop.core import accounts
from shop.core.jobs import job


@job
def expire_unpaid(order_id: int) -> bool:
    """Cancel the order if it is still unpaid at its deadline (idempotent)."""
    return checkout.expire_unpaid(order_id)


@job
def sweep_unpaid() -> int:
    """Every minute: expire unpaid orders whose own timer was lost (Redis keeps nothing)."""
    return checkout.sweep_unpaid()


@job
def open_delivery_windows() -> int:
    """Open the configured delivery windows for the coming days in every community."""
    return sum(windows.open_windows(community_id=c.id) for c in accounts.list_communities())


@job
def open_community_windows(community_id: int) -> int:
    """Open a new compound's delivery windows at once (idempotent), not at the next hourly run."""
    return windows.open_windows(community_id=community_id)


@job
def execute_refund(refund_id: int) -> str:
    """Carry out a refund through Stripe (idempotent)."""
    return payments.execute_refund(refund_id)


@job
def watch_commitments() -> int:
    """Every minute: send a job for each promise to warn about or to mark missed."""
    return milestones.sweep()


@job
def miss_node(node_id: int) -> bool:
    """Mark a promise missed if its deadline passed with nothing recorded; compensate once."""
    return milestones.miss_if_overdue(node_id)


@job
def warn_node(node_id: int) -> list[int]:
    """Warn the assigned staff and their manager that a promise is due soon (once)."""
    return milestones.warn(node_id)


@job
def sweep_after_sale() -> int:
    """Every hour: send a completion job for each order past its after-sale window."""
    return aftersale.sweep()


@job
def complete_order(order_id: int) -> bool:
    """Complete a delivered order past its after-sale window with no complaint open."""
    return aftersale.complete_if_due(order_id)


@job
def update_scorecards() -> int:
    """Every hour: measure each supplier's orders and promises for its scorecard."""
    return figures.update_scorecards()


@job
def refresh_demand_series() -> int:
    """Every night: rebuild the weekly demand series and their forecasts (idempotent)."""
    return forecasts.refresh()


@job
def decide_batch(batch_id: int) -> str:
    """At a batch's deadline: reached or failed, and each pledge's fate (once)."""
    return batches.decide(batch_id)


@job
def settle_pledge(pledge_id: int) -> str:
    """Capture, charge, drop or release one pledge by its fate (once)."""
    return pledges.settle(pledge_id)


@job
def order_pledge(pledge_id: int) -> int | None:
    """A captured pledge becomes its order (once)."""
    return pledges.order_for(pledge_id)


@job
def advance_batch(batch_id: int) -> str:
    """Move a decided batch on once its pledges have (captured, ordered, released)."""
    return batches.advance(batch_id)


@job
def cancel_hold(pledge_id: int) -> str:
    """Release the card hold of a withdrawn pledge (idempotent)."""
    return pledges.cancel_hold(pledge_id)


@job
def remind_pledge(pledge_id: int) -> bool:
    """Remind a resident whose charge was declined that the fix window closes soon (once)."""
    return pledges.remind(pledge_id)


@job
def sweep_batches() -> int:
    """Every minute: send what a lost timer or a dead worker left undone for batches."""
    return batches.sweep()
