"""Reads of the catalogue for the storefront, the API and the operator: frozen views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, bindparam, cast
from sqlalchemy import select as sa_select
from sqlmodel import func, or_, select

import suppliers.api
from shop.core import db, media
from shop.core.values import view_of
from suppliers.catalogue import rules
from suppliers.catalogue.models import (
    Bundle,
    BundleComponent,
    BundleStatus,
    Category,
    CommitmentPolicy,
    SynonymGroup,
)
from suppliers.catalogue.services import policies


@dataclass(frozen=True)
class CategoryView:
    """An open category with how many bundles the viewer can see in it."""

    id: int
    name: str
    name_en: str
    bundles: int


@dataclass(frozen=True)
class ComponentView:
    """One item of a bundle as a resident sees it."""

    item_id: int
    name: str
    supplier: str
    kind: str
    quantity: int
    unit: str
    duration_minutes: int | None
    slot_times: tuple[str, ...]


@dataclass(frozen=True)
class BundleCard:
    """A bundle in a list, priced for the viewer."""

    id: int
    title: str
    image: str | None
    category_id: int
    price_minor: int
    currency: str
    is_care_price: bool
    saving_minor: int
    available: int | None
    status: str


@dataclass(frozen=True)
class BundleView(BundleCard):
    """A bundle's page: its items, value-adds, promises, savings (and margin for staff)."""

    description: str
    value_adds: tuple[str, ...]
    tags: tuple[str, ...]
    segments: tuple[str, ...]
    components: tuple[ComponentView, ...]
    promises: tuple[str, ...]
    policy_id: int
    base_price_minor: int
    care_price_minor: int | None
    reference_price_minor: int | None
    saving_vs_reference_minor: int | None
    settlement_minor: int
    margin_minor: int
    slot_times: tuple[str, ...]
    is_featured: bool
    gallery: tuple[str, ...] = ()


def _visible_clause(viewer: str | None, opened: Iterable[str]) -> object:
    wanted = rules.visible_segments(viewer, opened)
    return or_(*[cast(Bundle.segments, String).like(f'%"{s}"%') for s in sorted(wanted)])


def _components(bundle_ids: Sequence[int]) -> dict[int, list[BundleComponent]]:
    by_bundle: dict[int, list[BundleComponent]] = {b: [] for b in bundle_ids}
    if bundle_ids:
        rows = db.session().exec(
            select(BundleComponent)
            .where(BundleComponent.bundle_id.in_(list(bundle_ids)))
            .order_by(BundleComponent.position)
        )
        for c in rows:
            by_bundle[c.bundle_id].append(c)
    return by_bundle


def _lines(
    components: Sequence[BundleComponent], items: dict[int, suppliers.api.ItemRef]
) -> list[rules.Line]:
    return [
        rules.Line(
            c.quantity,
            c.settlement_price_minor,
            c.list_price_minor,
            items[c.item_id].stock if items[c.item_id].kind == "goods" else None,
        )
        for c in components
        if c.item_id in items
    ]


def image_keys(
    bundle: Bundle,
    components: Sequence[BundleComponent],
    items: dict[int, suppliers.api.ItemRef],
) -> list[str]:
    """The bundle's own images, else its items' (in component order), each once."""
    keys = list(bundle.images) or [
        k for c in components if c.item_id in items for k in items[c.item_id].images
    ]
    return list(dict.fromkeys(keys))


def _cards(
    bundles: Sequence[Bundle], viewer: str | None, opened: Iterable[str]
) -> list[BundleCard]:
    comps = _components([b.id for b in bundles])
    items = suppliers.api.get_items([c.item_id for cs in comps.values() for c in cs])
    cards = []
    for b in bundles:
        lines = _lines(comps[b.id], items)
        price = rules.unit_price(b.price_minor, b.care_price_minor, viewer, opened)
        cards.append(
            view_of(
                BundleCard,
                b,
                image=next((media.image_url(k) for k in image_keys(b, comps[b.id], items)), None),
                price_minor=price,
                is_care_price=price != b.price_minor,
                saving_minor=rules.saving_vs_components(price, lines),
                available=rules.available(lines),
            )
        )
    return cards


def list_categories(viewer: str | None, opened: Iterable[str]) -> list[CategoryView]:
    """The open categories, each with its count of bundles the viewer can see."""
    s = db.session()
    counts = dict(
        s.exec(
            select(Bundle.category_id, func.count())
            .where(Bundle.status == BundleStatus.PUBLISHED, _visible_clause(viewer, opened))
            .group_by(Bundle.category_id)
        ).all()
    )
    rows = s.exec(
        select(Category).where(Category.is_active).order_by(Category.position, Category.id)
    )
    return [CategoryView(c.id, c.name, c.name_en, counts.get(c.id, 0)) for c in rows]


def find_category(
    category_id: int, viewer: str | None, opened: Iterable[str]
) -> CategoryView | None:
    """One open category with the count of bundles the viewer can see in it."""
    s = db.session()
    category = s.get(Category, category_id)
    if category is None or not category.is_active:
        return None
    count = s.exec(
        select(func.count())
        .select_from(Bundle)
        .where(
            Bundle.category_id == category_id,
            Bundle.status == BundleStatus.PUBLISHED,
            _visible_clause(viewer, opened),
        )
    ).one()
    return CategoryView(category.id, category.name, category.name_en, count)


def list_bundles(
    *,
    viewer: str | None,
    opened: Iterable[str],
    category_id: int | None = None,
    featured: bool | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[BundleCard], int]:
    """A page of the published bundles the viewer may see, newest first, and the total."""
    stmt = select(Bundle).where(
        Bundle.status == BundleStatus.PUBLISHED, _visible_clause(viewer, opened)
    )
    if category_id is not None:
        stmt = stmt.where(Bundle.category_id == category_id)
    if featured is not None:
        stmt = stmt.where(Bundle.is_featured == featured)
    stmt = stmt.order_by(Bundle.rank.desc(), Bundle.published_at.desc(), Bundle.id.desc())
    rows, total = db.page(stmt, page, per_page)
    return _cards(rows, viewer, opened), total


def cards_for(
    bundle_ids: Sequence[int], *, viewer: str | None, opened: Iterable[str]
) -> dict[int, BundleCard]:
    """Cards of these published bundles that the viewer may see (others are left out)."""
    if not bundle_ids:
        return {}
    rows = (
        db.session()
        .exec(
            select(Bundle).where(
                Bundle.id.in_(list(bundle_ids)),
                Bundle.status == BundleStatus.PUBLISHED,
                _visible_clause(viewer, opened),
            )
        )
        .all()
    )
    return {card.id: card for card in _cards(rows, viewer, opened)}


def bundle_view(
    bundle_id: int, *, viewer: str | None, opened: Iterable[str], include_unpublished: bool = False
) -> BundleView | None:
    """A bundle's page for the viewer, or None if it is not (or not for them) on sale."""
    b = db.session().get(Bundle, bundle_id)
    if b is None:
        return None
    if not include_unpublished and (
        b.status != BundleStatus.PUBLISHED or not rules.is_visible(b.segments, viewer, opened)
    ):
        return None
    comps = _components([b.id])[b.id]
    items = suppliers.api.get_items([c.item_id for c in comps])
    lines = _lines(comps, items)
    [card] = _cards([b], viewer, opened)
    nodes = policy_nodes(b)
    components = _component_views(comps, items)
    slots = sorted({t for comp in components for t in comp.slot_times})
    return view_of(
        BundleView,
        card,
        b,
        components=components,
        promises=tuple(policies.describe_all(nodes, b.currency)),
        base_price_minor=b.price_minor,
        saving_vs_reference_minor=rules.saving_vs_reference(
            card.price_minor, b.reference_price_minor
        ),
        settlement_minor=rules.settlement_total(lines),
        margin_minor=rules.margin(card.price_minor, lines),
        slot_times=tuple(slots),
        gallery=tuple(
            url for k in image_keys(b, comps, items) if (url := media.image_url(k, "page"))
        ),
    )


def _component_views(
    comps: Sequence[Any], items: dict[int, suppliers.api.ItemRef]
) -> tuple[ComponentView, ...]:
    """The bundle's components as a shopper sees them (an item gone from the supplier: left out)."""
    return tuple(
        ComponentView(
            c.item_id,
            items[c.item_id].name,
            items[c.item_id].supplier_name,
            items[c.item_id].kind,
            c.quantity,
            items[c.item_id].unit,
            items[c.item_id].duration_minutes,
            items[c.item_id].slot_times,
        )
        for c in comps
        if c.item_id in items
    )


def synonyms() -> dict[str, list[str]]:
    """Each word with the other words of its synonym group."""
    out: dict[str, list[str]] = {}
    for group in db.session().exec(select(SynonymGroup)):
        for word in group.words:
            out[word] = [w for w in group.words if w != word]
    return out


def synonym_groups() -> list[list[str]]:
    """The synonym groups, as the operator edits them."""
    return [g.words for g in db.session().exec(select(SynonymGroup).order_by(SynonymGroup.id))]


def all_bundles(status: str | None = None) -> list[Bundle]:
    """Every bundle for the operator, newest first."""
    stmt = select(Bundle).order_by(Bundle.id.desc())
    if status:
        stmt = stmt.where(Bundle.status == status)
    return list(db.session().exec(stmt))


def policy_nodes(bundle: Bundle) -> list[dict[str, Any]]:
    """The promises of a bundle: its policy's nodes, with its category's service standard."""
    policy = db.session().get(CommitmentPolicy, bundle.policy_id) if bundle.policy_id else None
    if policy is None:
        return []
    category = db.session().get(Category, bundle.category_id)
    return policies.with_checklist(policy.nodes, category.checklist if category else ())


def all_categories() -> list[Category]:
    """Every category for the operator."""
    return list(db.session().exec(select(Category).order_by(Category.position, Category.id)))


def all_policies() -> list[CommitmentPolicy]:
    """Every commitment policy."""
    return list(db.session().exec(select(CommitmentPolicy).order_by(CommitmentPolicy.id)))


def categories_of(bundle_ids: list[int]) -> dict[int, int]:
    """The category of each bundle, by bundle id."""
    rows = db.session().exec(select(Bundle.id, Bundle.category_id).where(Bundle.id.in_(bundle_ids)))
    return dict(rows.all())


_bundles, _policies, _categories = (
    db.table(Bundle),
    db.table(CommitmentPolicy),
    db.table(Category),
)
#: Checkout reads this on every order: built once, plain columns, no ORM objects.
_CHECKOUT_ROW = (
    sa_select(
        _bundles.c.id,
        _bundles.c.title,
        _bundles.c.status,
        _bundles.c.segments,
        _bundles.c.price_minor,
        _bundles.c.care_price_minor,
        _bundles.c.currency,
        _policies.c.nodes,
        _categories.c.checklist,
    )
    .select_from(_bundles)
    .outerjoin(_policies, _policies.c.id == _bundles.c.policy_id)
    .outerjoin(_categories, _categories.c.id == _bundles.c.category_id)
    .where(_bundles.c.id == bindparam("bundle"))
)


def checkout_row(bundle_id: int) -> Any | None:
    """What checkout needs of a bundle, as one row, or None.

    Its id, title, status, segments, prices and currency, its policy's `nodes` (None without
    a policy) and its category's `checklist`.
    """
    return db.run(_CHECKOUT_ROW, {"bundle": bundle_id}).first()


def bundles_made_by(supplier_id: int) -> list[tuple[int, str]]:
    """Published bundles made of this supplier's items only: (id, title), by title."""
    item_ids = suppliers.api.item_ids_of_supplier(supplier_id)
    if not item_ids:
        return []
    others = select(BundleComponent.bundle_id).where(BundleComponent.item_id.not_in(item_ids))
    rows = db.session().exec(
        select(Bundle.id, Bundle.title)
        .where(
            Bundle.status == BundleStatus.PUBLISHED,
            Bundle.id.in_(select(BundleComponent.bundle_id)),
            Bundle.id.not_in(others),
        )
        .order_by(Bundle.title)
    )
    return [(bundle_id, title) for bundle_id, title in rows]
