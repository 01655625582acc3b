"""What orders does when signals arrive (in the sender's transaction): one table of receivers."""

from __future__ import annotations

from orders import signals
from orders.services import aftersale, milestones, payments, windows
from shop.core import signals as core_signals


def connect() -> None:
    """Connect once (blinker keeps weak references to module functions: they live on)."""
    signals.order_paid.connect(milestones.judge_decision)
    signals.order_cancelled.connect(payments.refund_cancelled)
    signals.order_refunded.connect(aftersale.unsettle_refunded)
    core_signals.community_opened.connect(windows.open_for_new_community)
