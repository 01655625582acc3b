"""The refusals of fulfilment, as classes with their codes (exported through its api).

Another package catches the class, never a code string.
"""

from __future__ import annotations

from shop.core.errors import refusal

AlreadyDecided = refusal("already_decided", "This withdrawal has been decided.")
AlreadyTaken = refusal("already_taken", "Someone else has taken this task.")
BuildingInGrid = refusal(
    "building_in_grid", "A building is in another grid already; move it instead."
)
ConfirmMove = refusal(
    "confirm_move", "Moving these buildings re-routes open tasks and requests: confirm first."
)
EmployeeNoTaken = refusal("employee_no_taken", "This employee number is taken.")
InsufficientBalance = refusal("insufficient_balance", "That is more than your available balance.")
NotLocked = refusal("not_locked", "This task is not locked.")
RequestTaken = refusal("request_taken", "A colleague has this request.")
StepNotAllowed = refusal("step_not_allowed", "This task cannot be given that step now.")
TaskLocked = refusal(
    "task_locked", "This task is locked after wrong codes; your manager can unlock it."
)
WithdrawalPending = refusal("withdrawal_pending", "You already have a withdrawal waiting.")
WrongRole = refusal("wrong_role", "This task needs another role.")
WrongStep = refusal("wrong_step", "This request cannot be given that step now.")
BatchPaid = refusal("batch_paid", "This payroll batch is marked paid already.")
