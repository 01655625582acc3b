"""Custom batches (定制批次): a producer's bundle made to order, decided once at its deadline.

The operator opens a batch (from a demand or a plan line) for chosen compounds with a price,
a minimum overall and optionally per compound, a cap and a deadline. Residents pledge
(services/pledges.py). At the deadline one decision, under the batch's row lock, fixes each
pledge's fate: a compound that met its minimum is made, one that did not is released, and
the batch is reached when the made compounds together meet the overall minimum. Then one job
per pledge carries its fate out (capture or release), each exactly once, and the batch moves
on when its pledges have: reached → captured → ordered, or failed → released. Pledges are
counted as they are; nothing is ever filled in to reach a threshold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlmodel import func, select

import suppliers.api
import suppliers.catalogue.api as catalogue
from orders import process
from orders.errors import NotAProducer
from orders.models import BatchCompound, CustomBatch, Demand, PlanLine, Pledge, ProductionPlan
from orders.services import demand as demands
from shop.core import accounts, audit, db, jobs, notifications
from shop.core.errors import Invalid, NotFound

DECIDE_JOB = "orders.jobs.decide_batch"
SETTLE_JOB = "orders.jobs.settle_pledge"
ORDER_JOB = "orders.jobs.order_pledge"
ADVANCE_JOB = "orders.jobs.advance_batch"


def _refuse(field: str, message: str) -> Invalid:
    return Invalid(message, fields={field: [message]})


def create_batch(*, actor_id: int, data: Mapping[str, Any]) -> CustomBatch:
    """Open a batch of a producer's bundle for the chosen compounds (the operator).

    `data`: supplier_id, bundle_id, price_minor, min_quantity, cap, deadline, delivery_date,
    compounds ([{community_id, min_quantity}]), and optionally title, description, demand_id
    or plan_line_id (the demand is marked batched and its households told).
    """
    demands.require_phase()
    if suppliers.api.get_supplier(data["supplier_id"]).kind != "producer":
        raise NotAProducer(_("Custom batches are made by producers only."))
    bundle = _made_to_order(data["bundle_id"], data["supplier_id"])
    _check_times(data["deadline"], data["delivery_date"])
    compounds = _compounds(data["compounds"], data["min_quantity"])
    if data.get("cap") is not None and data["cap"] < data["min_quantity"]:
        raise _refuse("cap", _("The cap is at least the minimum."))
    batch = CustomBatch(
        supplier_id=data["supplier_id"],
        bundle_id=bundle.id,
        title=(data.get("title") or bundle.title)[:200],
        description=data.get("description", ""),
        price_minor=data["price_minor"],
        currency=bundle.currency,
        min_quantity=data["min_quantity"],
        cap=data.get("cap"),
        deadline=data["deadline"],
        delivery_date=data["delivery_date"],
        components=[dataclasses.asdict(c) for c in bundle.components],
        policy_nodes=list(bundle.policy_nodes),
        plan_line_id=_plan_line(data.get("plan_line_id"), data["supplier_id"]),
        created_by=actor_id,
    )
    db.session().add(batch)
    db.session().flush()
    for community_id, minimum in compounds.items():
        db.session().add(
            BatchCompound(batch_id=batch.id, community_id=community_id, min_quantity=minimum)
        )
    process.BATCH.note(batch, "create", "operator", actor_id, previous="")
    _from_demand(batch, data.get("demand_id"), set(compounds), actor_id)
    audit.record(
        actor_id=actor_id,
        action="batch.created",
        subject_type="custom_batch",
        subject_id=batch.id,
        data={"supplier_id": batch.supplier_id, "compounds": sorted(compounds)},
    )
    wait = (db.aware(batch.deadline) - db.utcnow()).total_seconds()
    jobs.enqueue_after_commit(DECIDE_JOB, batch.id, delay=max(wait, 0) + 1)
    return batch


def _made_to_order(bundle_id: int, supplier_id: int) -> catalogue.CheckoutBundle:
    """The bundle, on sale and made of the producer's own goods only."""
    bundle = catalogue.bundle_for_checkout(bundle_id, viewer=None)
    if bundle is None:
        raise _refuse("bundle_id", _("No such bundle on sale."))
    if bundle.is_service or any(c.supplier_id != supplier_id for c in bundle.components):
        raise _refuse("bundle_id", _("A batch is a bundle of the producer's own goods."))
    return bundle


def _check_times(deadline: datetime, delivery_date: date) -> None:
    if db.aware(deadline) <= db.utcnow():
        raise _refuse("deadline", _("The deadline is in the future."))
    if delivery_date <= db.aware(deadline).date():
        raise _refuse("delivery_date", _("Delivery comes after the deadline."))


def _compounds(rows: Sequence[Mapping[str, Any]], overall: int) -> dict[int, int | None]:
    """The compounds offered, each with its own minimum (none: only the overall one counts)."""
    known = {c.id for c in accounts.list_communities()}
    chosen: dict[int, int | None] = {}
    for row in rows:
        if row["community_id"] not in known:
            raise _refuse("compounds", _("No such compound."))
        minimum = row.get("min_quantity")
        if minimum is not None and minimum > overall:
            raise _refuse("compounds", _("A compound's minimum is at most the overall minimum."))
        chosen[row["community_id"]] = minimum
    if not chosen:
        raise _refuse("compounds", _("Choose at least one compound."))
    return chosen


def _plan_line(line_id: int | None, supplier_id: int) -> int | None:
    if line_id is None:
        return None
    line = db.session().get(PlanLine, line_id)
    plan = db.session().get(ProductionPlan, line.plan_id) if line else None
    if plan is None or plan.supplier_id != supplier_id:
        raise _refuse("plan_line_id", _("No such line in this producer's plans."))
    return line_id


def _from_demand(
    batch: CustomBatch, demand_id: int | None, compounds: set[int], actor: int
) -> None:
    if demand_id is None:
        return
    demand = db.session().get(Demand, demand_id)
    if demand is None or demand.community_id not in compounds:
        raise _refuse("demand_id", _("The demand's compound is not among the batch's."))
    batch.demand_id = demand_id
    demands.mark_batched(demand_id=demand_id, actor_id=actor, batch_id=batch.id)


def get_batch(batch_id: int, *, lock: bool = False) -> CustomBatch:
    """The batch; NotFound if there is none."""
    batch = db.session().get(CustomBatch, batch_id, with_for_update=lock, populate_existing=lock)
    if batch is None:
        raise NotFound(_("No such batch."))
    return batch


def may_read(user_id: int, roles: frozenset[str], supplier_id: int, batch_id: int) -> None:
    """The operator reads every batch; a producer its own; a resident those of its compound."""
    if "operator" in roles:
        return
    if "supplier_member" in roles:
        suppliers.api.supplier_for(user_id, supplier_id)  # NotFound for another supplier
        return
    home = accounts.find_resident_address(user_id)
    offered = {c.community_id for c in compounds_of(batch_id)}
    if home is None or home.community_id not in offered:
        raise NotFound(_("No such batch."))


def compounds_of(batch_id: int) -> list[BatchCompound]:
    """The compounds a batch is offered to."""
    return list(
        db.session().exec(
            select(BatchCompound)
            .where(BatchCompound.batch_id == batch_id)
            .order_by(BatchCompound.community_id)
        )
    )


def fill(batch_id: int, *, waiting: bool = False) -> dict[int, int]:
    """Pieces pledged with a card in hand, per compound (or those on the waiting list)."""
    rows = db.session().exec(
        select(Pledge.community_id, func.sum(Pledge.quantity))
        .where(
            Pledge.batch_id == batch_id,
            Pledge.status.in_(process.SECURED),
            Pledge.waiting.is_(waiting),
        )
        .group_by(Pledge.community_id)
    )
    return {community_id: int(total) for community_id, total in rows}


def taken(batch_id: int) -> int:
    """Pieces under the cap: every live pledge not waiting (a card being confirmed too)."""
    total = db.session().exec(
        select(func.coalesce(func.sum(Pledge.quantity), 0)).where(
            Pledge.batch_id == batch_id,
            Pledge.status.in_(process.LIVE),
            Pledge.waiting.is_(False),
        )
    )
    return int(total.one())


def outcome(batch: CustomBatch, compounds: Sequence[BatchCompound]) -> dict[int, bool]:
    """Which compounds are made at the deadline, by the pledges in hand now (pure read)."""
    pledged = fill(batch.id)
    made = {
        c.community_id: pledged.get(c.community_id, 0) >= (c.min_quantity or 1) for c in compounds
    }
    total = sum(pledged.get(cid, 0) for cid, ok in made.items() if ok)
    reached = total >= batch.min_quantity
    return {cid: ok and reached for cid, ok in made.items()}


def decide(batch_id: int) -> str:
    """At the deadline: reached or failed, and each pledge's fate (once; a rerun changes nothing).

    The batch's row lock orders the decision after every pledge that committed before it;
    a pledge that comes later finds the batch closed.
    """
    batch = get_batch(batch_id, lock=True)
    if batch.status != "open":
        return batch.status
    if db.aware(batch.deadline) > db.utcnow():
        return "not_yet"
    compounds = compounds_of(batch.id)
    made = outcome(batch, compounds)
    for c in compounds:
        c.outcome = "made" if made[c.community_id] else "released"
    pledges = _pledges(batch.id, process.LIVE)
    for p in pledges:
        capture = made.get(p.community_id) and not p.waiting and p.status in process.SECURED
        p.fate = "capture" if capture else "release"
    batch.decided_at = db.utcnow()
    reached = any(made.values())
    data = {"made": sorted(cid for cid, ok in made.items() if ok), "pledges": len(pledges)}
    process.BATCH.apply(batch, "reach" if reached else "fail", "system", None, data=data)
    jobs.enqueue_each(SETTLE_JOB, [p.id for p in pledges])
    jobs.enqueue_after_commit(ADVANCE_JOB, batch.id)
    _tell_supplier(batch, reached)
    return batch.status


def _pledges(batch_id: int, statuses: frozenset[str]) -> list[Pledge]:
    return list(
        db.session().exec(
            select(Pledge)
            .where(Pledge.batch_id == batch_id, Pledge.status.in_(statuses))
            .order_by(Pledge.id)
            .with_for_update()
        )
    )


def advance(batch_id: int) -> str:
    """Move the batch on once its pledges have: all captured or dropped, then all ordered."""
    batch = get_batch(batch_id, lock=True)
    if batch.status == "reached" and not _open_fates(batch.id, "capture"):
        process.BATCH.apply(batch, "capture", "system", None, data=_counts(batch.id))
    if batch.status == "captured" and not _pledges(batch.id, frozenset({"captured"})):
        process.BATCH.apply(batch, "order", "system", None, data=_counts(batch.id))
    if batch.status == "failed" and not _open_fates(batch.id, "release"):
        process.BATCH.apply(batch, "release", "system", None, data=_counts(batch.id))
    return batch.status


def _open_fates(batch_id: int, fate: str) -> bool:
    """Whether a pledge of this fate is still to be carried out."""
    waiting = {"capture": {"held", "saved", "charge_failed"}, "release": set(process.LIVE)}[fate]
    row = db.session().exec(
        select(Pledge.id).where(
            Pledge.batch_id == batch_id, Pledge.fate == fate, Pledge.status.in_(waiting)
        )
    )
    return row.first() is not None


def _counts(batch_id: int) -> dict[str, int]:
    rows = db.session().exec(
        select(Pledge.status, func.count(Pledge.id))
        .where(Pledge.batch_id == batch_id)
        .group_by(Pledge.status)
    )
    return {status: int(n) for status, n in rows}


def cancel_batch(*, batch_id: int, actor_id: int, reason: str) -> CustomBatch:
    """The operator calls an open batch off; every pledge is released and its resident told."""
    demands.require_phase()
    batch = get_batch(batch_id, lock=True)
    process.BATCH.apply(batch, "cancel", "operator", actor_id, reason=reason)
    batch.reason, batch.decided_at = reason.strip()[:500], db.utcnow()
    pledges = _pledges(batch.id, process.LIVE)
    for p in pledges:
        p.fate = "release"
    jobs.enqueue_each(SETTLE_JOB, [p.id for p in pledges])
    return batch


def _tell_supplier(batch: CustomBatch, reached: bool) -> None:
    for user_id in suppliers.api.member_ids(batch.supplier_id):
        notifications.notify(
            user_id,
            "batch_reached" if reached else "batch_failed",
            lambda: (
                _("Batch %(title)s is made", title=batch.title)
                if reached
                else _("Batch %(title)s did not reach its minimum", title=batch.title),
                _("See the pieces per compound on your batches page."),
            ),
            link=f"/supplier/batches#batch-{batch.id}",
        )


def sweep() -> int:
    """Every minute: send each job a lost timer or a dead worker left undone (all idempotent)."""
    s, now = db.session(), db.utcnow()
    due = s.exec(
        select(CustomBatch.id).where(CustomBatch.status == "open", CustomBatch.deadline <= now)
    )
    sent = jobs.enqueue_each(DECIDE_JOB, list(due))
    unsettled = s.exec(
        select(Pledge.id).where(
            Pledge.fate != "",
            Pledge.status.in_(process.LIVE)
            | ((Pledge.status == "charge_failed") & (Pledge.fix_by <= now)),
        )
    )
    sent += jobs.enqueue_each(SETTLE_JOB, list(unsettled))
    unordered = s.exec(select(Pledge.id).where(Pledge.status == "captured"))
    sent += jobs.enqueue_each(ORDER_JOB, list(unordered))
    moving = s.exec(
        select(CustomBatch.id).where(CustomBatch.status.in_(("reached", "captured", "failed")))
    )
    return sent + jobs.enqueue_each(ADVANCE_JOB, list(moving))
