"""Pledges (认购) to custom batches: the card is held or saved, never charged before the batch.

A pledge whose batch's deadline is within the card hold window (BATCH_HOLD_DAYS) is a
PaymentIntent with manual capture: captured when the batch is made, cancelled when it is not.
Further out, the card is saved (a SetupIntent) and charged off-session at the deadline; a
declined charge leaves the resident BATCH_FIX_HOURS to give another card, with a reminder,
after which the pledge drops. Beyond the cap a pledge waits, first come first served, and
moves up when a place frees. Every step takes the pledge's row lock and checks its status,
so a job run twice or after a dead worker does each thing once.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import select

from orders import process
from orders.errors import BatchClosed, CardDeclined, PledgeNotFixable
from orders.models import CustomBatch, Pledge
from orders.services import batches, checkout, gateway
from orders.services import demand as demands
from shop.core import db, jobs, notifications
from shop.core.errors import IdempotencyMismatch, NotFound

CANCEL_HOLD_JOB = "orders.jobs.cancel_hold"
REMIND_JOB = "orders.jobs.remind_pledge"


def _hash(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def pledge(
    *, batch_id: int, resident_id: int, quantity: int, payment_method: str, idempotency_key: str
) -> Pledge:
    """Pledge `quantity` pieces with this card: held or saved, never charged now.

    The same Idempotency-Key and body return the first pledge; another body is refused.
    Raises NotFound (no such batch in the resident's compound), BatchClosed (deadline passed,
    decided or cancelled), CardDeclined (nothing is kept), NoAddress, NotVerified.
    """
    arrived = db.utcnow()  # a pledge that came before the deadline and waited for the lock counts
    demands.require_phase()
    request_hash = _hash(batch_id, quantity, payment_method)
    earlier = _pledged_before(resident_id, idempotency_key, request_hash)
    if earlier is not None:
        return earlier
    home = checkout.verified_address(resident_id)
    batch = batches.get_batch(batch_id)
    _check_open(batch, home.community_id, arrived)  # refused before Stripe is called
    hold_window = timedelta(days=int(current_app.config["BATCH_HOLD_DAYS"]))
    mode = "hold" if db.aware(batch.deadline) - arrived <= hold_window else "saved_card"
    amount = batch.price_minor * quantity
    card = _secure_card(mode, amount, batch.currency, payment_method, resident_id, idempotency_key)
    row = Pledge(
        batch_id=batch.id,
        resident_id=resident_id,
        community_id=home.community_id,
        quantity=quantity,
        amount_minor=amount,
        currency=batch.currency,
        mode=mode,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        **card.columns(),
    )
    return _take_place(row, card, arrived)


def _take_place(row: Pledge, card: _Card, arrived: datetime) -> Pledge:
    """Count the pledge in, under the batch's lock (or let the card go if it came too late).

    Stripe was called outside the lock, which is held for the counting alone: pledges and
    the deadline decision take it one at a time, so the decision counts every pledge that got
    in before it, and a pledge after it finds the batch closed. A second request with the
    same key (a double tap) finds the first's pledge once it has the lock; Stripe gave both
    the same card hold, as the key is Stripe's idempotency key too.
    """
    batch = batches.get_batch(row.batch_id, lock=True)
    earlier = _pledged_before(row.resident_id, row.idempotency_key, row.request_hash)
    if earlier is not None:
        return earlier
    try:
        _check_open(batch, row.community_id, arrived)
    except BatchClosed:
        if card.intent_id:  # decided while the card was being held: let the hold go
            gateway.gateway().cancel(card.intent_id)
        raise
    row.waiting = batch.cap is not None and batches.taken(batch.id) + row.quantity > batch.cap
    db.session().add(row)
    db.session().flush()
    data = {"quantity": row.quantity, "mode": row.mode, "waiting": row.waiting}
    process.PLEDGE.note(row, "pledge", "resident", row.resident_id, previous="", data=data)
    if card.in_hand:
        process.PLEDGE.apply(row, "hold" if row.mode == "hold" else "save", "system", None)
    return row


def _pledged_before(resident_id: int, key: str, request_hash: str) -> Pledge | None:
    earlier = (
        db.session()
        .exec(
            select(Pledge).where(Pledge.resident_id == resident_id, Pledge.idempotency_key == key)
        )
        .first()
    )
    if earlier is not None and earlier.request_hash != request_hash:
        raise IdempotencyMismatch(_("This Idempotency-Key was used for another pledge."))
    return earlier


def _check_open(batch: CustomBatch, community_id: int, arrived: datetime) -> None:
    # A batch of another compound does not exist for this resident, as when reading it: a
    # refusal with a reason would tell them it does, and whether it is still open.
    if community_id not in {c.community_id for c in batches.compounds_of(batch.id)}:
        raise NotFound(_("No such batch."))
    if batch.status != "open" or db.aware(batch.deadline) <= arrived:
        raise BatchClosed(_("This batch is closed: its deadline has passed or it was decided."))


@dataclass(frozen=True)
class _Card:
    """What Stripe answered for a pledge's card: a hold, or a saved card."""

    intent_id: str = ""
    client_secret: str = ""
    customer_id: str = ""
    setup_intent_id: str = ""
    payment_method: str = ""
    in_hand: bool = False

    def columns(self) -> dict[str, str]:
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "in_hand"}


def _secure_card(
    mode: str, amount: int, currency: str, payment_method: str, resident_id: int, key: str
) -> _Card:
    """Hold the amount or save the card; the key makes a retried request reach the same one."""
    key = f"pledge-{resident_id}-{key}"
    try:
        if mode == "hold":
            intent = gateway.gateway().hold(
                amount_minor=amount,
                currency=currency,
                payment_method=payment_method,
                key=key,
                reference=key,
            )
            held = intent.status == "requires_capture"
            return _Card(intent.id, intent.client_secret, in_hand=held)
        saved = gateway.gateway().save_card(payment_method=payment_method, key=key, reference=key)
    except gateway.CardDeclined as exc:  # nothing is kept: the resident may try another card
        raise CardDeclined(_("The card was declined: %(why)s", why=str(exc))) from exc
    return _Card(
        client_secret=saved.client_secret,
        customer_id=saved.customer_id,
        setup_intent_id=saved.setup_intent_id,
        payment_method=saved.payment_method,
        in_hand=saved.status == "succeeded",
    )


def _own(pledge_id: int, resident_id: int) -> Pledge:
    row = db.session().get(Pledge, pledge_id)
    if row is None or row.resident_id != resident_id:
        raise NotFound(_("No such pledge."))
    return row


def withdraw(*, pledge_id: int, resident_id: int) -> Pledge:
    """Before the deadline, the resident takes a pledge back; the hold is released."""
    demands.require_phase()
    batch = batches.get_batch(_own(pledge_id, resident_id).batch_id, lock=True)
    row = db.session().get(Pledge, pledge_id, with_for_update=True, populate_existing=True)
    if batch.status != "open" or db.aware(batch.deadline) <= db.utcnow():
        raise BatchClosed(_("After the deadline a pledge can no longer be withdrawn."))
    was_waiting = row.waiting
    process.PLEDGE.apply(row, "withdraw", "resident", resident_id)
    row.settled_at, row.reason = db.utcnow(), "withdrawn"
    if row.intent_id:
        jobs.enqueue_after_commit(CANCEL_HOLD_JOB, row.id)
    if not was_waiting:
        _move_up(batch)
    return row


def _move_up(batch: CustomBatch) -> None:
    """Places freed under the cap go to the waiting list in order (none skips the queue)."""
    if batch.cap is None:
        return
    room = batch.cap - batches.taken(batch.id)
    queue = db.session().exec(
        select(Pledge)
        .where(
            Pledge.batch_id == batch.id, Pledge.waiting.is_(True), Pledge.status.in_(process.LIVE)
        )
        .order_by(Pledge.id)
        .with_for_update()
    )
    for row in queue:
        if row.quantity > room:
            break
        row.waiting, room = False, room - row.quantity
        process.PLEDGE.note(row, "move_up", "system", None, previous=row.status)
        _tell(row, "pledge_moved_up", batch)


def cancel_hold(pledge_id: int) -> str:
    """Release the card hold of a withdrawn or released pledge (idempotent)."""
    row = db.session().get(Pledge, pledge_id)
    if row is None or row.status not in ("withdrawn", "released") or not row.intent_id:
        return "nothing"
    if row.mode != "hold":
        return "nothing"
    return gateway.gateway().cancel(row.intent_id).status


def settle(pledge_id: int) -> str:
    """Carry out the pledge's fate once: capture (or charge) it, or release it."""
    row = db.session().get(Pledge, pledge_id, with_for_update=True)
    if row is None:
        return "none"
    if row.fate == "release" and row.status in process.LIVE:
        return _release(row, _why_released(row))
    if row.fate != "capture":
        return row.status
    if row.status == "held":
        return _capture(row)
    if row.status == "saved":
        return _charge(row, row.payment_method, "system", None, off_session=True)
    if row.status == "charge_failed" and db.aware(row.fix_by) <= db.utcnow():
        process.PLEDGE.apply(row, "drop", "system", None)
        return _done(row, "not_paid_in_time")
    return row.status


def _why_released(row: Pledge) -> str:
    batch = db.session().get(CustomBatch, row.batch_id)
    if batch.status == "cancelled":
        return "batch_cancelled"
    if row.waiting:
        return "waiting_list"
    if row.status == "pending_card":
        return "card_not_confirmed"
    return "compound_not_made" if batch.status != "failed" else "batch_failed"


def _release(row: Pledge, reason: str) -> str:
    if row.mode == "hold" and row.intent_id:
        gateway.gateway().cancel(row.intent_id)
    process.PLEDGE.apply(row, "release", "system", None, data={"reason": reason})
    return _done(row, reason)


def _done(row: Pledge, reason: str) -> str:
    """A pledge released: the resident is told why, and the batch may move on."""
    row.settled_at, row.reason = db.utcnow(), reason
    batch = db.session().get(CustomBatch, row.batch_id)
    _tell(row, "pledge_released", batch)
    jobs.enqueue_after_commit(batches.ADVANCE_JOB, row.batch_id)
    return row.status


def _capture(row: Pledge) -> str:
    intent = gateway.gateway().capture(row.intent_id)
    if intent.status != "succeeded":  # the hold lapsed or was cancelled: nothing was taken
        process.PLEDGE.apply(row, "release", "system", None, data={"intent": intent.status})
        return _done(row, "hold_lapsed")
    process.PLEDGE.apply(row, "capture", "system", None, data={"intent": row.intent_id})
    return _captured(row)


def _captured(row: Pledge) -> str:
    row.settled_at = db.utcnow()
    jobs.enqueue_after_commit(batches.ORDER_JOB, row.id)
    jobs.enqueue_after_commit(batches.ADVANCE_JOB, row.batch_id)
    return row.status


def _charge(
    row: Pledge, payment_method: str, actor: str, actor_id: int | None, *, off_session: bool
) -> str:
    """One charge of the saved (or a new) card; a decline opens or continues the fix window."""
    row.charge_attempts += 1
    try:
        intent = gateway.gateway().charge_saved(
            customer_id=row.customer_id,
            payment_method=payment_method,
            amount_minor=row.amount_minor,
            currency=row.currency,
            key=f"pledge-{row.id}-charge-{row.charge_attempts}",
            reference=f"pledge-{row.id}",
            off_session=off_session,
        )
    except gateway.CardDeclined as exc:
        _declined(row, actor, actor_id, str(exc))
        return row.status
    if intent.status != "succeeded":  # the bank wants the resident: as good as declined
        _declined(row, actor, actor_id, intent.status)
        return row.status
    row.intent_id, row.payment_method = intent.id, payment_method
    data = {"intent": intent.id, "attempt": row.charge_attempts}
    process.PLEDGE.apply(row, "charge", actor, actor_id, data=data)
    return _captured(row)


def _declined(row: Pledge, actor: str, actor_id: int | None, why: str) -> None:
    data = {"attempt": row.charge_attempts, "why": why[:200]}
    process.PLEDGE.apply(row, "decline", actor, actor_id, data=data)
    if row.fix_by is not None:
        return
    hours = int(current_app.config["BATCH_FIX_HOURS"])
    row.fix_by = db.utcnow() + timedelta(hours=hours)
    batch = db.session().get(CustomBatch, row.batch_id)
    _tell(row, "pledge_declined", batch)
    remind_in = max(hours - int(current_app.config["BATCH_REMIND_HOURS_LEFT"]), 0) * 3600
    jobs.enqueue_after_commit(REMIND_JOB, row.id, delay=remind_in)
    jobs.enqueue_after_commit(batches.SETTLE_JOB, row.id, delay=hours * 3600 + 1)


def fix_card(*, pledge_id: int, resident_id: int, payment_method: str) -> Pledge:
    """The resident gives another card for a declined charge, inside the fix window."""
    demands.require_phase()
    _own(pledge_id, resident_id)
    row = db.session().get(Pledge, pledge_id, with_for_update=True, populate_existing=True)
    if row.status != "charge_failed" or db.aware(row.fix_by) <= db.utcnow():
        raise PledgeNotFixable(_("This pledge is not waiting for another card."))
    _charge(row, payment_method, "resident", resident_id, off_session=False)
    if row.status == "charge_failed":  # the attempt is kept: the window runs on
        raise CardDeclined(_("The card was declined; please try another."), keep=True)
    return row


def remind(pledge_id: int) -> bool:
    """Remind the resident, once, that the fix window of a declined charge is closing."""
    row = db.session().get(Pledge, pledge_id, with_for_update=True)
    if row is None or row.status != "charge_failed" or row.reminded_at is not None:
        return False
    row.reminded_at = db.utcnow()
    batch = db.session().get(CustomBatch, row.batch_id)
    _tell(row, "pledge_reminder", batch)
    return True


def order_for(pledge_id: int) -> int | None:
    """A captured pledge becomes its order, once (the pledge's row lock and `order_id`)."""
    row = db.session().get(Pledge, pledge_id, with_for_update=True)
    if row is None or row.status != "captured" or row.order_id is not None:
        return row.order_id if row else None
    batch = db.session().get(CustomBatch, row.batch_id)
    order = checkout.place_for_pledge(pledge=row, batch=batch)
    process.PLEDGE.apply(row, "order", "system", None, data={"order_id": order.id})
    jobs.enqueue_after_commit(batches.ADVANCE_JOB, row.batch_id)
    return order.id


def _tell(row: Pledge, kind: str, batch: CustomBatch) -> None:
    """Tell the resident what became of the pledge (composed in the resident's language)."""
    subjects = {
        "pledge_moved_up": lambda: _(
            "You are in: a place in %(title)s freed up", title=batch.title
        ),
        "pledge_released": lambda: _(
            "%(title)s: your pledge is released, nothing charged", title=batch.title
        ),
        "pledge_declined": lambda: _(
            "%(title)s is made, but your card was declined", title=batch.title
        ),
        "pledge_reminder": lambda: _(
            "%(title)s: give another card before it is too late", title=batch.title
        ),
    }
    notifications.notify(
        row.resident_id,
        kind,
        lambda: (subjects[kind](), _("Tap to see your pledge.")),
        link=f"/shop/batches/{batch.id}",
    )


def on_intent_event(event_type: str, obj: dict[str, Any]) -> str | None:
    """A Stripe event about a pledge's intent (None when it is not a pledge's).

    A hold or a saved card that needed 3-D Secure is in hand once Stripe says so (a hold
    `requires_capture`, a SetupIntent `succeeded`), whatever the event's name.
    """
    column = Pledge.setup_intent_id if event_type.startswith("setup_intent.") else Pledge.intent_id
    found = db.session().exec(select(Pledge.id).where(column == obj["id"])).first()
    if found is None:
        return None
    row = db.session().get(Pledge, found, with_for_update=True)
    if row.status != "pending_card":
        return "pledge_seen"
    if row.mode == "hold" and obj.get("status") == "requires_capture":
        process.PLEDGE.apply(row, "hold", "system", None, data={"intent": obj["id"]})
        return "pledge_held"
    if row.mode == "saved_card" and obj.get("status") == "succeeded":
        row.payment_method = obj.get("payment_method") or row.payment_method
        process.PLEDGE.apply(row, "save", "system", None, data={"setup": obj["id"]})
        return "pledge_saved"
    return "pledge_seen"
