"""The suppliers' scorecard (promises kept, compounds served) ranks bundles among equals."""

from __future__ import annotations

import pytest

import suppliers.api
from shop.core import db

pytestmark = pytest.mark.usefixtures("search_engine")


def test_a_better_scorecard_moves_a_bundle_up_the_listing_and_search(
    app, client, catalogue, publish, make_user
):
    member = make_user("supplier_member", email="second@supplier.test")
    with app.app_context(), db.session_scope() as s:
        other = suppliers.api.register_supplier(
            name="第二家配送",
            kind="channel_partner",
            licence_no="91310000RANK0002",
            member_user_id=member,
            status="active",
        )
        suppliers.api.import_items(
            supplier_id=other.id,
            actor_id=member,
            csv_text="sku,kind,category,name,unit,supply_price_minor,stock\n"
            "Q1,goods,饮用水,农夫山泉矿泉水 550ml×24,件,3000,50\n",
        )
        s.commit()
        item_id = suppliers.api.item_ids_of_supplier(other.id)[0]
    first = publish(title="矿泉水 整箱送货上楼")
    second = publish(
        title="矿泉水 整箱送货上楼 ",
        components=[
            {
                "item_id": item_id,
                "quantity": 1,
                "settlement_price_minor": 3000,
                "list_price_minor": 3800,
            }
        ],
    )
    ids = [b["id"] for b in client.get("/api/v1/bundles").get_json()["items"]]
    assert ids[:2] == [second, first]  # newest first while neither supplier has a record
    with app.app_context(), db.session_scope() as s:  # what the scorecard job writes
        suppliers.api.update_scorecard(
            supplier_id=catalogue.supplier_id,
            orders_count=40,
            met_rate_bp=9800,
            on_time_rate_bp=9800,
            refund_rate_bp=0,
            communities_served=3,
        )
        suppliers.api.update_scorecard(
            supplier_id=other.id,
            orders_count=40,
            met_rate_bp=8000,
            on_time_rate_bp=8000,
            refund_rate_bp=100,
            communities_served=1,
        )
        s.commit()
    ids = [b["id"] for b in client.get("/api/v1/bundles").get_json()["items"]]
    assert ids[:2] == [first, second]  # the supplier who keeps its promises first
    found = client.get("/api/v1/search?q=矿泉水").get_json()["items"]
    assert [h["bundle"]["id"] for h in found][:2] == [first, second]
