"""The refusals of suppliers.catalogue, as classes with their codes (exported through its api).

Another package catches the class, never a code string.
"""

from __future__ import annotations

from shop.core.errors import refusal

CategoryInactive = refusal("category_inactive", "The bundle's category is not open yet.")
CategoryLimit = refusal("category_limit", "In phase 1 the store keeps to a few categories.")
NoComponents = refusal("no_components", "A bundle needs at least one item.")
PriceBelowSettlement = refusal(
    "price_below_settlement", "The price is below what the suppliers are paid."
)
SupplierNotApproved = refusal(
    "supplier_not_approved",
    "An item cannot be sold: its supplier is not approved or it is inactive.",
)
TransitionNotAllowed = refusal(
    "transition_not_allowed", "The bundle's status does not allow this step."
)
MultiItemPhase1 = refusal(
    "multi_item_phase1", "In phase 1 a bundle holds a single item; set menus come in phase 2."
)
