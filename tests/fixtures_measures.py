"""A fenced world of the measures: two compounds, grids, suppliers and their readers, with a
snapshot row for every measure and scope in November 2026 and a year's trend before it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import fulfilment.api
import suppliers.api
from fulfilment.models import GridStaff, StaffMember
from shop.core import accounts, db, measures
from shop.core.models import MeasureFigure, User

NOVEMBER = date(2026, 11, 1)
#: The secret of a figure nobody but its fence may read: a value no other row carries.
SECRET = 4242
#: The eleven months before November, oldest first.
TREND = [date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 11)]


@pytest.fixture
def measure_world(app: Any, make_user: Any) -> dict[str, Any]:
    """Two compounds, two grids with a manager and a butler each, two suppliers with a member
    each, a committee seat on the first compound; a snapshot row for every measure and scope,
    and the months before November for the first of each and the platform."""
    ids: dict[str, Any] = {
        "ops": make_user("operator", email="ops@f.test"),
        "resident": make_user("resident", email="res@f.test"),
        "committee": make_user("committee", email="yw@f.test"),
    }
    for n in (1, 2):
        ids[f"m{n}"] = make_user("manager", email=f"m{n}@f.test")
        ids[f"s{n}"] = make_user("staff", email=f"s{n}@f.test")
        ids[f"u{n}"] = make_user("supplier_member", email=f"u{n}@f.test")
    with app.app_context(), db.session_scope() as s:
        for n in (1, 2):
            home = accounts.create_community(code=f"f{n}", name=f"第{n}小区")
            building = accounts.add_building(community_id=home.id, name="1栋").id
            grid = fulfilment.api.create_grid(
                community_id=home.id,
                name=f"网格{n}",
                building_ids=[building],
                manager_id=ids[f"m{n}"],
            )
            s.get(User, ids[f"s{n}"]).display_name = f"管家{n}"
            s.add(StaffMember(user_id=ids[f"s{n}"], employee_no=f"E{n}", staff_role="butler"))
            s.flush()
            s.add(GridStaff(grid_id=grid.id, user_id=ids[f"s{n}"]))
            supplier = suppliers.api.register_supplier(
                name=f"供应商{n}",
                kind="channel_partner",
                licence_no=f"9131000000FEN00{n}",
                member_user_id=ids[f"u{n}"],
                status="active",
            )
            ids[f"c{n}"], ids[f"g{n}"], ids[f"p{n}"] = home.id, grid.id, supplier.id
        accounts.seat_committee(user_id=ids["committee"], community_id=ids["c1"])
        scope_ids = {
            "compound": (ids["c1"], ids["c2"]),
            "grid": (ids["g1"], ids["g2"]),
            "staff": (ids["s1"], ids["s2"]),
            "supplier": (ids["p1"], ids["p2"]),
        }
        for key in measures.defined():
            for scope, (mine, theirs) in scope_ids.items():
                for scope_id, value in ((mine, 1111), (theirs, SECRET)):
                    s.add(
                        MeasureFigure(
                            month=NOVEMBER,
                            measure=key,
                            scope=scope,
                            scope_id=scope_id,
                            value=value,
                            n=3,
                            order_ids=[value],
                        )
                    )
            s.add(
                MeasureFigure(
                    month=NOVEMBER, measure=key, scope="platform", scope_id=0, value=2222, n=6
                )
            )
            for back, month in enumerate(TREND):  # a year's trend of the readers' own scopes
                value = 5000 + 400 * back + 100 * (back % 3)
                for scope, (mine, _theirs) in (*scope_ids.items(), ("platform", (0, 0))):
                    s.add(
                        MeasureFigure(
                            month=month,
                            measure=key,
                            scope=scope,
                            scope_id=mine,
                            value=value,
                            n=4 + back,
                            order_ids=[],
                        )
                    )
        s.commit()
    return ids
