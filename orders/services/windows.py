"""Doorstep delivery windows: opened ahead per community, each with a capacity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, update
from sqlmodel import select

import suppliers.api
from orders.models import DeliveryWindow
from shop.core import accounts, db


@dataclass(frozen=True)
class Choice:
    """A window or a service slot the resident may pick, and the places left."""

    id: int | None
    start: datetime
    end: datetime
    remaining: int


def open_for_new_community(community_id: int, **_: object) -> None:
    """A compound was opened: its windows open once the opening is committed."""
    from shop.core import jobs

    jobs.enqueue_after_commit("orders.jobs.open_community_windows", community_id)


def open_windows(*, community_id: int, days: int | None = None) -> int:
    """Create the configured windows for the coming days (idempotent); returns how many new."""
    cfg = current_app.config
    tz = ZoneInfo(accounts.community_timezone(community_id))
    today = db.utcnow().astimezone(tz).date()  # the one clock (tests and the simulator move it)
    s = db.session()
    existing = set(
        s.exec(
            select(DeliveryWindow.starts_at).where(
                DeliveryWindow.community_id == community_id,
                DeliveryWindow.starts_at >= datetime.combine(today, time(0), tz),
            )
        )
    )
    existing = {e if e.tzinfo else e.replace(tzinfo=ZoneInfo("UTC")) for e in existing}
    created = 0
    for offset in range(days if days is not None else int(cfg["ORDER_WINDOW_DAYS_AHEAD"])):
        day = today + timedelta(days=offset)
        for spec in cfg["ORDER_DELIVERY_WINDOWS"]:
            start, end = _window(day, spec, tz)
            if start not in existing:
                s.add(
                    DeliveryWindow(
                        community_id=community_id,
                        starts_at=start,
                        ends_at=end,
                        capacity=int(cfg["ORDER_WINDOW_CAPACITY"]),
                    )
                )
                created += 1
    s.flush()
    return created


def _window(day: date, spec: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    first, last = spec.split("-")
    start = datetime.combine(day, time.fromisoformat(first), tz)
    return start, datetime.combine(day, time.fromisoformat(last), tz)


def bookable_after() -> datetime:
    """Windows and slots starting before this are too close to choose."""
    return db.utcnow() + timedelta(minutes=int(current_app.config["ORDER_LEAD_MINUTES"]))


def list_windows(community_id: int) -> list[Choice]:
    """The community's windows still far enough ahead, with places left."""
    rows = db.session().exec(
        select(DeliveryWindow)
        .where(
            DeliveryWindow.community_id == community_id, DeliveryWindow.starts_at > bookable_after()
        )
        .order_by(DeliveryWindow.starts_at)
    )
    return [Choice(w.id, w.starts_at, w.ends_at, w.capacity - w.taken) for w in rows]


_WINDOWS = db.table(DeliveryWindow)
#: Checkout's conditional update, built once (a plain table statement: no ORM bookkeeping).
_TAKE = (
    update(_WINDOWS)
    .where(
        _WINDOWS.c.id == bindparam("window"),
        _WINDOWS.c.community_id == bindparam("community"),
        _WINDOWS.c.starts_at > bindparam("after"),
        _WINDOWS.c.taken + 1 <= _WINDOWS.c.capacity,
    )
    .values(taken=_WINDOWS.c.taken + 1)
)


def take(window_id: int, community_id: int) -> bool:
    """Take one place in a window of this community, if it is open and not full."""
    params = {"window": window_id, "community": community_id, "after": bookable_after()}
    return db.run(_TAKE, params).rowcount == 1


def give_back(window_id: int) -> None:
    """Free one place in a window."""
    db.session().execute(
        update(DeliveryWindow)
        .where(DeliveryWindow.id == window_id, DeliveryWindow.taken >= 1)
        .values(taken=DeliveryWindow.taken - 1)
    )


def list_slots(
    item_ids: list[int],
    slot_times: list[str],
    community_id: int,
    days: int | None = None,
    duration_minutes: int = 0,
) -> list[Choice]:
    """Service slots for the coming days with the places left in all of the bundle's items.

    A slot ends when the service is expected to be done: its start plus `duration_minutes`.
    """
    tz = ZoneInfo(accounts.community_timezone(community_id))
    today = db.utcnow().astimezone(tz).date()  # the one clock (tests and the simulator move it)
    earliest = bookable_after()
    choices = []
    for offset in range(
        days if days is not None else int(current_app.config["ORDER_WINDOW_DAYS_AHEAD"])
    ):
        for spec in sorted(slot_times):
            start = datetime.combine(today + timedelta(days=offset), time.fromisoformat(spec), tz)
            if start <= earliest:
                continue
            remaining = min(
                suppliers.api.slot_remaining(item_id=i, starts_at=start) for i in item_ids
            )
            end = start + timedelta(minutes=duration_minutes)
            choices.append(Choice(None, start, end, remaining))
    return choices
