"""Demand requests (需求登记): residents' wishes grouped per compound, answered by the operator.

A request joins the open demand of its compound with the same category and matching words,
or opens one; a household counts once per demand (a +1 is a request too). The operator
answers a demand with a bundle, declines it with a reason, or turns it into a custom batch;
every household that asked is told. All of it opens in phase 3.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlmodel import func, select

import suppliers.api
import suppliers.catalogue.api as catalogue
from orders import process
from orders.errors import DemandClosed, NoAddress, PhaseClosed
from orders.models import Demand, DemandRequest
from shop.core import accounts, db, notifications
from shop.core.errors import IdempotencyMismatch, Invalid, NotFound
from shop.core.models import Community
from shop.core.search import query_words

#: Words that say "I want" rather than what: they group nothing.
_STOP = (
    "想 想要 要 买 需要 希望 求 一个 一些 一箱 一份 有 没有 的 了 和 与 请"
    " 能 可以 购买 提供 小区 我们 我 你们 每周 每月 每天 最好 能否 一下 吗 呢 啊 吧"
)
STOPWORDS = frozenset(_STOP.split())
#: Share of the shorter word list two requests must share to be one demand.
MATCH_SHARE = 0.5
PHASE = 3


def require_phase() -> None:
    """409 `phase_closed` with the reason, before the platform is in phase 3."""
    current = suppliers.api.current_phase()
    if current < PHASE:
        raise PhaseClosed(
            _(
                "Demand-driven production opens in phase %(needed)d; the platform is in phase "
                "%(current)d.",
                needed=PHASE,
                current=current,
            )
        )


def words_of(text: str) -> list[str]:
    """The words a request is grouped by: jieba's, lower-case, without the wanting words."""
    return [w for w in query_words(text) if w not in STOPWORDS and not w.isdigit()]


def similar(a: list[str], b: list[str]) -> bool:
    """Whether two word lists name the same thing (half of the shorter one shared)."""
    if not a or not b:
        return False
    shared = len(set(a) & set(b))
    return shared >= 1 and shared / min(len(set(a)), len(set(b))) >= MATCH_SHARE


def _home(resident_id: int) -> accounts.ResidentAddress:
    address = accounts.find_resident_address(resident_id)
    if address is None:
        raise NoAddress(_("Your address is not registered yet."))
    return address


def _matching_demand(community_id: int, category_id: int | None, words: list[str]) -> Demand | None:
    rows = db.session().exec(
        select(Demand)
        .where(
            Demand.community_id == community_id,
            Demand.status == "open",
            Demand.category_id == category_id if category_id else Demand.category_id.is_(None),
        )
        .order_by(Demand.households.desc(), Demand.id)
        .with_for_update()
    )
    return next((d for d in rows if similar(words, d.words)), None)


def register_request(
    *, resident_id: int, data: Mapping[str, Any], source: str, idempotency_key: str = ""
) -> DemandRequest:
    """Record a household's wish: it joins a matching open demand of its compound, or opens one.

    The same Idempotency-Key and body return the first request; another body is refused.
    """
    require_phase()
    if idempotency_key:
        earlier = (
            db.session()
            .exec(
                select(DemandRequest).where(
                    DemandRequest.resident_id == resident_id,
                    DemandRequest.idempotency_key == idempotency_key,
                )
            )
            .first()
        )
        if earlier is not None:
            if earlier.text != data["text"].strip() or earlier.quantity != data["quantity"]:
                raise IdempotencyMismatch(_("This Idempotency-Key was used for another request."))
            return earlier
    home = _home(resident_id)
    text = data["text"].strip()
    category_id = data.get("category_id")
    if category_id is not None and catalogue.find_category(category_id, viewer=None) is None:
        raise Invalid(_("No such category."), fields={"category_id": [_("No such category.")]})
    words = words_of(text)
    # One compound's requests are grouped one at a time: two households asking for the same
    # new thing at once must find one demand, not open two (the compound's row is the lock).
    db.session().get(Community, home.community_id, with_for_update=True)
    demand = _matching_demand(home.community_id, category_id, words)
    if demand is None:
        demand = Demand(community_id=home.community_id, category_id=category_id, title=text[:200])
        demand.words = words
        db.session().add(demand)
        db.session().flush()
        process.DEMAND.note(demand, "open", "resident", resident_id, previous="")
    return _count(demand, resident_id, text, data, source, idempotency_key)


def _count(
    demand: Demand,
    resident_id: int,
    text: str,
    data: Mapping[str, Any],
    source: str,
    idempotency_key: str,
) -> DemandRequest:
    """The household's request on `demand`; a household that asked already is counted once."""
    existing = _request_of(demand.id, resident_id)
    if existing is not None:
        return existing
    row = DemandRequest(
        demand_id=demand.id,
        resident_id=resident_id,
        text=text[:200],
        quantity=int(data.get("quantity", 1)),
        frequency=data.get("frequency", "once"),
        wanted_by=data.get("wanted_by"),
        source=source,
        idempotency_key=idempotency_key[:80],
    )
    if not db.add_once(row):  # the same household at the same moment: counted once
        return _request_of(demand.id, resident_id)
    _recount(demand)
    return row


def _request_of(demand_id: int, resident_id: int) -> DemandRequest | None:
    return (
        db.session()
        .exec(
            select(DemandRequest).where(
                DemandRequest.demand_id == demand_id, DemandRequest.resident_id == resident_id
            )
        )
        .first()
    )


def _recount(demand: Demand) -> None:
    s = db.session()
    households, quantity = s.exec(
        select(
            func.count(DemandRequest.id), func.coalesce(func.sum(DemandRequest.quantity), 0)
        ).where(DemandRequest.demand_id == demand.id)
    ).one()
    demand.households, demand.quantity = int(households), int(quantity)
    s.flush()


def support(*, demand_id: int, resident_id: int) -> DemandRequest:
    """+1: a household says it wants what a demand of its own compound asks for."""
    require_phase()
    demand = db.session().get(Demand, demand_id, with_for_update=True)
    home = _home(resident_id)
    if demand is None or demand.community_id != home.community_id:
        raise NotFound(_("No such demand."))
    if demand.status != "open":
        raise DemandClosed(_("This demand has been decided; see what became of it."))
    data = {"quantity": 1, "frequency": "once"}
    return _count(demand, resident_id, demand.title, data, "support", "")


def _decided(demand_id: int) -> Demand:
    demand = db.session().get(Demand, demand_id, with_for_update=True)
    if demand is None:
        raise NotFound(_("No such demand."))
    return demand


def answer(*, demand_id: int, actor_id: int, bundle_id: int) -> Demand:
    """Point a demand to a bundle on sale; every household that asked is told."""
    require_phase()
    demand = _decided(demand_id)
    card = catalogue.cards_for([bundle_id], viewer=None).get(bundle_id)
    if card is None:
        raise Invalid(_("No such bundle on sale."), fields={"bundle_id": [_("No such bundle.")]})
    process.DEMAND.apply(demand, "answer", "operator", actor_id, data={"bundle_id": bundle_id})
    demand.answer_bundle_id, demand.decided_at = bundle_id, db.utcnow()
    _tell_households(demand, "demand_answered", f"/shop/bundles/{bundle_id}")
    return demand


def decline(*, demand_id: int, actor_id: int, reason: str) -> Demand:
    """Decline a demand with the reason the households are given."""
    require_phase()
    demand = _decided(demand_id)
    process.DEMAND.apply(demand, "decline", "operator", actor_id, reason=reason)
    demand.reason, demand.decided_at = reason.strip()[:500], db.utcnow()
    _tell_households(demand, "demand_declined", "/shop/demand")
    return demand


def mark_batched(*, demand_id: int, actor_id: int, batch_id: int) -> Demand:
    """The demand became a custom batch; the households are told where to pledge."""
    require_phase()
    demand = _decided(demand_id)
    process.DEMAND.apply(demand, "batch", "operator", actor_id, data={"batch_id": batch_id})
    demand.decided_at = db.utcnow()
    _tell_households(demand, "demand_batched", f"/shop/batches/{batch_id}")
    return demand


def _tell_households(demand: Demand, kind: str, link: str) -> None:
    subjects = {
        "demand_answered": lambda: _(
            "What you asked for is on sale: %(title)s", title=demand.title
        ),
        "demand_declined": lambda: _("We cannot offer %(title)s", title=demand.title),
        "demand_batched": lambda: _("%(title)s: a custom batch is open", title=demand.title),
    }
    bodies = {
        "demand_answered": lambda: _("Tap to see the bundle."),
        "demand_declined": lambda: demand.reason,
        "demand_batched": lambda: _(
            "Pledge before the deadline; nothing is charged unless it is made."
        ),
    }
    for resident_id in db.session().exec(
        select(DemandRequest.resident_id).where(DemandRequest.demand_id == demand.id)
    ):
        notifications.notify(
            resident_id,
            kind,
            lambda: (subjects[kind](), bodies[kind]()),
            link=link,
            dedupe_key=f"{kind}:{demand.id}:{resident_id}",
        )
