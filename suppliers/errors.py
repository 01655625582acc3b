"""The refusals of suppliers, as classes with their codes (exported through its api).

Another package catches the class, never a code string.
"""

from __future__ import annotations

from shop.core.errors import DomainError


class ChecklistOpen(DomainError):
    """Blocking checklist requirements are still open. HTTP 409."""

    code = "checklist_open"


class DuplicateLicence(DomainError):
    """A supplier with this licence number has already applied. HTTP 409."""

    code = "duplicate_licence"


class ImportExpired(DomainError):
    """The preview has expired; upload the file again. HTTP 409."""

    code = "import_expired"


class NotEvaluated(DomainError):
    """Evaluate the supplier before approving it. HTTP 409."""

    code = "not_evaluated"


class NotGoods(DomainError):
    """Services have no stock. HTTP 409."""

    code = "not_goods"


class NotInReview(DomainError):
    """A rejected application cannot be evaluated. HTTP 409."""

    code = "not_in_review"


class NotReady(DomainError):
    """The platform is not ready for the next phase, and no override reason. HTTP 409."""

    code = "not_ready"


class PhaseOrder(DomainError):
    """The platform advances one phase at a time. HTTP 409."""

    code = "phase_order"


class PhaseTooEarly(DomainError):
    """Producers can be approved from phase 2 on; the platform is in phase 1. HTTP 409."""

    code = "phase_too_early"


class ProbationItemLimit(DomainError):
    """On probation a supplier may have only so many active items. HTTP 409."""

    code = "probation_item_limit"


class ScoreTooLow(DomainError):
    """The weighted vetting score is below the minimum. HTTP 409."""

    code = "score_too_low"


class StockNegative(DomainError):
    """Stock would fall below zero. HTTP 409."""

    code = "stock_negative"


class SupplierNotEditing(DomainError):
    """A supplier in this status cannot change its catalogue. HTTP 409."""

    code = "supplier_not_editing"
