"""Fixtures: a small catalogue built through the real services, and residents by segment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

import suppliers.api
from shop.core import accounts, db
from suppliers.catalogue.services import bundles

POLICY = {
    "name": "送货到家",
    "nodes": [
        {
            "kind": "accept",
            "minutes": 30,
            "service_start": "08:00",
            "service_end": "21:00",
            "compensation": {"type": "coupon", "amount_minor": 300},
        },
        {"kind": "deliver_window", "compensation": {"type": "refund_amount", "amount_minor": 500}},
    ],
}
ITEMS = [
    ("W1", "goods", "饮用水", "农夫山泉矿泉水 550ml×24", 3000, 50),
    ("W2", "goods", "饮用水", "景田桶装水 18.9L", 1500, 7),
    ("R1", "goods", "粮油", "五常大米 5kg", 4000, 20),
]


@dataclass
class Catalogue:
    """What the fixture made."""

    operator_id: int
    supplier_id: int
    member_email: str
    items: dict[str, int]
    categories: dict[str, int]
    policy_id: int
    made: list[int] = field(default_factory=list)


def bundle_data(cat: Catalogue, sku: str = "W1", **changes: Any) -> dict[str, Any]:
    data = {
        "title": "农夫山泉矿泉水 整箱送货上楼",
        "description": "整箱配送",
        "category_id": cat.categories["饮用水"],
        "price_minor": 3600,
        "care_price_minor": 3300,
        "reference_price_minor": 3990,
        "segments": ["mass", "care"],
        "policy_id": cat.policy_id,
        "value_adds": ["送货上楼"],
        "tags": ["饮用水"],
        "components": [
            {
                "item_id": cat.items[sku],
                "quantity": 1,
                "settlement_price_minor": 3000,
                "list_price_minor": 3800,
            }
        ],
    }
    data.update(changes)
    return data


@pytest.fixture
def catalogue(app, make_user) -> Catalogue:
    return make_catalogue(app, make_user)


def make_catalogue(app: Any, make_user: Any) -> Catalogue:
    """Build the catalogue on `app`'s database."""
    operator_id = make_user("operator", email="ops@catalogue.test")
    member_id = make_user("supplier_member", email="member@catalogue.test")
    with app.app_context(), db.session_scope() as s:
        supplier = suppliers.api.register_supplier(
            name="清泉配送",
            kind="channel_partner",
            licence_no="91310000CAT00001",
            member_user_id=member_id,
            status="active",
        )
        csv_lines = ["sku,kind,category,name,unit,supply_price_minor,stock"]
        csv_lines += [
            f"{sku},{kind},{cat},{name},件,{price},{stock}"
            for sku, kind, cat, name, price, stock in ITEMS
        ]
        suppliers.api.import_items(
            supplier_id=supplier.id, actor_id=member_id, csv_text="\n".join(csv_lines) + "\n"
        )
        items = {
            ref.sku: ref.id
            for ref in suppliers.api.get_items(
                suppliers.api.item_ids_of_supplier(supplier.id)
            ).values()
        }
        categories = {}
        for name in ("饮用水", "粮油"):
            c = bundles.create_category(name=name, actor_id=operator_id)
            bundles.set_category_active(category_id=c.id, is_active=True, actor_id=operator_id)
            categories[name] = c.id
        policy = bundles.save_policy(actor_id=operator_id, data=POLICY)
        s.commit()
        return Catalogue(
            operator_id, supplier.id, "member@catalogue.test", items, categories, policy.id
        )


@pytest.fixture
def publish(app, catalogue):
    """Create and publish a bundle: publish(**changes) -> bundle id."""

    def make(**changes: Any) -> int:
        with app.app_context(), db.session_scope() as s:
            bundle = bundles.create_bundle(
                actor_id=catalogue.operator_id, data=bundle_data(catalogue, **changes)
            )
            bundles.publish_bundle(bundle_id=bundle.id, actor_id=catalogue.operator_id)
            s.commit()
            return bundle.id

    return make


@pytest.fixture
def resident(app, make_user):
    """A resident in a segment, with an address: resident("care") -> email."""
    made = {}

    def make(segment: str = "mass") -> str:
        if segment in made:
            return made[segment]
        email = f"{segment}@resident.test"
        user_id = make_user("resident", email=email)
        with app.app_context(), db.session_scope() as s:
            community = accounts.create_community(code=f"c-{segment}", name="阳光花园")
            building = accounts.add_building(community_id=community.id, name="1栋")
            accounts.set_resident_profile(
                user_id=user_id,
                building_id=building.id,
                room="1-101",
                phone="13800000000",
                segment=segment,
            )
            s.commit()
        made[segment] = email
        return email

    return make
