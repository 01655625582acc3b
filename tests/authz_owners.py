"""The ownership matrix's world: the demo compound with two of each kind of user, and objects
that belong to one side ("b") for the other side ("a") to try (tests/test_ownership_matrix.py).

Side a: resident1 (grid A), the services supplier's member, staff1 (grid A's butler), the demo
manager (grid A only), the compound's owners' committee. Side b: resident5 (grid B), the goods
supplier's member, staff4 (grid B's butler, put on duty), a second manager (grid B), a
resident of another compound, and the member of a producer that sells to that compound.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from flask import Flask
from PIL import Image
from sqlmodel import select

from tests.conftest import api_token

PASSWORD = "demo1234"  # the demo's published password
#: Every caller of the matrix and its login (None: no login).
CALLERS: dict[str, str | None] = {
    "anonymous": None,
    "resident_a": "resident1@demo.local",
    "resident_b": "resident5@demo.local",
    "resident_far": "far@owners.test",
    "member_a": "supplier2@demo.local",
    "member_b": "supplier1@demo.local",
    "producer_b": "producer@owners.test",
    "staff_a": "staff1@demo.local",
    "staff_b": "staff4@demo.local",
    "manager_a": "manager@demo.local",
    "manager_b": "manager-b@owners.test",
    "committee": "committee@owners.test",
    "operator": "operator@demo.local",
}


def _png(colour: tuple[int, int, int] = (30, 30, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def build(app: Flask) -> dict[str, Any]:
    """Add the second side to the demo and make b's objects; their ids by name."""
    ids = _people_and_rows(app)
    client = app.test_client()
    bearer = {
        name: {"Authorization": f"Bearer {api_token(client, email, PASSWORD)}"}
        for name, email in CALLERS.items()
        if email
    }
    ids.update(_order_of_b(app, client, bearer))
    ids.update(_supplier_files_of_b(app, client, bearer, ids))
    ids["bearer"] = bearer
    return ids


def _people_and_rows(app: Flask) -> dict[str, Any]:
    from fulfilment.models import Grid, StaffMember, Touchpoint
    from fulfilment.services import touchpoints
    from orders.models import (
        BatchCompound,
        CustomBatch,
        Demand,
        DemandRequest,
        PlanLine,
        Pledge,
        ProductionPlan,
    )
    from shop.core import accounts, db
    from suppliers.catalogue.models import Bundle
    from suppliers.models import PhaseChange, SupplierMember
    from tests.fixtures_orders import producer_with_tofu

    def user(email: str, role: str) -> int:
        return accounts.create_user(
            email=email, password=PASSWORD, display_name=email[:8], roles=[role]
        ).id

    with app.app_context(), db.unit_of_work() as s:
        operator = accounts.find_user_by_email("operator@demo.local").id
        s.add(PhaseChange(phase=3, actor_id=operator, override_reason="ownership matrix"))
        community = accounts.list_communities()[0]
        grids = {g.name: g for g in s.exec(select(Grid))}
        grids["网格B"].manager_id = user(CALLERS["manager_b"], "manager")
        staff_b = accounts.find_user_by_email(CALLERS["staff_b"]).id
        s.get(StaffMember, staff_b).is_on_duty = True
        committee = user(CALLERS["committee"], "committee")
        accounts.seat_committee(user_id=committee, community_id=community.id)
        far = accounts.create_community(code="FAR", name="远方小区")
        far_home = accounts.add_building(community_id=far.id, name="1栋")
        resident_far = user(CALLERS["resident_far"], "resident")
        accounts.set_resident_profile(
            user_id=resident_far, building_id=far_home.id, room="1-101", phone="13800000099"
        )
        producer, item = producer_with_tofu(
            s,
            name="乙方豆制品工坊",
            licence_no="91310000OWNERS001",
            member_id=user(CALLERS["producer_b"], "supplier_member"),
        )
        bundle = s.exec(select(Bundle).where(Bundle.status == "published")).first()
        batch = CustomBatch(
            supplier_id=producer.id,
            bundle_id=bundle.id,
            title="卤水豆腐 定制批",
            price_minor=300,
            min_quantity=5,
            deadline=db.utcnow() + timedelta(days=2),
            delivery_date=(db.utcnow() + timedelta(days=4)).date(),
            created_by=operator,
        )
        s.add(batch)
        s.flush()
        s.add(BatchCompound(batch_id=batch.id, community_id=far.id))
        pledge = Pledge(
            batch_id=batch.id,
            resident_id=resident_far,
            community_id=far.id,
            quantity=1,
            amount_minor=300,
            mode="hold",
            status="held",
            idempotency_key="owners",
            request_hash="owners",
        )
        plan = ProductionPlan(supplier_id=producer.id, week=date(2026, 12, 7), issued_by=operator)
        demand = Demand(community_id=far.id, title="有机豆浆", words=["有机", "豆浆"])
        s.add_all([pledge, plan, demand])
        s.flush()
        line = PlanLine(
            plan_id=plan.id, item_id=item.id, community_id=far.id, deliver_on=date(2026, 12, 9)
        )
        s.add_all([line, DemandRequest(demand_id=demand.id, resident_id=resident_far, text="豆浆")])
        resident_b = accounts.find_user_by_email(CALLERS["resident_b"]).id
        home_b = accounts.find_resident_address(resident_b)
        point = s.exec(select(Touchpoint).where(Touchpoint.building_id == home_b.building_id)).one()
        request = touchpoints.open_request(
            code=point.code, data={"kind": "report", "text": "楼道灯不亮"}, resident_id=resident_b
        )
        s.flush()
        return {
            "batch": batch.id,
            "pledge": pledge.id,
            "plan": plan.id,
            "producer": producer.id,
            "demand": demand.id,
            "request": request.id,
            "grid_b": grids["网格B"].id,
            "resident_b": resident_b,
            "staff_b": staff_b,
            "supplier_b": s.exec(
                select(SupplierMember.supplier_id).where(
                    SupplierMember.user_id == accounts.find_user_by_email(CALLERS["member_b"]).id
                )
            ).one(),
        }


def _order_of_b(app: Flask, client: Any, bearer: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Resident b orders water and pays; the order's task goes to grid B's butler."""
    from fulfilment.models import Task
    from shop.core import db
    from tests.fixtures_orders import FakeGateway, deliver, intent_event

    app.extensions["orders.services.gateway"] = FakeGateway()
    headers = bearer["resident_b"]
    with app.app_context(), db.session_scope(write=False) as s:
        bundle, item = _goods_bundle(s)
    windows = client.get(f"/api/v1/delivery-windows?bundle_id={bundle}", headers=headers)
    body = {
        "lines": [{"bundle_id": bundle, "quantity": 1}],
        "delivery": {"mode": "doorstep", "window_id": windows.get_json()["items"][0]["id"]},
    }
    placed = client.post(
        "/api/v1/orders", json=body, headers={**headers, "Idempotency-Key": "owners-b"}
    )
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    started = client.post(f"/api/v1/orders/{order['id']}/payments", json={}, headers=headers)
    payment = started.get_json()
    event = intent_event(
        "succeeded", payment["payment_intent_id"], payment["amount"]["amount_minor"]
    )
    assert deliver(client, app, event).status_code == 200
    with app.app_context(), db.session_scope(write=False) as s:
        task = s.exec(select(Task).where(Task.order_id == order["id"])).one()
    return {"order": order["id"], "task": task.id, "item_b": item}


def _goods_bundle(s: Any) -> tuple[int, int]:
    """A published bundle of one goods item (supplier b's), and that item."""
    from suppliers.catalogue.models import Bundle, BundleComponent
    from suppliers.models import Item

    for bundle in s.exec(select(Bundle).where(Bundle.status == "published").order_by(Bundle.id)):
        items = list(
            s.exec(select(BundleComponent.item_id).where(BundleComponent.bundle_id == bundle.id))
        )
        if len(items) == 1 and s.get(Item, items[0]).kind == "goods":
            return bundle.id, items[0]
    raise AssertionError("the demo has no single-item goods bundle")


def _supplier_files_of_b(
    app: Flask, client: Any, bearer: dict[str, dict[str, str]], ids: dict[str, Any]
) -> dict[str, Any]:
    """Supplier b uploads a document and a picture of the item resident b bought."""
    headers = bearer["member_b"]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    document = client.post(
        f"/api/v1/suppliers/{ids['supplier_b']}/documents",
        headers=headers,
        data={"kind": "licence", "file": (io.BytesIO(pdf), "licence.pdf")},
        content_type="multipart/form-data",
    )
    assert document.status_code == 201, document.get_json()
    digests = []
    for colour in ((200, 30, 30), (30, 200, 30)):  # one for the API to remove, one for the page
        image = client.post(
            f"/api/v1/items/{ids['item_b']}/images",
            headers=headers,
            data={"file": (io.BytesIO(_png(colour)), "tofu.png")},
            content_type="multipart/form-data",
        )
        assert image.status_code == 201, image.get_data(as_text=True)
        digests.append(image.get_json()["images"][-1].rsplit("/", 1)[-1])
    return {"document": document.get_json()["id"], "digest": digests[0], "digest2": digests[1]}
