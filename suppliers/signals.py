"""News from suppliers for the layers above (receivers run inside the sender's transaction)."""

from blinker import Namespace

_signals = Namespace()

#: A supplier was suspended: its bundles must stop selling. Sender: the supplier id.
supplier_suspended = _signals.signal("supplier-suspended")
#: A supplier's item changed (name, price, activity): bundles holding it may need reindexing.
#: Sender: the item id.
item_changed = _signals.signal("item-changed")
#: sender: supplier id. Its measured performance changed: the catalogue re-ranks its bundles.
scorecard_changed = _signals.signal("scorecard-changed")
#: A supplier was approved (into probation) or reinstated. Sender: the supplier id.
supplier_approved = _signals.signal("supplier-approved")
