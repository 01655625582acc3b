"""Fixtures for tasks: a grid over the resident's building with its crew, and a paid order."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import fulfilment.api
from shop.core import accounts, db
from tests.orders.conftest import (  # noqa: F401  (fixtures used by the tests here)
    clock,
    paid,
    shop,
    unpaid,
)


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
def crew(app, shop, make_user) -> Crew:  # noqa: F811  (the imported fixture)
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
