"""News from orders for the layers above (receivers run inside the sender's transaction)."""

from blinker import Namespace

_signals = Namespace()

#: Sender: the order id, for each of these.
order_paid = _signals.signal("order-paid")
order_cancelled = _signals.signal("order-cancelled")
order_refunded = _signals.signal("order-refunded")
order_completed = _signals.signal("order-completed")
commitment_missed = _signals.signal("commitment-missed")
