"""Tables of the kernel: users and roles, API tokens, communities, buildings, residents, audit."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlmodel import Field, Relationship, SQLModel

from shop.core.db import utcnow


class Role(StrEnum):
    """What a user may do; a user may hold several."""

    RESIDENT = "resident"
    SUPPLIER_MEMBER = "supplier_member"
    STAFF = "staff"
    MANAGER = "manager"
    OPERATOR = "operator"
    #: The owners' committee (业委会) of one compound: its public figures, no personal data.
    COMMITTEE = "committee"


class Segment(StrEnum):
    """Resident segments (客群): mass 大众, premium 高端, care 关怀."""

    MASS = "mass"
    PREMIUM = "premium"
    CARE = "care"


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class User(SQLModel, table=True):
    """Anyone who logs in: resident, supplier member, staff, manager or operator."""

    __tablename__ = "core_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    phone: str | None = Field(default=None, max_length=32, unique=True)
    display_name: str = Field(max_length=80)
    password_hash: str = Field(max_length=255)
    locale: str | None = Field(default=None, max_length=10)
    is_active: bool = True
    # Bumped on logout, password change and deactivation: old session cookies stop working.
    session_version: int = 1
    created_at: datetime = Field(default_factory=utcnow)

    role_rows: list["UserRole"] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"}
    )

    @property
    def roles(self) -> frozenset[str]:
        """The names of the roles this user holds."""
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds at least one of `roles`."""
        return not self.roles.isdisjoint(roles)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        """Always true for a loaded user (Flask-Login)."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Always false for a loaded user (Flask-Login)."""
        return False

    def get_id(self) -> str:
        """The session identity: id and session version, so old cookies stop working."""
        return f"{self.id}:{self.session_version}"


class UserRole(SQLModel, table=True):
    """One role held by one user."""

    __tablename__ = "core_user_role"
    __table_args__ = (CheckConstraint(f"role IN ({_in(Role)})", name="role_known"),)

    user_id: int = Field(foreign_key="core_user.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=20, primary_key=True)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API, stored as its SHA-256 only; revocable and expiring."""

    __tablename__ = "core_api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


class Community(SQLModel, table=True):
    """A managed residential compound (小区)."""

    __tablename__ = "core_community"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=100)
    address: str = Field(default="", max_length=200)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    #: When the property's service centre answers, e.g. "08:00-20:00" (empty: not said).
    service_hours: str = Field(default="", max_length=11)


class Building(SQLModel, table=True):
    """A building (楼栋) of a community."""

    __tablename__ = "core_building"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)
    name: str = Field(max_length=50)


class Unit(SQLModel, table=True):
    """A home (房号) of a building, from the property's owner list, with its join code.

    The join code is printed on the property's notice to the household: entering it proves
    the registrant lives there.
    """

    __tablename__ = "core_unit"
    __table_args__ = (UniqueConstraint("building_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="core_building.id", index=True)
    name: str = Field(max_length=20)
    owner_name: str = Field(default="", max_length=80)
    owner_phone: str = Field(default="", max_length=32)
    join_code: str = Field(max_length=8)


class ResidentProfile(SQLModel, table=True):
    """Where a resident lives and which segment they are in."""

    __tablename__ = "core_resident_profile"
    __table_args__ = (CheckConstraint(f"segment IN ({_in(Segment)})", name="segment_known"),)

    user_id: int = Field(foreign_key="core_user.id", primary_key=True, ondelete="CASCADE")
    building_id: int = Field(foreign_key="core_building.id", index=True)
    room: str = Field(max_length=20)
    phone: str = Field(max_length=32)
    segment: str = Field(default=Segment.MASS.value, max_length=10)
    #: When the property confirmed the household lives there (None: browsing only, no orders).
    verified_at: datetime | None = None
    unit_id: int | None = Field(default=None, foreign_key="core_unit.id")


class AuditEntry(SQLModel, table=True):
    """An append-only record of a consequential action: who, what, on which subject, when."""

    __tablename__ = "core_audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="core_user.id")
    action: str = Field(max_length=64)
    subject_type: str = Field(max_length=64)
    subject_id: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Notification(SQLModel, table=True):
    """A message for one user: an outbox row delivered by a job to the inbox and channels."""

    __tablename__ = "core_notification"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    kind: str = Field(max_length=40)
    subject: str = Field(max_length=200)
    body: str = Field(default="", max_length=1000)
    link: str = Field(default="", max_length=200)
    #: At most one message per key (e.g. one warning per promise and person).
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = Field(default=None, index=True)
    read_at: datetime | None = None
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class MeasureFigure(SQLModel, table=True):
    """One month's figure of one measure for one scope, written by the monthly snapshot job.

    `scope` is "platform", "compound", "grid", "supplier" or "staff" (with `scope_id`, 0 for
    the platform); `value` is in the measure's unit (basis points, fen, a count, minutes),
    None when nothing could be measured; `n` the sample it was measured on.
    """

    __tablename__ = "core_measure_figure"
    __table_args__ = (UniqueConstraint("month", "measure", "scope", "scope_id"),)

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    measure: str = Field(max_length=40, index=True)
    scope: str = Field(max_length=10)
    scope_id: int = 0
    value: int | None = None
    n: int = 0
    #: The orders behind the figure (at most 200), so a person can see and appeal them.
    order_ids: list[int] = Field(default_factory=list, sa_type=JSON, nullable=False)
    made_at: datetime = Field(default_factory=utcnow)


class CommitteeSeat(SQLModel, table=True):
    """The compound whose owners' committee a login speaks for (one compound per login)."""

    __tablename__ = "core_committee_seat"

    user_id: int = Field(foreign_key="core_user.id", primary_key=True)
    community_id: int = Field(foreign_key="core_community.id", index=True)


class SearchEntry(SQLModel, table=True):
    """One document of a full-text index on the PostgreSQL engine (SEARCH_ENGINE=postgres).

    `terms` holds each searched term as `field:term` (jieba's words, pinyin, keywords); a GIN
    index finds the documents of any of them. `stored` is what a hit hands back. On SQLite
    the table exists but stays empty (the engine needs PostgreSQL).
    """

    __tablename__ = "core_search_entry"
    __table_args__ = (Index("ix_core_search_entry_terms", "terms", postgresql_using="gin"),)

    index_name: str = Field(primary_key=True, max_length=40)
    key: str = Field(primary_key=True, max_length=200)
    terms: str = Field(sa_column=Column(TSVECTOR().with_variant(Text(), "sqlite"), nullable=False))
    stored: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB().with_variant(JSON(), "sqlite"), nullable=False),
    )
