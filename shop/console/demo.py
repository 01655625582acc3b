"""`flask --app wsgi demo`: the demo community, idempotent, with fixed logins (API.md)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

import fulfilment.api
import suppliers.api
from shop.core import accounts, db

PASSWORD = "demo1234"  # noqa: S105  (the documented demo password, API.md)
COMMUNITY = {"code": "yangguang", "name": "阳光花园", "address": "上海市浦东新区阳光路 88 号"}
BUILDINGS = ("1栋", "2栋", "3栋")
#: (login, name, staff role, employee number, grid index, on duty)
STAFF = (
    ("staff1@demo.local", "王建国", "butler", "E1001", 0, True),
    ("staff2@demo.local", "李秀英", "cleaner", "E1002", 0, True),
    ("staff3@demo.local", "张师傅", "technician", "E1003", 1, True),
    ("staff4@demo.local", "刘海", "butler", "E1004", 1, False),
)
#: (login, name, building index, room, phone, segment)
RESIDENTS = (
    ("resident1@demo.local", "陈女士", 0, "1-0101", "13800000001", "mass"),
    ("resident2@demo.local", "赵先生", 0, "1-0502", "13800000002", "mass"),
    ("resident3@demo.local", "孙女士", 1, "2-1203", "13800000003", "premium"),
    ("resident4@demo.local", "周先生", 1, "2-0304", "13800000004", "mass"),
    ("resident5@demo.local", "吴女士", 2, "3-0801", "13800000005", "mass"),
    ("resident6@demo.local", "郑奶奶", 2, "3-0102", "13800000006", "care"),
)


@dataclass(frozen=True)
class DemoSupplier:
    """A demo supplier company, its member and the part of the catalogue it sells."""

    login: str
    member: str
    company: str
    kind: str
    licence_no: str
    status: str
    categories: tuple[str, ...]
    item_kind: str | None


SUPPLIERS = (
    DemoSupplier(
        "supplier1@demo.local",
        "马经理",
        "清泉饮用水配送有限公司",
        "channel_partner",
        "91310000MA1DEMO01X",
        "active",
        ("饮用水", "粮油", "生鲜", "乳品", "日用品"),
        "goods",
    ),
    DemoSupplier(
        "supplier2@demo.local",
        "钱经理",
        "邻里家政服务有限公司",
        "channel_partner",
        "91310000MA1DEMO02X",
        "active",
        ("家政保洁", "家电清洗", "维修", "洗衣"),
        "service",
    ),
    DemoSupplier(
        "supplier3@demo.local",
        "冯厂长",
        "绿源农产品生产合作社",
        "producer",
        "91310000MA1DEMO03X",
        "submitted",
        ("生鲜",),
        None,
    ),
)
CATALOGUE = Path(__file__).with_name("data") / "demo_catalogue_zh.csv"


def catalogue_csv(kind: str, categories: tuple[str, ...]) -> str:
    """The demo catalogue's rows of one kind and these categories, as an item-import CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, suppliers.api.ITEM_CSV_COLUMNS)
    writer.writeheader()
    with CATALOGUE.open(encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), start=1):
            if row["kind"] != kind or row["category"] not in categories:
                continue
            service = kind == "service"
            writer.writerow(
                {
                    "sku": f"DEMO-{n:03d}",
                    "kind": kind,
                    "category": row["category"],
                    "name": row["name"],
                    "description": row["description"],
                    "unit": row["unit"],
                    "supply_price_minor": row["supply_price_minor"],
                    "stock": "" if service else 200,
                    "staff_role": row["staff_role"],
                    "duration_minutes": row["duration_minutes"],
                    "slot_times": "09:00|14:00|19:00" if service else "",
                    "slot_capacity": 2 if service else "",
                }
            )
    return out.getvalue()


def seed() -> bool:
    """Create the demo community unless it exists; returns whether anything was created."""
    if accounts.find_user_by_email("operator@demo.local") is not None:
        return False
    user = accounts.create_user
    suppliers.api.ensure_onboarding_defaults()
    community = accounts.create_community(**COMMUNITY)
    buildings = [accounts.add_building(community_id=community.id, name=n) for n in BUILDINGS]
    user(
        email="operator@demo.local", password=PASSWORD, display_name="平台运营", roles=["operator"]
    )
    manager = user(
        email="manager@demo.local",
        password=PASSWORD,
        display_name="项目经理 黄伟",
        roles=["manager"],
    )
    grids = [
        fulfilment.api.create_grid(
            community_id=community.id,
            name="网格A",
            building_ids=[buildings[0].id, buildings[1].id],
            manager_id=manager.id,
        ),
        fulfilment.api.create_grid(
            community_id=community.id,
            name="网格B",
            building_ids=[buildings[2].id],
            manager_id=manager.id,
        ),
    ]
    for login, name, role, number, grid, on_duty in STAFF:
        member = user(email=login, password=PASSWORD, display_name=name, roles=["staff"])
        fulfilment.api.add_staff_member(
            user_id=member.id,
            employee_no=number,
            staff_role=role,
            grid_ids=[grids[grid].id],
            is_on_duty=on_duty,
        )
    for login, name, building, room, phone, segment in RESIDENTS:
        resident = user(
            email=login, password=PASSWORD, display_name=name, roles=["resident"], phone=phone
        )
        accounts.set_resident_profile(
            user_id=resident.id,
            building_id=buildings[building].id,
            room=room,
            phone=phone,
            segment=segment,
        )
    for demo in SUPPLIERS:
        member = user(
            email=demo.login, password=PASSWORD, display_name=demo.member, roles=["supplier_member"]
        )
        supplier = suppliers.api.register_supplier(
            name=demo.company,
            kind=demo.kind,
            licence_no=demo.licence_no,
            member_user_id=member.id,
            contact_name=demo.member,
            email=demo.login,
            status=demo.status,
            categories=demo.categories,
        )
        if demo.item_kind:
            suppliers.api.import_items(
                supplier_id=supplier.id,
                actor_id=member.id,
                csv_text=catalogue_csv(demo.item_kind, demo.categories),
            )
    return True


def logins() -> list[tuple[str, str]]:
    """The demo's logins and what each one is."""
    rows = [("operator@demo.local", "operator 运营"), ("manager@demo.local", "manager 项目经理")]
    rows += [(s[0], f"staff 员工 ({s[2]})") for s in STAFF]
    rows += [(r[0], f"resident 业主 ({r[5]})") for r in RESIDENTS]
    rows += [(s.login, f"supplier 供应商 ({s.company})") for s in SUPPLIERS]
    return rows


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Seed only when the database has no users.")
def demo_command(if_empty: bool) -> None:
    """Seed the demo community (idempotent) and print the demo logins."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("demo refuses to run when SHOP_ENV=production")
    with db.session_scope():
        if (
            if_empty
            and accounts.count_users() > 0
            and accounts.find_user_by_email("operator@demo.local") is None
        ):
            click.echo("The database has users already; the demo was not seeded.")
            return
        created = seed()
        db.session().commit()
    click.echo("Demo community seeded." if created else "Demo community already there.")
    click.echo(f"Demo logins (password: {PASSWORD}):")
    for login, what in logins():
        click.echo(f"  {login:<24} {what}")
