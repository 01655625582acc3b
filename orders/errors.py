"""The refusals of orders that other packages act on, as classes with their codes.

Another package catches the class (through `orders.api`), never a code string.
"""

from __future__ import annotations

from shop.core.errors import Invalid, refusal

WrongConfirmationCode = refusal(
    "wrong_confirmation_code", "The resident's 6-digit code does not match the order's."
)
AlreadyJudged = refusal("already_judged", "This promise has already been judged.")
AlreadyResolved = refusal("already_resolved", "This complaint is already resolved.")
BundleUnavailable = refusal("bundle_unavailable", "A bundle in your basket is no longer on sale.")
CardDeclined = refusal("card_declined", "The card was declined (the attempt is closed and kept).")
ComplaintOpen = refusal("complaint_open", "A complaint about this order is still open.")
CreditRefundInFull = refusal(
    "credit_refund_in_full", "An order paid with credit is refunded in full, to the credit."
)
MixedOrder = refusal("mixed_order", "Order goods and services separately.")
NoAddress = refusal("no_address", "Your address is not registered yet.")
NotCancellable = refusal(
    "not_cancellable", "The order is on its way and can no longer be cancelled."
)
NotDelivered = refusal("not_delivered", "Only a delivered order can be confirmed.")
NotPaid = refusal("not_paid", "This order has not been paid.")
NotPayable = refusal("not_payable", "This order is not waiting for payment.")
NotVerified = refusal("not_verified", "The resident's home is not verified yet.")
OrderNotRunning = refusal("order_not_running", "This order is no longer being served.")
OutOfStock = refusal("out_of_stock", "Not enough stock of an item in the basket.")
OutsideAfterSaleWindow = refusal(
    "outside_after_sale_window",
    "Complaints are taken from delivery until the after-sale window closes.",
)
OutsideServiceArea = refusal(
    "outside_service_area", "This service is not offered in your community yet."
)
OutsideWindow = refusal(
    "outside_window", "Before the resident's chosen window, unless the resident agreed."
)
PaymentExpired = refusal("payment_expired", "The time to pay has run out; please order again.")
PaymentLapsed = refusal("payment_lapsed", "This payment has lapsed; please press pay again.")
PaymentsUnavailable = refusal(
    "payments_unavailable", "Card payment is not available right now. Please try again later."
)
SlotFull = refusal("slot_full", "This service time is fully booked; please pick another.")
SupplierBusy = refusal("supplier_busy", "This supplier is fully booked for now; please try later.")
WindowFull = refusal("window_full", "This delivery window is full or closed; please pick another.")
ChecklistIncomplete = refusal(
    "checklist_incomplete",
    "An item of the standard is neither ticked nor marked not applicable.",
    base=Invalid,
)
PhaseClosed = refusal("phase_closed", "This part of the platform opens in a later phase.")
DemandClosed = refusal("demand_closed", "The demand has been answered, declined or batched.")
PlanExists = refusal("plan_exists", "The producer has a plan for that week already.")
NotAProducer = refusal("not_a_producer", "Plans are issued to producers only.")
PlanAnswered = refusal("plan_answered", "The plan has been answered already.")
BatchClosed = refusal(
    "batch_closed", "The batch's deadline has passed, or it was decided or cancelled."
)
PledgeNotFixable = refusal("pledge_not_fixable", "This pledge is not waiting for another card.")
