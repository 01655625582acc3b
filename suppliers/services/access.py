"""Who may see and change a supplier's things: its own members, and the operator."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import select

from shop.core import db
from shop.core.errors import Forbidden, NotFound
from shop.core.models import UserRole
from suppliers.models import Item, Supplier, SupplierMember


@dataclass(frozen=True)
class Actor:
    """The acting user as the supplier rules see them."""

    user_id: int
    is_operator: bool
    supplier_id: int | None

    def role_for(self, supplier_id: int) -> str | None:
        """'operator', 'supplier' (a member of that supplier) or None."""
        if self.is_operator:
            return "operator"
        return "supplier" if self.supplier_id == supplier_id else None


def actor(user_id: int) -> Actor:
    """Load what the supplier rules need to know about a user."""
    s = db.session()
    roles = set(s.exec(select(UserRole.role).where(UserRole.user_id == user_id)))
    member = s.exec(select(SupplierMember.supplier_id).where(SupplierMember.user_id == user_id))
    return Actor(user_id=user_id, is_operator="operator" in roles, supplier_id=member.first())


def get_supplier_for(user_id: int, supplier_id: int) -> tuple[Supplier, Actor]:
    """The supplier if the user is the operator or one of its members; else NotFound."""
    who = actor(user_id)
    supplier = db.session().get(Supplier, supplier_id)
    if supplier is None or who.role_for(supplier_id) is None:
        raise NotFound(_("No such supplier."))
    return supplier, who


def get_item_for(user_id: int, item_id: int, *, lock: bool = False) -> tuple[Item, Actor]:
    """The item if the user may see it (operator, or a member of its supplier); else NotFound."""
    who = actor(user_id)
    item = db.session().get(Item, item_id, with_for_update=lock)
    if item is None or who.role_for(item.supplier_id) is None:
        raise NotFound(_("No such item."))
    return item, who


def require_operator(user_id: int) -> Actor:
    """The actor, if they are the operator; else Forbidden."""
    who = actor(user_id)
    if not who.is_operator:
        raise Forbidden(_("Only the operator may do this."))
    return who
