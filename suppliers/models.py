"""Tables of suppliers: the companies and the users who act for them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from shop.core.db import utcnow


class SupplierKind(StrEnum):
    """Channel partners (渠道商) join in phase 1, producers (生产商) from phase 2."""

    CHANNEL_PARTNER = "channel_partner"
    PRODUCER = "producer"


class SupplierStatus(StrEnum):
    """Where a supplier stands in vetting (DESIGN.md: the supplier process)."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    MORE_INFO_REQUESTED = "more_info_requested"
    APPROVED_PROBATION = "approved_probation"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class Supplier(SQLModel, table=True):
    """A company that supplies goods or services to the platform."""

    __tablename__ = "suppliers_supplier"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(SupplierKind)})", name="kind_known"),
        CheckConstraint(f"status IN ({_in(SupplierStatus)})", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=20)
    licence_no: str = Field(max_length=64, unique=True)
    status: str = Field(default=SupplierStatus.SUBMITTED.value, max_length=24)
    contact_name: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow)


class SupplierMember(SQLModel, table=True):
    """A user who manages a supplier's catalogue; a user acts for one supplier."""

    __tablename__ = "suppliers_member"

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers_supplier.id", index=True)
    user_id: int = Field(foreign_key="core_user.id", unique=True)
