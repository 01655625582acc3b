"""The refusals of orders that other packages act on, as classes with their codes.

Another package catches the class (through `orders.api`), never a code string.
"""

from __future__ import annotations

from shop.core.errors import DomainError


class WrongConfirmationCode(DomainError):
    """The resident's 6-digit code does not match the order's. HTTP 409."""

    code = "wrong_confirmation_code"
