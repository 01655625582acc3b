"""Search index upkeep: one bundle at a time after commit, or the whole index on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlmodel import func, select

import suppliers.api
from shop.core import db
from shop.core.jobs import job
from suppliers.catalogue.models import Bundle, BundleComponent, BundleStatus, Category
from suppliers.catalogue.services import search


def _doc(bundle: Bundle, category: Category | None) -> search.BundleDoc:
    comps = db.session().exec(select(BundleComponent).where(BundleComponent.bundle_id == bundle.id))
    items = suppliers.api.get_items([c.item_id for c in comps])
    scores = suppliers.api.supplier_scores(sorted({i.supplier_id for i in items.values()}))
    return search.BundleDoc(
        id=bundle.id,
        title=bundle.title,
        description=bundle.description,
        category=category.name if category else "",
        category_id=bundle.category_id,
        tags=bundle.tags,
        component_names=[i.name for i in items.values()],
        supplier_names=sorted({i.supplier_name for i in items.values()}),
        segments=bundle.segments,
        rank=min((scores.get(i.supplier_id, 0) for i in items.values()), default=0),
    )


@job(queue="search")
def index_bundle(bundle_id: int) -> None:
    """Bring one bundle's entry up to date: indexed while published, removed otherwise.

    Idempotent, and safe in any order: it reads the bundle as it is now.
    """
    bundle = db.session().get(Bundle, bundle_id)
    ix = search.index()
    if bundle is None or bundle.status != BundleStatus.PUBLISHED:
        ix.update([], delete=[bundle_id])
        return
    category = db.session().get(Category, bundle.category_id)
    ix.update([search.to_document(_doc(bundle, category))])


def count_published() -> int:
    """How many bundles the index should hold."""
    stmt = select(func.count()).select_from(Bundle).where(Bundle.status == BundleStatus.PUBLISHED)
    return db.session().exec(stmt).one()


def published_docs() -> Iterator[search.BundleDoc]:
    """Every published bundle as an index document."""
    categories = {c.id: c for c in db.session().exec(select(Category))}
    stmt = select(Bundle).where(Bundle.status == BundleStatus.PUBLISHED).order_by(Bundle.id)
    for bundle in db.session().exec(stmt).all():
        yield _doc(bundle, categories.get(bundle.category_id))


def rebuild_index(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the bundle index from the database."""
    with db.session_scope(write=False):
        return search.rebuild(published_docs(), progress=progress)


def count_for_reindex() -> int:
    """How many documents a rebuild will write."""
    with db.session_scope(write=False):
        return count_published()
