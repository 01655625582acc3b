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
import orders.api
import suppliers.api
import suppliers.catalogue.api as catalogue
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


#: Phase 1 keeps the store to five categories.
OPEN_CATEGORIES = (
    ("饮用水", "Drinking water"),
    ("粮油", "Rice and oil"),
    ("生鲜", "Fresh food"),
    ("家政保洁", "Home cleaning"),
    ("家电清洗", "Appliance cleaning"),
)
#: The service standard of the home-service categories, from the property's quality practice.
HOME_VISIT_STANDARD = (
    "敲门三声并自报身份",
    "入户穿鞋套",
    "离开前整理现场、带走垃圾",
    "尊重隐私：不拍摄住户家中、不评论物品",
)
STANDARD_CATEGORIES = ("家政保洁", "家电清洗")
VALUE_ADDS = {"goods": ["送货上楼", "破损包赔"], "service": ["持证上门", "不满意免费返工"]}
POLICIES = {
    "goods": {
        "name": "送货到家",
        "nodes": [
            {
                "kind": "accept",
                "minutes": 30,
                "service_start": "08:00",
                "service_end": "21:00",
                "compensation": {"type": "coupon", "amount_minor": 300},
            },
            {
                "kind": "deliver_window",
                "compensation": {"type": "refund_amount", "amount_minor": 500},
            },
        ],
    },
    "service": {
        "name": "上门服务",
        "nodes": [
            {
                "kind": "accept",
                "minutes": 60,
                "service_start": "08:00",
                "service_end": "20:00",
                "compensation": {"type": "coupon", "amount_minor": 500},
            },
            {
                "kind": "arrive_window",
                "compensation": {"type": "refund_amount", "amount_minor": 1000},
            },
            {
                "kind": "complete",
                "minutes": 30,
                "compensation": {"type": "refund_amount", "amount_minor": 1000},
            },
            {
                "kind": "standard",
                "checklist": ["按服务项目清单完成"],
                "requires_confirmation": True,
                "compensation": {"type": "refund_percent", "basis_points": 2000},
            },
        ],
    },
}
# English words too: an English reader types "water", the titles are Chinese.
SYNONYMS = (
    ("矿泉水", "饮用水", "纯净水", "water"),
    ("保洁", "清洁", "打扫", "cleaning"),
    ("大米", "米", "rice"),
    ("花生油", "食用油", "oil"),
    ("鲜奶", "牛奶", "milk"),
    ("维修", "修理", "repair"),
    ("空调清洗", "空调", "aircon"),
)


#: The demo's product pictures: a colour per category (no photos ship with the code).
_PALETTE = {
    "饮用水": (66, 153, 225),
    "粮油": (236, 178, 46),
    "生鲜": (72, 187, 120),
    "乳品": (237, 242, 247),
    "日用品": (159, 122, 234),
    "家政保洁": (56, 178, 172),
    "家电清洗": (99, 179, 237),
}


def demo_picture(category: str, seed: str) -> bytes:
    """A small generated product picture (PNG): a parcel on the category's colour."""
    import io
    import zlib

    from PIL import Image, ImageDraw

    colour = _PALETTE.get(category, (160, 174, 192))
    shift = zlib.crc32(seed.encode()) % 60
    image = Image.new("RGB", (400, 400), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 50) for c in colour)
    draw.ellipse((40 + shift, 30, 360 - shift, 350 - shift // 2), fill=light)
    draw.rounded_rectangle((110, 150, 290, 320), radius=18, fill=(255, 255, 255))
    draw.rectangle((190, 150, 210, 320), fill=colour)
    draw.rectangle((110, 215, 290, 235), fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _retail_prices() -> dict[str, int]:
    with CATALOGUE.open(encoding="utf-8") as f:
        return {row["name"]: int(row["price_minor"]) for row in csv.DictReader(f)}


def seed_catalogue(operator_id: int, supplier_ids: list[int]) -> None:
    """Open the phase-1 categories and publish one bundle per demo item in them."""
    categories = {}
    for name, name_en in OPEN_CATEGORIES:
        category_id = catalogue.create_category(name=name, name_en=name_en, actor_id=operator_id)
        catalogue.set_category_active(category_id=category_id, is_active=True, actor_id=operator_id)
        categories[name] = category_id
        if name in STANDARD_CATEGORIES:
            catalogue.set_category_checklist(
                category_id=category_id, checklist=HOME_VISIT_STANDARD, actor_id=operator_id
            )
    policies = {
        kind: catalogue.save_policy(actor_id=operator_id, data=data)
        for kind, data in POLICIES.items()
    }
    retail = _retail_prices()
    for supplier_id in supplier_ids:
        items = suppliers.api.get_items(suppliers.api.item_ids_of_supplier(supplier_id))
        for item in sorted(items.values(), key=lambda i: i.id):
            if item.category not in categories:
                continue
            price = retail.get(item.name, item.supply_price_minor * 6 // 5)
            care = price * 9 // 10 if item.category == "饮用水" else None
            bundle_id = catalogue.create_bundle(
                actor_id=operator_id,
                data={
                    "title": item.name,
                    "description": f"{item.category} · 物业管家送达/上门",
                    "category_id": categories[item.category],
                    "images": [],
                    "value_adds": VALUE_ADDS[item.kind],
                    "tags": [item.category, *(["桶装水"] if "桶装" in item.name else [])],
                    "price_minor": price,
                    "care_price_minor": care if care and care >= item.supply_price_minor else None,
                    "reference_price_minor": price * 115 // 100,
                    "segments": ["mass", "care"],
                    "policy_id": policies[item.kind],
                    "is_featured": item.id % 3 == 0,
                    "components": [
                        {
                            "item_id": item.id,
                            "quantity": 1,
                            "settlement_price_minor": item.supply_price_minor,
                            "list_price_minor": price * 11 // 10,
                        }
                    ],
                },
            )
            catalogue.publish_bundle(bundle_id=bundle_id, actor_id=operator_id)
    catalogue.replace_synonyms(actor_id=operator_id, groups=[list(g) for g in SYNONYMS])
    catalogue.set_segment_open(segment="care", is_open=True, actor_id=operator_id)


def seed() -> bool:
    """Create the demo community unless it exists; returns whether anything was created."""
    if accounts.find_user_by_email("operator@demo.local") is not None:
        return False
    user = accounts.create_user
    suppliers.api.ensure_onboarding_defaults()
    community = accounts.create_community(**COMMUNITY)
    buildings = [accounts.add_building(community_id=community.id, name=n) for n in BUILDINGS]
    operator = user(
        email="operator@demo.local", password=PASSWORD, display_name="平台运营", roles=["operator"]
    )
    manager = user(
        email="manager@demo.local",
        password=PASSWORD,
        display_name="项目经理 黄伟",
        roles=["manager"],
        phone="13900009000",
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
    # A QR code on every building, and on the public spots residents pass every day.
    for building in buildings:
        fulfilment.api.add_touchpoint(
            actor_id=operator.id,
            community_id=community.id,
            kind="building",
            label=f"{building.name}大堂",
            building_id=building.id,
        )
    for kind, label, grid in (("parcel_room", "南门快递驿站", 0), ("lamp_post", "中心花园路灯", 1)):
        fulfilment.api.add_touchpoint(
            actor_id=operator.id,
            community_id=community.id,
            kind=kind,
            label=label,
            grid_id=grids[grid].id,
        )
    for login, name, role, number, grid, on_duty in STAFF:
        member = user(  # a work phone: residents call their butler from the app
            email=login,
            password=PASSWORD,
            display_name=name,
            roles=["staff"],
            phone=f"1390000{number[-4:]}",
        )
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
    selling = []
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
            for item in suppliers.api.get_items(
                suppliers.api.item_ids_of_supplier(supplier.id)
            ).values():
                suppliers.api.add_item_image(
                    item_id=item.id, actor_id=member.id, data=demo_picture(item.category, item.sku)
                )
            selling.append(supplier.id)
    seed_catalogue(operator.id, selling)
    # 多劳多得: ¥2 a bundle delivered or served (a referring butler shares), halved on a miss.
    fulfilment.api.add_commission_rule(
        actor_id=operator.id,
        data={
            "scope": "default",
            "basis": "fixed",
            "amount": 200,
            "split_bp": {"deliverer": 8000, "performer": 8000, "referrer": 2000},
            "missed_factor_bp": 5000,
        },
    )
    orders.api.open_delivery_windows(community.id)
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
    with db.unit_of_work():
        if (
            if_empty
            and accounts.count_users() > 0
            and accounts.find_user_by_email("operator@demo.local") is None
        ):
            click.echo("The database has users already; the demo was not seeded.")
            return
        created = seed()
    click.echo("Demo community seeded." if created else "Demo community already there.")
    click.echo(f"Demo logins (password: {PASSWORD}):")
    for login, what in logins():
        click.echo(f"  {login:<24} {what}")
