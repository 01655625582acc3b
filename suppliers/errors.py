"""The refusals of suppliers, as classes with their codes (exported through its api).

Another package catches the class, never a code string.
"""

from __future__ import annotations

from shop.core.errors import refusal

ChecklistOpen = refusal("checklist_open", "Blocking checklist requirements are still open.")
DuplicateLicence = refusal(
    "duplicate_licence", "A supplier with this licence number has already applied."
)
ImportExpired = refusal("import_expired", "The preview has expired; upload the file again.")
NotEvaluated = refusal("not_evaluated", "Evaluate the supplier before approving it.")
NotGoods = refusal("not_goods", "Services have no stock.")
NotInReview = refusal("not_in_review", "A rejected application cannot be evaluated.")
NotReady = refusal(
    "not_ready", "The platform is not ready for the next phase, and no override reason."
)
PhaseOrder = refusal("phase_order", "The platform advances one phase at a time.")
PhaseTooEarly = refusal(
    "phase_too_early", "Producers can be approved from phase 2 on; the platform is in phase 1."
)
ProbationItemLimit = refusal(
    "probation_item_limit", "On probation a supplier may have only so many active items."
)
StatementOpen = refusal(
    "statement_open", "A statement is paid after its month has closed, and only if it owes."
)
StatementPaid = refusal("statement_paid", "This statement has already been paid.")
ScoreTooLow = refusal("score_too_low", "The weighted vetting score is below the minimum.")
StockNegative = refusal("stock_negative", "Stock would fall below zero.")
SupplierNotEditing = refusal(
    "supplier_not_editing", "A supplier in this status cannot change its catalogue."
)
