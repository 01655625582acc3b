"""The refusals of orders that other packages act on, as classes with their codes.

Another package catches the class (through `orders.api`), never a code string.
"""

from __future__ import annotations

from shop.core.errors import DomainError, Invalid


class WrongConfirmationCode(DomainError):
    """The resident's 6-digit code does not match the order's. HTTP 409."""

    code = "wrong_confirmation_code"


class AlreadyJudged(DomainError):
    """This promise has already been judged. HTTP 409."""

    code = "already_judged"


class AlreadyResolved(DomainError):
    """This complaint is already resolved. HTTP 409."""

    code = "already_resolved"


class BundleUnavailable(DomainError):
    """A bundle in your basket is no longer on sale. HTTP 409."""

    code = "bundle_unavailable"


class CardDeclined(DomainError):
    """The card was declined (the attempt is closed and kept). HTTP 409."""

    code = "card_declined"


class ComplaintOpen(DomainError):
    """A complaint about this order is still open. HTTP 409."""

    code = "complaint_open"


class CreditRefundInFull(DomainError):
    """An order paid with credit is refunded in full, to the credit. HTTP 409."""

    code = "credit_refund_in_full"


class MixedOrder(DomainError):
    """Order goods and services separately. HTTP 409."""

    code = "mixed_order"


class NoAddress(DomainError):
    """Your address is not registered yet. HTTP 409."""

    code = "no_address"


class NotCancellable(DomainError):
    """The order is on its way and can no longer be cancelled. HTTP 409."""

    code = "not_cancellable"


class NotDelivered(DomainError):
    """Only a delivered order can be confirmed. HTTP 409."""

    code = "not_delivered"


class NotPaid(DomainError):
    """This order has not been paid. HTTP 409."""

    code = "not_paid"


class NotPayable(DomainError):
    """This order is not waiting for payment. HTTP 409."""

    code = "not_payable"


class NotVerified(DomainError):
    """The resident's home is not verified yet. HTTP 409."""

    code = "not_verified"


class OrderNotRunning(DomainError):
    """This order is no longer being served. HTTP 409."""

    code = "order_not_running"


class OutOfStock(DomainError):
    """Not enough stock of an item in the basket. HTTP 409."""

    code = "out_of_stock"


class OutsideAfterSaleWindow(DomainError):
    """Complaints are taken from delivery until the after-sale window closes. HTTP 409."""

    code = "outside_after_sale_window"


class OutsideServiceArea(DomainError):
    """This service is not offered in your community yet. HTTP 409."""

    code = "outside_service_area"


class OutsideWindow(DomainError):
    """Before the resident's chosen window, unless the resident agreed. HTTP 409."""

    code = "outside_window"


class PaymentExpired(DomainError):
    """The time to pay has run out; please order again. HTTP 409."""

    code = "payment_expired"


class PaymentLapsed(DomainError):
    """This payment has lapsed; please press pay again. HTTP 409."""

    code = "payment_lapsed"


class PaymentsUnavailable(DomainError):
    """Card payment is not available right now. Please try again later. HTTP 409."""

    code = "payments_unavailable"


class SlotFull(DomainError):
    """This service time is fully booked; please pick another. HTTP 409."""

    code = "slot_full"


class SupplierBusy(DomainError):
    """This supplier is fully booked for now; please try later. HTTP 409."""

    code = "supplier_busy"


class WindowFull(DomainError):
    """This delivery window is full or closed; please pick another. HTTP 409."""

    code = "window_full"


class ChecklistIncomplete(Invalid):
    """An item of the standard is neither ticked nor marked not applicable. HTTP 422."""

    code = "checklist_incomplete"
