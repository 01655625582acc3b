"""The refusals of fulfilment, as classes with their codes (exported through its api).

Another package catches the class, never a code string.
"""

from __future__ import annotations

from shop.core.errors import DomainError


class AlreadyDecided(DomainError):
    """This withdrawal has been decided. HTTP 409."""

    code = "already_decided"


class AlreadyTaken(DomainError):
    """Someone else has taken this task. HTTP 409."""

    code = "already_taken"


class BuildingInGrid(DomainError):
    """A building is in another grid already; move it instead. HTTP 409."""

    code = "building_in_grid"


class ConfirmMove(DomainError):
    """Moving these buildings re-routes open tasks and requests: confirm first. HTTP 409."""

    code = "confirm_move"


class EmployeeNoTaken(DomainError):
    """This employee number is taken. HTTP 409."""

    code = "employee_no_taken"


class InsufficientBalance(DomainError):
    """That is more than your available balance. HTTP 409."""

    code = "insufficient_balance"


class NotLocked(DomainError):
    """This task is not locked. HTTP 409."""

    code = "not_locked"


class RequestTaken(DomainError):
    """A colleague has this request. HTTP 409."""

    code = "request_taken"


class StepNotAllowed(DomainError):
    """This task cannot be given that step now. HTTP 409."""

    code = "step_not_allowed"


class TaskLocked(DomainError):
    """This task is locked after wrong codes; your manager can unlock it. HTTP 409."""

    code = "task_locked"


class WithdrawalPending(DomainError):
    """You already have a withdrawal waiting. HTTP 409."""

    code = "withdrawal_pending"


class WrongRole(DomainError):
    """This task needs another role. HTTP 409."""

    code = "wrong_role"


class WrongStep(DomainError):
    """This request cannot be given that step now. HTTP 409."""

    code = "wrong_step"
