"""Write operations of the catalogue. Services flush and enqueue; the unit of work commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete
from sqlalchemy import select as sa_select
from sqlmodel import func, select

import suppliers.api
from shop.core import audit, db, jobs
from shop.core.errors import Forbidden, Invalid, NotFound
from suppliers.catalogue import rules
from suppliers.catalogue.errors import (
    CategoryInactive,
    CategoryLimit,
    MultiItemPhase1,
    NoComponents,
    PriceBelowSettlement,
    SupplierNotApproved,
    TransitionNotAllowed,
)
from suppliers.catalogue.models import (
    Bundle,
    BundleComponent,
    BundleStatus,
    Category,
    CommitmentPolicy,
    SegmentSetting,
    SynonymGroup,
)
from suppliers.catalogue.services.policies import PolicySchema

INDEX_JOB = "suppliers.catalogue.jobs.index_bundle"
MAX_CHECKLIST_ITEMS = 12
#: The bundle process: (status, action) -> new status, and who may take it.
TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("draft", "publish"): ("published", frozenset({"operator"})),
    ("withdrawn", "publish"): ("published", frozenset({"operator"})),
    ("published", "withdraw"): ("withdrawn", frozenset({"operator", "system"})),
}


def create_category(*, name: str, name_en: str = "", actor_id: int) -> Category:
    """Add a category (inactive until the operator activates it)."""
    s = db.session()
    if s.exec(select(Category.id).where(Category.name == name.strip())).first():
        raise Invalid(_("This category exists."), fields={"name": [_("This category exists.")]})
    category = Category(name=name.strip(), name_en=name_en.strip())
    s.add(category)
    s.flush()
    audit.record(
        actor_id=actor_id,
        action="category.created",
        subject_type="category",
        subject_id=category.id,
        data={"name": category.name},
    )
    return category


def set_category_checklist(
    *, category_id: int, checklist: Sequence[str], actor_id: int
) -> Category:
    """Set the service standard staff answer item by item for this category's services."""
    category = db.session().get(Category, category_id)
    if category is None:
        raise NotFound(_("No such category."))
    items = list(dict.fromkeys(item.strip() for item in checklist if item.strip()))
    if len(items) > MAX_CHECKLIST_ITEMS or any(len(item) > 80 for item in items):
        message = _("At most %(n)d items of at most 80 characters each.", n=MAX_CHECKLIST_ITEMS)
        raise Invalid(message, fields={"checklist": [message]})
    category.checklist = items
    audit.record(
        actor_id=actor_id,
        action="category.checklist",
        subject_type="category",
        subject_id=category_id,
        data={"checklist": items},
    )
    db.session().flush()
    return category


def set_category_active(*, category_id: int, is_active: bool, actor_id: int) -> Category:
    """Open or close a category; in phase 1 at most MAX_PHASE1_CATEGORIES may be open."""
    s = db.session()
    category = s.get(Category, category_id)
    if category is None:
        raise NotFound(_("No such category."))
    if is_active and not category.is_active and suppliers.api.current_phase() == 1:
        limit = int(current_app.config["MAX_PHASE1_CATEGORIES"])
        active = s.exec(select(func.count()).select_from(Category).where(Category.is_active))
        if active.one() >= limit:
            raise CategoryLimit(_("In phase 1 the store keeps to %(n)d categories.", n=limit))
    category.is_active = is_active
    audit.record(
        actor_id=actor_id,
        action="category.opened" if is_active else "category.closed",
        subject_type="category",
        subject_id=category_id,
    )
    s.flush()
    return category


def save_policy(
    *, actor_id: int, data: Mapping[str, Any], policy_id: int | None = None
) -> CommitmentPolicy:
    """Create or change a commitment policy (validated by PolicySchema)."""
    clean = PolicySchema().load(dict(data))
    s = db.session()
    policy = s.get(CommitmentPolicy, policy_id) if policy_id else CommitmentPolicy(name="")
    if policy is None:
        raise NotFound(_("No such policy."))
    taken = s.exec(
        select(CommitmentPolicy.id).where(
            CommitmentPolicy.name == clean["name"], CommitmentPolicy.id != policy.id
        )
    ).first()
    if taken:
        raise Invalid(_("This name is taken."), fields={"name": [_("This name is taken.")]})
    policy.name, policy.nodes, policy.updated_at = clean["name"], clean["nodes"], db.utcnow()
    s.add(policy)
    s.flush()
    audit.record(
        actor_id=actor_id,
        action="policy.saved",
        subject_type="policy",
        subject_id=policy.id,
        data={"nodes": clean["nodes"]},
    )
    return policy


def _lines(
    components: Sequence[Mapping[str, Any]], items: Mapping[int, suppliers.api.ItemRef]
) -> list[rules.Line]:
    return [
        rules.Line(
            c["quantity"],
            c["settlement_price_minor"],
            c["list_price_minor"],
            items[c["item_id"]].stock if items[c["item_id"]].kind == "goods" else None,
        )
        for c in components
    ]


def _check_rules(data: Mapping[str, Any], *, publishing: bool) -> None:
    s = db.session()
    components = data["components"]
    items = suppliers.api.get_items([c["item_id"] for c in components])
    if missing := [c["item_id"] for c in components if c["item_id"] not in items]:
        raise Invalid(
            _("Unknown item."), fields={"components": [_("Unknown items: %(ids)s", ids=missing)]}
        )
    if len({c["item_id"] for c in components}) != len(components):
        raise Invalid(_("Each item once."), fields={"components": [_("Each item once.")]})
    category = s.get(Category, data["category_id"])
    if category is None:
        raise Invalid(_("No such category."), fields={"category_id": [_("No such category.")]})
    if s.get(CommitmentPolicy, data["policy_id"]) is None:
        raise Invalid(_("No such policy."), fields={"policy_id": [_("No such policy.")]})
    if len(components) > 1 and suppliers.api.current_phase() == 1:
        raise MultiItemPhase1(
            _("In phase 1 a bundle holds a single item; set menus come in phase 2.")
        )
    settlements = rules.settlement_total(_lines(components, items))
    for field in ("price_minor", "care_price_minor"):
        if data.get(field) is not None and data[field] < settlements:
            raise PriceBelowSettlement(
                _(
                    "The price %(price)s is below what the suppliers are paid (%(paid)s).",
                    price=f"{data[field] / 100:.2f}",
                    paid=f"{settlements / 100:.2f}",
                ),
                fields={field: [_("Below what the suppliers are paid.")]},
            )
    if not publishing:
        return
    if not components:
        raise NoComponents(_("A bundle needs at least one item."))
    if blocked := [items[c["item_id"]] for c in components if not items[c["item_id"]].may_sell]:
        names = "、".join(f"{i.name}（{i.supplier_name}）" for i in blocked)
        raise SupplierNotApproved(
            _(
                "These items cannot be sold: their supplier is not approved or the "
                "item is inactive: %(names)s",
                names=names,
            ),
        )
    if not category.is_active:
        raise CategoryInactive(_("Open the category %(name)s first.", name=category.name))


_component = db.table(BundleComponent).c
_COMPONENTS = (
    sa_select(
        _component.item_id,
        _component.quantity,
        _component.settlement_price_minor,
        _component.list_price_minor,
    )
    .where(_component.bundle_id == bindparam("bundle"))
    .order_by(_component.position)
)


def components_of(bundle_id: int) -> list[dict[str, Any]]:
    """A bundle's components as BundleInSchema writes them (read at every checkout)."""
    return [dict(row._mapping) for row in db.run(_COMPONENTS, {"bundle": bundle_id})]


def _as_data(bundle: Bundle) -> dict[str, Any]:
    return {**bundle.model_dump(), "components": components_of(bundle.id)}


def create_bundle(*, actor_id: int, data: Mapping[str, Any]) -> Bundle:
    """Compose a draft bundle (validated by BundleSchema, then by the catalogue rules)."""
    _check_rules(data, publishing=False)
    values = {k: v for k, v in data.items() if k != "components"}
    bundle = Bundle(currency=current_app.config["CURRENCY"], **values)
    db.session().add(bundle)
    db.session().flush()
    _replace_components(bundle.id, data["components"])
    audit.record(
        actor_id=actor_id, action="bundle.created", subject_type="bundle", subject_id=bundle.id
    )
    return bundle


def _replace_components(bundle_id: int, components: Sequence[Mapping[str, Any]]) -> None:
    s = db.session()
    s.execute(delete(BundleComponent).where(BundleComponent.bundle_id == bundle_id))
    for position, c in enumerate(components):
        s.add(BundleComponent(bundle_id=bundle_id, position=position, **c))
    s.flush()


def update_bundle(*, bundle_id: int, actor_id: int, changes: Mapping[str, Any]) -> Bundle:
    """Change a bundle; a published one must still pass every publishing rule."""
    bundle = get_bundle(bundle_id)
    merged = {**_as_data(bundle), **changes}
    _check_rules(merged, publishing=bundle.status == BundleStatus.PUBLISHED)
    for name, value in changes.items():
        if name != "components":
            setattr(bundle, name, value)
    if "components" in changes:
        _replace_components(bundle.id, changes["components"])
    bundle.updated_at = db.utcnow()
    audit.record(
        actor_id=actor_id,
        action="bundle.changed",
        subject_type="bundle",
        subject_id=bundle.id,
        data={"fields": sorted(changes)},
    )
    db.session().flush()
    jobs.enqueue_after_commit(INDEX_JOB, bundle.id)
    return bundle


def _transition(
    bundle: Bundle, action: str, actor: str, actor_id: int | None, reason: str = ""
) -> None:
    step = TRANSITIONS.get((bundle.status, action))
    if step is None:
        raise TransitionNotAllowed(
            _(
                "A %(status)s bundle cannot be given %(action)s.",
                status=bundle.status,
                action=action,
            ),
        )
    if actor not in step[1]:
        raise Forbidden(_("You may not do this to a bundle."))
    before, bundle.status = bundle.status, step[0]
    now = db.utcnow()
    if bundle.status == BundleStatus.PUBLISHED:
        bundle.published_at, bundle.withdrawn_at, bundle.withdraw_reason = now, None, ""
    else:
        bundle.withdrawn_at, bundle.withdraw_reason = now, reason[:300]
    audit.record(
        actor_id=actor_id,
        action=f"bundle.{action}",
        subject_type="bundle",
        subject_id=bundle.id,
        data={"from": before, "to": bundle.status, "actor": actor, "reason": reason},
    )
    db.session().flush()
    jobs.enqueue_after_commit(INDEX_JOB, bundle.id)


def publish_bundle(*, bundle_id: int, actor_id: int) -> Bundle:
    """Put a bundle on sale: refused unless every rule holds."""
    bundle = get_bundle(bundle_id)
    _check_rules(_as_data(bundle), publishing=True)
    bundle.rank = bundle_rank(bundle.id)
    _transition(bundle, "publish", "operator", actor_id)
    return bundle


def withdraw_bundle(
    *, bundle_id: int, actor_id: int | None, reason: str, actor: str = "operator"
) -> Bundle:
    """Take a bundle off sale, with a reason."""
    if not reason.strip():
        raise Invalid(_("Please give a reason."), fields={"reason": [_("Please give a reason.")]})
    bundle = get_bundle(bundle_id)
    _transition(bundle, "withdraw", actor, actor_id, reason)
    return bundle


def withdraw_bundles_of_supplier(supplier_id: int) -> list[int]:
    """Withdraw every published bundle holding an item of the supplier (it was suspended)."""
    items = suppliers.api.item_ids_of_supplier(supplier_id)
    if not items:
        return []
    # Ids in a subquery: PostgreSQL cannot DISTINCT rows with JSON columns.
    holding = select(BundleComponent.bundle_id).where(BundleComponent.item_id.in_(items))
    bundles = (
        db.session()
        .exec(
            select(Bundle)
            .where(Bundle.id.in_(holding), Bundle.status == BundleStatus.PUBLISHED)
            .order_by(Bundle.id)
        )
        .all()
    )
    withdrawn = []
    for bundle in bundles:
        _transition(bundle, "withdraw", "system", None, "supplier suspended")
        withdrawn.append(bundle.id)
    return withdrawn


def reindex_bundles_with_item(item_id: int) -> None:
    """Send the published bundles holding this item to the index again (its name changed)."""
    ids = db.session().exec(
        select(BundleComponent.bundle_id).where(BundleComponent.item_id == item_id)
    )
    for bundle_id in ids:
        jobs.enqueue_after_commit(INDEX_JOB, bundle_id)


def bundle_rank(bundle_id: int) -> int:
    """A bundle's ranking figure: its weakest supplier's (see suppliers.api.supplier_scores)."""
    ids = list(
        db.session().exec(
            select(BundleComponent.item_id).where(BundleComponent.bundle_id == bundle_id)
        )
    )
    items = suppliers.api.get_items(ids)
    scores = suppliers.api.supplier_scores(sorted({i.supplier_id for i in items.values()}))
    return min((scores.get(i.supplier_id, 0) for i in items.values()), default=0)


def rerank_bundles_of_supplier(supplier_id: int) -> None:
    """A supplier's scorecard changed: its bundles take their new rank and are reindexed."""
    item_ids = suppliers.api.item_ids_of_supplier(supplier_id)
    if not item_ids:
        return
    bundle_ids = set(
        db.session().exec(
            select(BundleComponent.bundle_id).where(BundleComponent.item_id.in_(item_ids))
        )
    )
    for bundle_id in sorted(bundle_ids):
        bundle = db.session().get(Bundle, bundle_id)
        bundle.rank = bundle_rank(bundle_id)
        jobs.enqueue_after_commit(INDEX_JOB, bundle_id)
    db.session().flush()


def get_bundle(bundle_id: int) -> Bundle:
    """A bundle by id. Raises NotFound."""
    bundle = db.session().get(Bundle, bundle_id)
    if bundle is None:
        raise NotFound(_("No such bundle."))
    return bundle


def replace_synonyms(*, actor_id: int, groups: Sequence[Sequence[str]]) -> None:
    """Replace the synonym list: each group holds words that mean the same."""
    s = db.session()
    s.execute(delete(SynonymGroup))
    clean = [sorted({w.strip().lower() for w in g if w.strip()}) for g in groups]
    for words in clean:
        if len(words) >= 2:
            s.add(SynonymGroup(words=words))
    audit.record(
        actor_id=actor_id,
        action="search.synonyms_replaced",
        subject_type="search",
        subject_id="synonyms",
        data={"groups": [w for w in clean if len(w) >= 2]},
    )
    s.flush()


def set_segment_open(*, segment: str, is_open: bool, actor_id: int) -> None:
    """Open or close the premium or care segment (mass is always open). Audited."""
    if segment not in ("premium", "care"):
        raise Invalid(
            _("Only premium and care can be opened or closed."),
            fields={"segment": [_("premium or care")]},
        )
    s = db.session()
    row = s.get(SegmentSetting, segment) or SegmentSetting(segment=segment)
    row.is_open, row.updated_at, row.updated_by = is_open, db.utcnow(), actor_id
    s.info.pop("catalogue.opened_segments", None)
    s.add(row)
    audit.record(
        actor_id=actor_id,
        action="segment.opened" if is_open else "segment.closed",
        subject_type="segment",
        subject_id=segment,
    )
    s.flush()


_segment = db.table(SegmentSetting).c
_OPEN_SEGMENTS = sa_select(_segment.segment).where(_segment.is_open)


def opened_segments() -> frozenset[str]:
    """The open segments (mass always); read once per request or job."""
    cache = db.session().info
    if "catalogue.opened_segments" not in cache:
        rows = db.run(_OPEN_SEGMENTS).scalars()
        cache["catalogue.opened_segments"] = rules.open_segments(rows.all())
    return cache["catalogue.opened_segments"]
