"""What other packages may use of suppliers: frozen views and a few commands."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import func, select

from shop.core import db
from suppliers.models import Supplier, SupplierKind, SupplierMember, SupplierStatus


@dataclass(frozen=True)
class SupplierRef:
    """A supplier as other packages see it."""

    id: int
    name: str
    kind: str
    status: str


def _ref(row: Supplier) -> SupplierRef:
    return SupplierRef(id=row.id, name=row.name, kind=row.kind, status=row.status)


def find_supplier_by_licence(licence_no: str) -> SupplierRef | None:
    """The supplier with this licence number, or None."""
    row = db.session().exec(select(Supplier).where(Supplier.licence_no == licence_no)).first()
    return _ref(row) if row else None


def find_supplier_of_member(user_id: int) -> SupplierRef | None:
    """The supplier this user acts for, or None."""
    row = (
        db.session()
        .exec(
            select(Supplier)
            .join(SupplierMember, SupplierMember.supplier_id == Supplier.id)
            .where(SupplierMember.user_id == user_id)
        )
        .first()
    )
    return _ref(row) if row else None


def count_by_status() -> dict[str, int]:
    """How many suppliers are in each status."""
    rows = db.session().exec(select(Supplier.status, func.count()).group_by(Supplier.status))
    return {status: count for status, count in rows}


def register_supplier(
    *,
    name: str,
    kind: str,
    licence_no: str,
    member_user_id: int,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    status: str = SupplierStatus.SUBMITTED.value,
) -> SupplierRef:
    """Record a supplier company with its first member (the demo and imports use this)."""
    row = Supplier(
        name=name,
        kind=SupplierKind(kind).value,
        licence_no=licence_no,
        status=SupplierStatus(status).value,
        contact_name=contact_name,
        phone=phone,
        email=email,
    )
    db.session().add(row)
    db.session().flush()
    db.session().add(SupplierMember(supplier_id=row.id, user_id=member_user_id))
    db.session().flush()
    return _ref(row)
