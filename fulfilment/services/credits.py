"""Credits: a verified task credits its roles once; completion releases, a refund claws back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import select

import orders.api
import suppliers.catalogue.api as catalogue
from fulfilment import rules
from fulfilment.models import (
    Credit,
    StaffMember,
    Task,
)
from fulfilment.services import commissions
from fulfilment.services.ledger import post
from shop.core import db, jobs, notifications
from shop.core.money import Money

CREDIT_JOB = "fulfilment.jobs.credit_task"


def credit_task(task_id: int) -> list[Credit]:
    """Credit the roles of a verified task once (the job; idempotent, safe to run twice)."""
    s = db.session()
    found = s.get(Task, task_id)
    if found is None:
        return []
    # The order's row first: a refund committing meanwhile either sees these credits (and
    # reverses them) or has already made the order refunded (and nothing is credited).
    orders.api.lock_order(found.order_id)
    task = s.get(Task, task_id, with_for_update=True, populate_existing=True)
    if task.status != "done" or task.credited_at is not None:
        return []
    brief = orders.api.order_brief(task.order_id)
    made: list[Credit] = []
    bundle_id = brief.bundle_ids[0] if brief.bundle_ids else 0
    rule = rules.pick_rule(
        commissions.rules_in_force(),
        bundle_id=bundle_id,
        category_id=catalogue.categories_of([bundle_id]).get(bundle_id),
        paid_at=brief.paid_at or db.utcnow(),
    )
    # A refunded order earns nothing; one completed before this job ran is paid out at once.
    if rule is not None and task.assignee_id is not None and brief.status != "refunded":
        people = {"performer" if task.kind == "service" else "deliverer": task.assignee_id}
        referrer = _referrer(brief.referral_code)
        if referrer is not None:
            people["referrer"] = referrer
        total = rules.commission_total(
            rule,
            pieces=brief.pieces,
            margin_minor=brief.total_minor - brief.settlement_minor,
            missed=brief.missed_promises > 0,
        )
        for role, amount in rules.split(total, rule.split_bp, list(people)).items():
            credit = _credit(task, role, people[role], amount, rule.id)
            if credit is not None:
                made.append(credit)
    task.credited_at = db.utcnow()
    s.flush()
    if brief.status == "completed":
        release_order(task.order_id)
    return made


def _referrer(code: str) -> int | None:
    if not code:
        return None
    return (
        db.session()
        .exec(select(StaffMember.user_id).where(StaffMember.employee_no == code))
        .first()
    )


def _credit(task: Task, role: str, staff_id: int, amount: int, rule_id: int) -> Credit | None:
    posting = post(
        f"credit:{task.id}:{role}",
        "credit",
        [("commission_expense", None, amount), ("staff_pending", staff_id, -amount)],
        staff_id=staff_id,
        order_id=task.order_id,
        task_id=task.id,
        memo=role,
    )
    if posting is None:
        return None
    credit = Credit(
        task_id=task.id,
        order_id=task.order_id,
        staff_id=staff_id,
        role=role,
        amount_minor=amount,
        rule_id=rule_id,
    )
    db.session().add(credit)
    db.session().flush()
    notifications.notify(
        staff_id,
        "commission",
        lambda: (
            _("You earned %(money)s", money=Money(amount, current_app.config["CURRENCY"]).format()),
            _("Order %(id)s", id=task.order_id),
        ),
        link="/staff/wallet",
    )
    return credit


def sweep_uncredited() -> int:
    """Send the credit job for done tasks whose credit was never posted (a lost job)."""
    cutoff = db.utcnow() - timedelta(minutes=1)
    ids = db.session().exec(
        select(Task.id)
        .where(Task.status == "done", Task.credited_at.is_(None), Task.done_at < cutoff)
        .limit(1000)
    )
    return jobs.enqueue_each(CREDIT_JOB, ids)


def _credits_of(order_id: int, statuses: Iterable[str]) -> list[Credit]:
    return list(
        db.session().exec(
            select(Credit)
            .where(Credit.order_id == order_id, Credit.status.in_(tuple(statuses)))
            .order_by(Credit.id)
            .with_for_update()
        )
    )


def release_order(order_id: int, **_kwargs: Any) -> int:
    """The order completed (its after-sale window closed): its credits become available."""
    released = 0
    for credit in _credits_of(order_id, ("pending",)):
        post(
            f"release:{credit.id}",
            "release",
            [
                ("staff_pending", credit.staff_id, credit.amount_minor),
                ("staff_available", credit.staff_id, -credit.amount_minor),
            ],
            staff_id=credit.staff_id,
            order_id=order_id,
            task_id=credit.task_id,
        )
        credit.status, credit.available_at = "available", db.utcnow()
        released += 1
    db.session().flush()
    return released


def reverse_order(order_id: int, **_kwargs: Any) -> int:
    """The order was refunded: claw back its credits, whatever their status."""
    reversed_ = 0
    for credit in _credits_of(order_id, ("pending", "available")):
        account = "staff_pending" if credit.status == "pending" else "staff_available"
        post(
            f"reverse:{credit.id}",
            "reverse",
            [
                (account, credit.staff_id, credit.amount_minor),
                ("commission_expense", None, -credit.amount_minor),
            ],
            staff_id=credit.staff_id,
            order_id=order_id,
            task_id=credit.task_id,
            memo="refund",
        )
        credit.status, credit.reversed_at = "reversed", db.utcnow()
        reversed_ += 1
    db.session().flush()
    return reversed_
