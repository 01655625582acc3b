"""Items: goods and services, recorded changes, stock that never goes below zero, CSV import."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from shop.core import db
from suppliers.models import Item, ItemChange, StockMovement
from suppliers.services import items

GOODS = {
    "sku": "W-001",
    "kind": "goods",
    "name": "景田纯净水 18.9L",
    "category": "饮用水",
    "unit": "桶",
    "supply_price_minor": 1500,
    "stock": 10,
}
SERVICE = {
    "sku": "S-001",
    "kind": "service",
    "name": "空调清洗",
    "category": "家电清洗",
    "unit": "台",
    "supply_price_minor": 8000,
    "duration_minutes": 90,
    "slot_times": ["09:00", "14:00"],
    "slot_capacity": 2,
    "staff_role": "technician",
}


@pytest.fixture
def member(make_supplier, headers):
    made = make_supplier(status="active")
    return made, headers(made.email)


def create(client, made, hdrs, body):
    return client.post(f"/api/v1/suppliers/{made.id}/items", json=body, headers=hdrs)


def test_goods_and_services_are_created_with_their_own_fields(client, member):
    made, hdrs = member
    goods = create(client, made, hdrs, GOODS)
    assert goods.status_code == 201
    assert goods.get_json()["supply_price"] == {"amount_minor": 1500, "currency": "CNY"}
    service = create(client, made, hdrs, SERVICE)
    assert service.status_code == 201 and service.get_json()["stock"] == 0
    no_slots = create(
        client, made, hdrs, {**SERVICE, "sku": "S-2", "slot_times": [], "duration_minutes": None}
    )
    assert no_slots.status_code == 422
    assert {"slot_times", "duration_minutes"} <= set(no_slots.get_json()["error"]["fields"])


def test_a_price_in_yuan_with_decimals_is_refused(client, member):
    made, hdrs = member
    response = create(client, made, hdrs, {**GOODS, "supply_price_minor": 15.5})
    assert (
        response.status_code == 422
        and "supply_price_minor" in response.get_json()["error"]["fields"]
    )


def test_a_sku_is_unique_per_supplier(client, member):
    made, hdrs = member
    create(client, made, hdrs, GOODS)
    again = create(client, made, hdrs, GOODS)
    assert again.status_code == 422 and "sku" in again.get_json()["error"]["fields"]


def test_changes_go_live_and_are_recorded(client, member):
    made, hdrs = member
    item_id = create(client, made, hdrs, GOODS).get_json()["id"]
    patched = client.patch(
        f"/api/v1/items/{item_id}",
        headers=hdrs,
        json={"supply_price_minor": 1600, "name": "景田 18.9L 桶装水"},
    )
    assert patched.status_code == 200 and patched.get_json()["supply_price_minor"] == 1600
    [change] = client.get(f"/api/v1/items/{item_id}/changes", headers=hdrs).get_json()["items"]
    assert change["changes"]["supply_price_minor"] == [1500, 1600]


def test_stock_cannot_be_patched_only_adjusted(client, member):
    made, hdrs = member
    item_id = create(client, made, hdrs, GOODS).get_json()["id"]
    response = client.patch(f"/api/v1/items/{item_id}", headers=hdrs, json={"stock": 99})
    assert response.status_code == 422 and "stock" in response.get_json()["error"]["fields"]


def test_stock_adjustments_keep_a_history_and_never_go_below_zero(client, member):
    made, hdrs = member
    item_id = create(client, made, hdrs, GOODS).get_json()["id"]
    url = f"/api/v1/items/{item_id}/stock-adjustments"
    assert client.post(url, headers=hdrs, json={"delta": -4, "reason": "破损"}).status_code == 201
    refused = client.post(url, headers=hdrs, json={"delta": -7, "reason": "盘点"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "stock_negative"
    history = client.get(f"/api/v1/items/{item_id}/stock-movements", headers=hdrs).get_json()[
        "items"
    ]
    assert [(m["delta"], m["stock_after"]) for m in history] == [(-4, 6), (10, 10)]
    assert client.get(f"/api/v1/items/{item_id}", headers=hdrs).get_json()["stock"] == 6


def test_a_long_stock_history_is_paged_in_the_database(app, client, member):
    made, hdrs = member
    item_id = create(client, made, hdrs, GOODS).get_json()["id"]
    url = f"/api/v1/items/{item_id}/stock-adjustments"
    for n in range(24):  # with the opening stock: 25 movements
        assert (
            client.post(url, headers=hdrs, json={"delta": 1, "reason": f"补货{n}"}).status_code
            == 201
        )
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    from sqlalchemy import event

    engine = app.extensions["shop.db"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = client.get(
            f"/api/v1/items/{item_id}/stock-movements?page=2&per_page=10", headers=hdrs
        ).get_json()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert (page["page"], page["per_page"], page["total"]) == (2, 10, 25)
    assert [m["stock_after"] for m in page["items"]] == list(range(24, 14, -1))
    [read] = [s for s in statements if "FROM suppliers_stock_movement" in s and "count" not in s]
    assert "LIMIT" in read and "OFFSET" in read  # not the whole history read and sliced


def test_the_database_refuses_negative_stock_too(app, member, client):
    made, hdrs = member
    item_id = create(client, made, hdrs, GOODS).get_json()["id"]
    with app.app_context(), db.session_scope() as s:
        s.get(Item, item_id).stock = -1
        with pytest.raises(IntegrityError):
            s.commit()


def test_concurrent_adjustments_never_oversell(app, client, member):
    made, hdrs = member
    item_id = create(client, made, hdrs, {**GOODS, "stock": 5}).get_json()["id"]
    results: list[str] = []
    barrier = threading.Barrier(8)

    def take_one() -> None:
        barrier.wait()
        with app.app_context(), db.session_scope() as s:
            try:
                items.adjust_stock(
                    item_id=item_id, actor_id=made.member_id, delta=-1, reason="售出"
                )
                s.commit()
                results.append("ok")
            except Exception as exc:  # the refusal is what we count
                results.append(getattr(exc, "code", type(exc).__name__))

    threads = [threading.Thread(target=take_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] * 5 + ["stock_negative"] * 3
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Item, item_id).stock == 0
        moves = s.exec(
            select(func.count())
            .select_from(StockMovement)
            .where(StockMovement.item_id == item_id, StockMovement.delta == -1)
        ).one()
    assert moves == 5


def test_probation_limits_active_items(app, make_supplier, headers, client):
    app.config["SUPPLIER_PROBATION_MAX_ACTIVE_ITEMS"] = 2
    made = make_supplier(status="approved_probation")
    hdrs = headers(made.email)
    for n in range(2):
        assert create(client, made, hdrs, {**GOODS, "sku": f"P-{n}"}).status_code == 201
    refused = create(client, made, hdrs, {**GOODS, "sku": "P-3"})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "probation_item_limit"
    inactive = create(client, made, hdrs, {**GOODS, "sku": "P-4", "is_active": False})
    assert inactive.status_code == 201


def test_probation_caps_open_orders_until_graduation(app):
    import suppliers.api

    with app.app_context():
        assert suppliers.api.open_order_limit("approved_probation") == 30
        assert suppliers.api.open_order_limit("active") is None


def test_a_suspended_supplier_cannot_change_its_catalogue(client, make_supplier, headers):
    made = make_supplier(status="suspended")
    response = create(client, made, headers(made.email), GOODS)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "supplier_not_editing"


CSV_HEADER = (
    "sku,kind,category,name,description,unit,supply_price_minor,stock,staff_role,"
    "duration_minutes,slot_times,slot_capacity\n"
)


def import_csv(client, made, hdrs, text, dry_run=False):
    return client.post(
        f"/api/v1/suppliers/{made.id}/items/import?dry_run={str(dry_run).lower()}",
        data=text.encode(),
        headers={**hdrs, "Content-Type": "text/csv", "Accept-Language": "en"},
    )


def test_a_good_csv_imports_every_row(app, client, member):
    made, hdrs = member
    text = CSV_HEADER + (
        "A1,goods,粮油,福临门大米 5kg,当季新米,袋,3500,20,butler,,,\n"
        "A2,service,家政保洁,钟点工 2小时,,次,9000,,cleaner,120,09:00|14:00,2\n"
    )
    response = import_csv(client, made, hdrs, "\ufeff" + text)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 2 and response.get_json()["saved"] is True
    with app.app_context(), db.session_scope(write=False) as s:
        rice = s.exec(select(Item).where(Item.sku == "A1")).one()
        assert (rice.stock, rice.supply_price_minor) == (20, 3500)


def test_a_csv_with_bad_rows_saves_nothing_and_names_each_error(app, client, member):
    made, hdrs = member
    text = CSV_HEADER + (
        "B1,goods,粮油,大米,,袋,3500,20,butler,,,\n"
        "B2,goods,粮油,面粉,,袋,12.5,5,butler,,,\n"
        "B3,gadget,粮油,油,,桶,100,-1,butler,,,\n"
        "B1,goods,粮油,重复的大米,,袋,3500,20,butler,,,\n"
    )
    response = import_csv(client, made, hdrs, text)
    assert response.status_code == 422
    rows = {r["line"]: r["errors"] for r in response.get_json()["error"]["fields"]["rows"]}
    assert set(rows) == {3, 4, 5}
    assert "supply_price_minor" in rows[3]
    assert {"kind", "stock"} <= set(rows[4])
    assert "Duplicate of line 2 in this file." in rows[5]["sku"]
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(func.count()).select_from(Item)).one() == 0


def test_a_preview_saves_nothing(app, client, member):
    made, hdrs = member
    text = CSV_HEADER + "C1,goods,粮油,大米,,袋,3500,20,butler,,,\n"
    preview = import_csv(client, made, hdrs, text, dry_run=True)
    assert preview.status_code == 200 and preview.get_json()["saved"] is False
    assert preview.get_json()["rows"][0]["action"] == "create"
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(func.count()).select_from(Item)).one() == 0


def test_a_known_sku_is_updated_and_the_change_recorded(app, client, member):
    made, hdrs = member
    create(client, made, hdrs, {**GOODS, "sku": "D1"})
    text = CSV_HEADER + "D1,goods,饮用水,景田纯净水 18.9L,,桶,1700,99,butler,,,\n"
    response = import_csv(client, made, hdrs, text)
    assert response.get_json()["updated"] == 1
    with app.app_context(), db.session_scope(write=False) as s:
        item = s.exec(select(Item).where(Item.sku == "D1")).one()
        assert (item.supply_price_minor, item.stock) == (1700, 10)  # stock moves by adjustment
        [change] = s.exec(select(ItemChange).where(ItemChange.item_id == item.id)).all()
        assert change.changes["supply_price_minor"] == [1500, 1700]


def test_a_csv_without_the_required_columns_is_refused(client, member):
    made, hdrs = member
    response = import_csv(client, made, hdrs, "name,price\n大米,35\n")
    assert response.status_code == 422 and "file" in response.get_json()["error"]["fields"]
