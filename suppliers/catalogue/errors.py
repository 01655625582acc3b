"""The refusals of suppliers.catalogue, as classes with their codes (exported through its api).

Another package catches the class, never a code string.
"""

from __future__ import annotations

from shop.core.errors import DomainError


class CategoryInactive(DomainError):
    """The bundle's category is not open yet. HTTP 409."""

    code = "category_inactive"


class CategoryLimit(DomainError):
    """In phase 1 the store keeps to a few categories. HTTP 409."""

    code = "category_limit"


class NoComponents(DomainError):
    """A bundle needs at least one item. HTTP 409."""

    code = "no_components"


class PriceBelowSettlement(DomainError):
    """The price is below what the suppliers are paid. HTTP 409."""

    code = "price_below_settlement"


class SupplierNotApproved(DomainError):
    """An item cannot be sold: its supplier is not approved or it is inactive. HTTP 409."""

    code = "supplier_not_approved"


class TransitionNotAllowed(DomainError):
    """The bundle's status does not allow this step. HTTP 409."""

    code = "transition_not_allowed"


class MultiItemPhase1(DomainError):
    """In phase 1 a bundle holds a single item; set menus come in phase 2. HTTP 409."""

    code = "multi_item_phase1"
