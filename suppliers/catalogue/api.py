"""What other packages may use of the catalogue: frozen views of bundles and their search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import suppliers.api
from suppliers.catalogue import errors as errors  # the refusals other packages may catch
from suppliers.catalogue import queries, rules
from suppliers.catalogue.models import BundleStatus
from suppliers.catalogue.queries import BundleCard, BundleView, CategoryView, ComponentView
from suppliers.catalogue.services import bundles as services
from suppliers.catalogue.services import policies, search

__all__ = ["BundleCard", "BundleView", "CategoryView", "ComponentView", "SearchHit"]


def opened_segments() -> frozenset[str]:
    """The segments open to residents (mass always)."""
    return services.opened_segments()


def list_categories(viewer: str | None) -> list[CategoryView]:
    """The open categories with their bundle counts for this viewer."""
    return queries.list_categories(viewer, opened_segments())


def find_category(category_id: int, *, viewer: str | None) -> CategoryView | None:
    """One open category with its bundle count for this viewer, or None."""
    return queries.find_category(category_id, viewer, opened_segments())


def list_bundles(
    *,
    viewer: str | None,
    category_id: int | None = None,
    featured: bool | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[BundleCard], int]:
    """A page of bundles this viewer may see, priced for them, and the total."""
    return queries.list_bundles(
        viewer=viewer,
        opened=opened_segments(),
        category_id=category_id,
        featured=featured,
        page=page,
        per_page=per_page,
    )


categories_of = queries.categories_of
bundles_made_by = queries.bundles_made_by


def get_bundle_view(bundle_id: int, *, viewer: str | None) -> BundleView | None:
    """A published bundle's page for this viewer, or None."""
    return queries.bundle_view(bundle_id, viewer=viewer, opened=opened_segments())


def cards_for(bundle_ids: list[int], *, viewer: str | None) -> dict[int, BundleCard]:
    """Cards of these bundles that are on sale to this viewer."""
    return queries.cards_for(bundle_ids, viewer=viewer, opened=opened_segments())


@dataclass(frozen=True)
class SearchHit:
    """A search result: the card and the title with the matched words marked."""

    card: BundleCard
    title_html: str


def search_bundles(
    text: str, *, viewer: str | None, limit: int = 20
) -> tuple[list[SearchHit], bool]:
    """Bundles for the shopper's words, best first; (hits, whether the time box cut it short)."""
    from suppliers.catalogue.rules import visible_segments

    opened = opened_segments()
    found, partial = search.search(
        text, synonyms=queries.synonyms(), visible=visible_segments(viewer, opened), limit=limit
    )
    cards = queries.cards_for([f.bundle_id for f in found], viewer=viewer, opened=opened)
    return [
        SearchHit(cards[f.bundle_id], f.title_html) for f in found if f.bundle_id in cards
    ], partial


# Commands for the layers above (the demo, data imports). Each flushes, the unit of work
# commits; they answer with ids, never the catalogue's rows.


def create_category(*, name: str, name_en: str = "", actor_id: int) -> int:
    """Add a category (closed until opened); its id."""
    return services.create_category(name=name, name_en=name_en, actor_id=actor_id).id


def set_category_active(*, category_id: int, is_active: bool, actor_id: int) -> None:
    """Open or close a category."""
    services.set_category_active(category_id=category_id, is_active=is_active, actor_id=actor_id)


def set_category_checklist(*, category_id: int, checklist: Sequence[str], actor_id: int) -> None:
    """The standard staff tick at every visit of the category's services."""
    services.set_category_checklist(category_id=category_id, checklist=checklist, actor_id=actor_id)


def save_policy(*, actor_id: int, data: Mapping[str, Any]) -> int:
    """Add a commitment policy; its id."""
    return services.save_policy(actor_id=actor_id, data=data).id


def create_bundle(*, actor_id: int, data: Mapping[str, Any]) -> int:
    """Compose a bundle (a draft); its id."""
    return services.create_bundle(actor_id=actor_id, data=data).id


def publish_bundle(*, bundle_id: int, actor_id: int) -> None:
    """Put a bundle on sale."""
    services.publish_bundle(bundle_id=bundle_id, actor_id=actor_id)


replace_synonyms = services.replace_synonyms
set_segment_open = services.set_segment_open


@dataclass(frozen=True)
class ComponentSnapshot:
    """A component as an order line copies it at checkout."""

    item_id: int
    supplier_id: int
    name: str
    kind: str
    quantity: int
    settlement_price_minor: int
    staff_role: str
    duration_minutes: int | None


@dataclass(frozen=True)
class CheckoutBundle:
    """What checkout copies of a bundle: title, this viewer's price, components, policy."""

    id: int
    title: str
    unit_price_minor: int
    currency: str
    components: tuple[ComponentSnapshot, ...]
    policy_nodes: tuple[dict, ...]
    #: The communities each service component is offered in, by item (absent or empty: all).
    service_areas: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    #: The open orders each limited supplier (on probation) may carry, by supplier.
    supplier_limits: Mapping[int, int] = field(default_factory=dict)

    @property
    def is_service(self) -> bool:
        """Whether the bundle holds a service (booked in a slot rather than a window)."""
        return any(c.kind == "service" for c in self.components)

    def serves(self, community_id: int) -> bool:
        """Whether every service of the bundle is offered in the community (goods go anywhere)."""
        return all(not ids or community_id in ids for ids in self.service_areas.values())


def _component(row: Mapping[str, Any], item: Any) -> ComponentSnapshot:
    return ComponentSnapshot(
        row["item_id"],
        item.supplier_id,
        item.name,
        item.kind,
        row["quantity"],
        row["settlement_price_minor"],
        item.staff_role,
        item.duration_minutes,
    )


def bundle_for_checkout(bundle_id: int, *, viewer: str | None) -> CheckoutBundle | None:
    """The bundle as this viewer may buy it now, or None (not on sale to them).

    Lean on purpose (checkout is the hot path): one read of the bundle with its policy and
    category, one of its components, one of their items with their suppliers; what checkout
    then checks (service area, a supplier's open-order limit) comes with it, not read again.
    """
    b = queries.checkout_row(bundle_id)
    if b is None:
        return None
    if b.status != BundleStatus.PUBLISHED or not rules.is_visible(
        b.segments, viewer, opened_segments()
    ):
        return None
    rows = services.components_of(bundle_id)
    items = suppliers.api.get_items([c["item_id"] for c in rows])
    if any(c["item_id"] not in items or not items[c["item_id"]].may_sell for c in rows):
        return None
    limits = {
        ref.supplier_id: limit
        for ref in items.values()
        if (limit := suppliers.api.open_order_limit(ref.supplier_status)) is not None
    }
    return CheckoutBundle(
        id=b.id,
        title=b.title,
        unit_price_minor=rules.unit_price(
            b.price_minor, b.care_price_minor, viewer, opened_segments()
        ),
        currency=b.currency,
        components=tuple(_component(c, items[c["item_id"]]) for c in rows),
        policy_nodes=(
            tuple(policies.with_checklist(b.nodes, list(b.checklist or ())))
            if b.nodes is not None
            else ()
        ),
        service_areas={
            ref.id: tuple(ref.service_community_ids)
            for ref in items.values()
            if ref.kind == "service"
        },
        supplier_limits=limits,
    )
