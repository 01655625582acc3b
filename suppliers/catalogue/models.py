"""Tables of the catalogue: categories, commitment policies, bundles, components, synonyms."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from shop.core.db import utcnow


class BundleStatus(StrEnum):
    """A bundle is composed as a draft, published to residents, and withdrawn."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


def _json(default: Any = None) -> Any:
    return Field(
        default_factory=lambda: [] if default is None else default,
        sa_column=Column(JSON, nullable=False),
    )


class Category(SQLModel, table=True):
    """A storefront category (饮用水, 家政保洁 …); in phase 1 only a few may be active."""

    __tablename__ = "catalogue_category"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    name_en: str = Field(default="", max_length=60)
    position: int = 0
    is_active: bool = False
    #: The service standard staff answer item by item in this category (knock and announce,
    #: shoe covers, …); it joins the standard promise of the category's bundles.
    checklist: list[str] = _json()


class CommitmentPolicy(SQLModel, table=True):
    """A reusable service promise: nodes (accept, window, complete, standard) with compensation."""

    __tablename__ = "catalogue_policy"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    #: Validated by suppliers.catalogue.services.policies; orders snapshot them at payment.
    nodes: list[dict[str, Any]] = _json()
    updated_at: datetime = Field(default_factory=utcnow)


class Bundle(SQLModel, table=True):
    """A 产品包: supplier items packaged with value-adds, a price and a commitment policy."""

    __tablename__ = "catalogue_bundle"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name="status_known"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("care_price_minor IS NULL OR care_price_minor >= 0", name="care_price"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    category_id: int = Field(foreign_key="catalogue_category.id", index=True)
    images: list[str] = _json()
    value_adds: list[str] = _json()
    tags: list[str] = _json()
    price_minor: int
    care_price_minor: int | None = None
    reference_price_minor: int | None = None
    currency: str = Field(default="CNY", max_length=3)
    #: Who may see it: any of mass, premium, care (see suppliers.catalogue.rules).
    segments: list[str] = _json(["mass"])
    policy_id: int = Field(foreign_key="catalogue_policy.id")
    status: str = Field(default=BundleStatus.DRAFT.value, max_length=10, index=True)
    is_featured: bool = False
    #: The suppliers' scorecard figure (the weakest component's), kept by the scorecard job:
    #: listings and search rank by it among equals.
    rank: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdraw_reason: str = Field(default="", max_length=300)


class BundleComponent(SQLModel, table=True):
    """One supplier item in a bundle: how many, what the supplier is paid, what it sells for."""

    __tablename__ = "catalogue_component"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("settlement_price_minor >= 0", name="settlement_not_negative"),
        CheckConstraint("list_price_minor >= 0", name="list_price_not_negative"),
    )

    bundle_id: int = Field(foreign_key="catalogue_bundle.id", primary_key=True)
    item_id: int = Field(foreign_key="suppliers_item.id", primary_key=True, index=True)
    quantity: int = 1
    #: Paid to the supplier per unit (fen).
    settlement_price_minor: int
    #: What a resident would pay for one unit bought alone (fen): the basis of the saving.
    list_price_minor: int
    position: int = 0


class SynonymGroup(SQLModel, table=True):
    """Words that mean the same to a shopper (矿泉水 ~ 饮用水); searches expand with them."""

    __tablename__ = "catalogue_synonym_group"

    id: int | None = Field(default=None, primary_key=True)
    words: list[str] = _json()


class SegmentSetting(SQLModel, table=True):
    """Whether a segment (premium, care) is open; mass is always open."""

    __tablename__ = "catalogue_segment_setting"

    segment: str = Field(primary_key=True, max_length=10)
    is_open: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="core_user.id")
