"""The frontline staff's measures (员工), per staff member and for the platform, made fair.

Work counts in the month it was done (a task's `done_at`); promises count on the tasks a
person held. Fair, as courier scoring learned when it moved from fines to points: a promise
missed on a task that failed for a cause outside the person's control (the resident not at
home, the supplier out of stock: `rules.OUTSIDE_CONTROL`) does not count against them, a
waived promise is never judged, and a promise missed while a task had nobody holding it
counts against no one. Newcomers (in their first 30 days at the month's end) get their own
figures but are left out of the platform's, which is the mean of everyone else's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import select

import orders.api
from fulfilment import queries, rules
from fulfilment.models import Credit, PayoutBatch, StaffMember, Task, TaskEvent, Withdrawal
from shop.core import db
from shop.core.measures import Figure, Measure, rate_bp
from shop.core.models import User

NEWCOMER_DAYS = 30

MEASURES = (
    Measure(
        "staff.pieces",
        "staff",
        _l("Pieces done"),
        _l("Tasks done in the month (a delivery or a service the resident confirmed)"),
        "count",
        amber=40,
        green=80,
    ),
    Measure(
        "staff.earnings_minor",
        "staff",
        _l("Earnings"),
        _l("Commissions earned in the month, less those reversed (fen)"),
        "minor",
        amber=150_000,
        green=300_000,
    ),
    Measure(
        "staff.promises_kept",
        "staff",
        _l("Promises kept (fair)"),
        _l(
            "Promises met ÷ judged on the tasks done or failed in the month; misses for a "
            "cause outside their control left out"
        ),
        "bp",
        amber=9000,
        green=9500,
    ),
    Measure(
        "staff.earnings_per_hour_minor",
        "staff",
        _l("Earnings per hour of work"),
        _l("Earnings ÷ hours recorded from accepting a task to finishing it (fen)"),
        "minor",
        amber=2500,
        green=4000,
    ),
    Measure(
        "staff.withdrawals_on_time",
        "staff",
        _l("Withdrawals paid on time"),
        _l(
            "Withdrawals asked for in the month, paid by the bank within the payout days "
            "÷ not refused"
        ),
        "bp",
        amber=9000,
        green=9800,
    ),
)


GRID_MEASURES = (
    Measure(
        "managers.promises_kept",
        "managers",
        _l("Grid's promises kept (fair)"),
        _l("Promises met ÷ judged on the grid's tasks of the month, as for its staff"),
        "bp",
        amber=9000,
        green=9500,
    ),
    Measure(
        "managers.earnings_spread",
        "managers",
        _l("Earnings spread"),
        _l("Standard deviation ÷ mean of the month's earnings of the grid's staff who earned"),
        "bp",
        amber=6000,
        green=4000,
        lower_is_better=True,
    ),
    Measure(
        "managers.complaints_on_time",
        "managers",
        _l("Complaints answered in a day"),
        _l("Complaints on the grid's orders of the month answered within 24 hours ÷ complaints"),
        "bp",
        amber=8000,
        green=9500,
    ),
    Measure(
        "managers.coverage",
        "managers",
        _l("Buildings served"),
        _l("The grid's buildings where a butler finished a task in the month ÷ its buildings"),
        "bp",
        amber=6000,
        green=9000,
    ),
)
ANSWER_WITHIN = timedelta(hours=24)


def newcomers(month_end: datetime) -> set[int]:
    """Staff in their first 30 days at the month's end (their figures are shown apart)."""
    since = month_end - timedelta(days=NEWCOMER_DAYS)
    rows = db.session().exec(
        select(StaffMember.user_id)
        .join(User, User.id == StaffMember.user_id)
        .where(User.created_at > since)
    )
    return set(rows)


def measure(month: date, start: datetime, end: datetime) -> Iterable[Figure]:
    """The staff's figures of one month."""
    s = db.session()
    tasks = s.exec(
        select(Task).where(
            Task.assignee_id.is_not(None),
            ((Task.done_at >= start) & (Task.done_at < end))
            | ((Task.status == "failed") & (Task.created_at >= start) & (Task.created_at < end)),
        )
    ).all()
    done = [t for t in tasks if t.status == "done"]
    earned = _earnings(start, end)
    hours = _hours(done)
    per_staff: dict[str, dict[int, tuple[int | None, int, tuple[int, ...]]]] = {
        "staff.pieces": {},
        "staff.earnings_minor": {},
        "staff.earnings_per_hour_minor": {},
    }
    people = {t.assignee_id for t in tasks} | set(earned)
    for staff_id in people:
        pieces = [t for t in done if t.assignee_id == staff_id]
        per_staff["staff.pieces"][staff_id] = (len(pieces), len(pieces), ())
        per_staff["staff.earnings_minor"][staff_id] = (earned.get(staff_id, 0), len(pieces), ())
        minutes = hours.get(staff_id, 0)
        per_hour = earned.get(staff_id, 0) * 60 // minutes if minutes else None
        per_staff["staff.earnings_per_hour_minor"][staff_id] = (per_hour, len(pieces), ())
    per_staff["staff.promises_kept"] = _promises(tasks)
    per_staff["staff.withdrawals_on_time"] = _withdrawals(start, end)
    apart = newcomers(end)
    figures = [f for key, rows in per_staff.items() for f in _figures(key, rows, apart)]
    return figures + _grids(start, end, earned)


def _figures(
    key: str, rows: dict[int, tuple[int | None, int, tuple[int, ...]]], apart: set[int]
) -> list[Figure]:
    """Each person's figure, and the platform's: the mean over everyone but newcomers."""
    out = [
        Figure(key, "staff", sid, value, n, ids) for sid, (value, n, ids) in sorted(rows.items())
    ]
    counted = [v for sid, (v, _n, _ids) in rows.items() if sid not in apart and v is not None]
    mean = sum(counted) // len(counted) if counted else None
    return [*out, Figure(key, "platform", 0, mean, len(counted))]


def _earnings(start: datetime, end: datetime) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for staff_id, amount in db.session().exec(
        select(Credit.staff_id, Credit.amount_minor).where(
            Credit.created_at >= start, Credit.created_at < end, Credit.status != "reversed"
        )
    ):
        out[staff_id] += amount
    return dict(out)


def _hours(done: list[Task]) -> dict[int, int]:
    """Minutes of recorded work per person: from accepting each task to finishing it."""
    rows = db.session().exec(
        select(TaskEvent.task_id, TaskEvent.at).where(
            TaskEvent.task_id.in_([t.id for t in done]), TaskEvent.action == "accept"
        )
    )
    accepted = {task_id: at for task_id, at in rows}
    out: dict[int, int] = defaultdict(int)
    for t in done:
        if t.id in accepted:
            span = db.aware(t.done_at) - db.aware(accepted[t.id])
            out[t.assignee_id] += max(int(span.total_seconds() // 60), 1)
    return dict(out)


def _promises(tasks: list[Task]) -> dict[int, tuple[int | None, int, tuple[int, ...]]]:
    counts = orders.api.promise_counts([t.order_id for t in tasks])
    tally: dict[int, list] = defaultdict(lambda: [0, 0, []])
    for t in tasks:
        met, judged = rules.fair_promises(*counts.get(t.order_id, (0, 0)), t.fail_cause)
        row = tally[t.assignee_id]
        row[0], row[1] = row[0] + met, row[1] + judged
        if judged > met:
            row[2].append(t.order_id)
    return {sid: (rate_bp(m, j), j, tuple(ids)) for sid, (m, j, ids) in tally.items()}


def _withdrawals(start: datetime, end: datetime) -> dict[int, tuple[int | None, int, tuple]]:
    days = timedelta(days=int(current_app.config["FULFILMENT_PAYOUT_DAYS"]))
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for w, paid_at in db.session().exec(
        select(Withdrawal, PayoutBatch.paid_at)
        .join(PayoutBatch, PayoutBatch.id == Withdrawal.batch_id, isouter=True)
        .where(
            Withdrawal.created_at >= start,
            Withdrawal.created_at < end,
            Withdrawal.status != "rejected",
        )
    ):
        paid = w.status == "paid" and paid_at is not None
        on_time = paid and db.aware(paid_at) - db.aware(w.created_at) <= days
        tally[w.staff_id][0] += on_time
        tally[w.staff_id][1] += 1
    return {sid: (rate_bp(ok, n), n, ()) for sid, (ok, n) in tally.items()}


def _grids(start: datetime, end: datetime, earned: dict[int, int]) -> list[Figure]:
    """The grid managers' figures: one per grid, and the platform's over all grids."""
    s = db.session()
    tasks = s.exec(
        select(Task).where(
            Task.grid_id.is_not(None), Task.created_at >= start, Task.created_at < end
        )
    ).all()
    counts = orders.api.promise_counts([t.order_id for t in tasks])
    complaints = orders.api.complaint_times([t.order_id for t in tasks])
    grid_of_order = {t.order_id: t.grid_id for t in tasks}
    out = []
    tally: dict[str, dict[int, list[int]]] = {
        k: defaultdict(lambda: [0, 0]) for k in ("p", "c", "b")
    }
    for t in tasks:
        met, judged = counts.get(t.order_id, (0, 0))
        judged = met if t.fail_cause in rules.OUTSIDE_CONTROL else judged
        tally["p"][t.grid_id][0] += met
        tally["p"][t.grid_id][1] += judged
    for order_id, filed, answered in complaints:
        row = tally["c"][grid_of_order[order_id]]
        row[0] += answered is not None and answered - filed <= ANSWER_WITHIN
        row[1] += 1
    served = {(t.grid_id, t.building_id) for t in tasks if t.status == "done"}
    for grid in queries.list_grids():
        tally["b"][grid.id][1] = len(grid.building_ids)
        tally["b"][grid.id][0] = sum((grid.id, b) in served for b in grid.building_ids)
        spread = _spread([earned[sid] for sid in grid.staff_ids if sid in earned])
        out.append(Figure("managers.earnings_spread", "grid", grid.id, spread, len(grid.staff_ids)))
    everyone = _spread(list(earned.values()))
    out.append(Figure("managers.earnings_spread", "platform", 0, everyone, len(earned)))
    for key, letter in (("promises_kept", "p"), ("complaints_on_time", "c"), ("coverage", "b")):
        part = whole = 0
        for grid_id, (p, w) in sorted(tally[letter].items()):
            out.append(Figure(f"managers.{key}", "grid", grid_id, rate_bp(p, w), w))
            part, whole = part + p, whole + w
        out.append(Figure(f"managers.{key}", "platform", 0, rate_bp(part, whole), whole))
    return out


def _spread(amounts: list[int]) -> int | None:
    """Coefficient of variation in basis points (None with fewer than two earners)."""
    if len(amounts) < 2:
        return None
    mean = sum(amounts) / len(amounts)
    variance = sum((a - mean) ** 2 for a in amounts) / len(amounts)
    return int(variance**0.5 / mean * 10_000) if mean else None
