"""Fixtures and steps for tasks: a grid over the resident's building with its crew, the
default commission rule, paying an order by webhook and the staff's steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

import fulfilment.api
from fulfilment.models import Task
from orders.models import Payment
from shop.core import accounts, db
from shop.core.models import Notification
from tests.fixtures_orders import deliver, intent_event, order_body, post


@dataclass
class Crew:
    """Who works the resident's grid, and a neighbouring grid's butler."""

    manager: int
    busy_butler: int
    free_butler: int
    off_butler: int
    cleaner: int
    other_grid_butler: int
    other_manager: int
    grid_id: int


@pytest.fixture
def crew(app, shop, make_user) -> Crew:
    """Grid 一网格 covers the resident's building: two butlers on duty (one already busier),
    one off duty, a cleaner; grid 二网格 covers another building with its own butler."""
    ids = {
        name: make_user("staff", email=f"{name}@staff.test")
        for name in ("busy", "free", "off", "cleaner", "other")
    }
    manager = make_user("manager", email="manager@staff.test")
    other_manager = make_user("manager", email="manager2@staff.test")
    with app.app_context(), db.session_scope() as s:
        address = accounts.find_resident_address(shop["user_id"])
        elsewhere = accounts.add_building(community_id=address.community_id, name="9栋")
        grid = fulfilment.api.create_grid(
            community_id=address.community_id,
            name="一网格",
            building_ids=[address.building_id],
            manager_id=manager,
        )
        other = fulfilment.api.create_grid(
            community_id=address.community_id,
            name="二网格",
            building_ids=[elsewhere.id],
            manager_id=other_manager,
        )
        roles = {"busy": "butler", "free": "butler", "off": "butler", "cleaner": "cleaner"}
        for n, (name, role) in enumerate(roles.items()):
            fulfilment.api.add_staff_member(
                user_id=ids[name],
                employee_no=f"E{n:03d}",
                staff_role=role,
                grid_ids=[grid.id],
                is_on_duty=name != "off",
            )
        fulfilment.api.add_staff_member(
            user_id=ids["other"],
            employee_no="E100",
            staff_role="butler",
            grid_ids=[other.id],
            is_on_duty=True,
        )
        s.commit()
    return Crew(
        manager,
        ids["busy"],
        ids["free"],
        ids["off"],
        ids["cleaner"],
        ids["other"],
        other_manager,
        grid.id,
    )


@pytest.fixture
def rule(app, catalogue):
    """The default commission rule: ¥2 a piece, deliverer 80 % / referrer 20 %, half if missed."""
    with app.app_context(), db.session_scope() as s:
        fulfilment.api.add_commission_rule(
            actor_id=catalogue.operator_id,
            data={
                "scope": "default",
                "basis": "fixed",
                "amount": 200,
                "split_bp": {"deliverer": 8000, "performer": 8000, "referrer": 2000},
                "missed_factor_bp": 5000,
            },
        )
        s.commit()


def task_of(app, order_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.exec(select(Task).where(Task.order_id == order_id)).one()


def pay_another(app, client, shop):
    """Place and pay a second order of the same resident; its id."""
    order = post(client, shop, order_body(shop, 1)).get_json()
    pay_order(app, client, order["id"], 3600)
    return order["id"]


def pay_order(app, client, order_id, amount):
    """Pay an order through a signed webhook."""
    intent = f"pi_{uuid.uuid4().hex[:8]}"
    with app.app_context(), db.session_scope() as s:
        s.add(
            Payment(
                order_id=order_id,
                attempt=1,
                intent_id=intent,
                client_secret=f"{intent}_secret",
                amount_minor=amount,
                currency="CNY",
            )
        )
        s.commit()
    deliver(client, app, intent_event("succeeded", intent, amount))


def notified(app, user_id, kind):
    with app.app_context(), db.session_scope(write=False) as s:
        return len(
            s.exec(
                select(Notification).where(
                    Notification.user_id == user_id, Notification.kind == kind
                )
            ).all()
        )


def event(client, headers, task_id, name, **extra):
    return client.post(
        f"/api/v1/tasks/{task_id}/events", headers=headers, json={"event": name, **extra}
    )


def deliver_in_window(app, client, headers, order, clock, who="busy@staff.test"):
    """Accept now, deliver inside the window with the right code: every promise kept."""
    task_id = task_of(app, order["id"]).id
    h = headers(who)
    assert event(client, h, task_id, "accepted").status_code == 200
    clock.set(db.aware(order["window"].due_from) + timedelta(minutes=5))
    event(client, h, task_id, "arrived")
    done = event(client, h, task_id, "delivered", confirmation_code=order["code"])
    assert done.get_json()["status"] == "done", done.get_json()
    return task_id


def wallet(client, headers, who="busy@staff.test"):
    return client.get("/api/v1/staff/me/wallet", headers=headers(who)).get_json()
