"""Human words for order states, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "pending_payment": _l("Waiting for payment"),
    "paid": _l("Paid"),
    "accepted": _l("Accepted"),
    "in_progress": _l("On its way"),
    "delivered": _l("Delivered"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"),
    "partially_refunded": _l("Partly refunded"),
}


def order_status_label(status: str) -> str:
    """The translated name of an order status."""
    return str(STATUS.get(status, status))
