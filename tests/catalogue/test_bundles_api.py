"""Composing, publishing and withdrawing bundles through the API, and every refusal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from shop.core import db
from shop.core.models import AuditEntry
from suppliers.catalogue.models import Bundle
from tests.fixtures_catalogue import bundle_data


@pytest.fixture
def ops(catalogue, headers):
    return headers("ops@catalogue.test")


def create(client, ops, data):
    return client.post("/api/v1/bundles", json=data, headers=ops)


def test_a_draft_shows_settlement_margin_and_savings(client, catalogue, ops):
    response = create(client, ops, bundle_data(catalogue))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft"
    assert body["settlement"]["amount_minor"] == 3000 and body["margin"]["amount_minor"] == 600
    assert body["saving"]["amount_minor"] == 200
    assert body["saving_vs_reference"]["amount_minor"] == 390
    assert body["available"] == 50
    assert len(body["promises"]) == 2


def test_a_price_below_the_settlements_is_refused(client, catalogue, ops):
    response = create(client, ops, bundle_data(catalogue, price_minor=2999))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "price_below_settlement"
    care = create(client, ops, bundle_data(catalogue, care_price_minor=2000))
    assert care.get_json()["error"]["code"] == "price_below_settlement"


def test_a_set_menu_waits_for_phase_two(app, client, catalogue, ops):
    two = bundle_data(
        catalogue,
        price_minor=8000,
        care_price_minor=None,
        components=[
            {
                "item_id": catalogue.items["W1"],
                "quantity": 1,
                "settlement_price_minor": 3000,
                "list_price_minor": 3800,
            },
            {
                "item_id": catalogue.items["R1"],
                "quantity": 1,
                "settlement_price_minor": 4000,
                "list_price_minor": 4500,
            },
        ],
    )
    refused = create(client, ops, two)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "multi_item_phase1"
    client.post(
        "/api/v1/platform/phase",
        headers=ops,
        json={"phase": 2, "override_reason": "套餐试点，运营会议通过"},
    )
    assert create(client, ops, two).status_code == 201


def test_publishing_needs_an_approved_supplier(app, client, catalogue, ops):
    bundle_id = create(client, ops, bundle_data(catalogue)).get_json()["id"]
    client.post(
        f"/api/v1/suppliers/{catalogue.supplier_id}/decisions",
        headers=ops,
        json={"action": "suspend", "reason": "资质过期"},
    )
    refused = client.post(f"/api/v1/bundles/{bundle_id}/publish", headers=ops)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "supplier_not_approved"
    assert "清泉配送" in refused.get_json()["error"]["message"]


def test_publishing_needs_an_open_category(client, catalogue, ops):
    category = client.post("/api/v1/categories", headers=ops, json={"name": "零食"}).get_json()
    bundle_id = create(client, ops, bundle_data(catalogue, category_id=category["id"])).get_json()[
        "id"
    ]
    refused = client.post(f"/api/v1/bundles/{bundle_id}/publish", headers=ops)
    assert refused.get_json()["error"]["code"] == "category_inactive"


def test_phase_one_keeps_to_five_open_categories(client, catalogue, ops):
    opened = []
    for name in ("零食", "日用品", "乳品", "母婴"):
        c = client.post("/api/v1/categories", headers=ops, json={"name": name}).get_json()
        opened.append(
            client.patch(
                f"/api/v1/categories/{c['id']}", headers=ops, json={"is_active": True}
            ).status_code
        )
    assert opened == [200, 200, 200, 409]  # two were open already
    client.post(
        "/api/v1/platform/phase",
        headers=ops,
        json={"phase": 2, "override_reason": "扩大品类，运营会议通过"},
    )
    last = client.get("/api/v1/categories", headers=ops).get_json()["items"][-1]
    assert (
        client.patch(
            f"/api/v1/categories/{last['id']}", headers=ops, json={"is_active": True}
        ).status_code
        == 200
    )


def test_publish_withdraw_and_publish_again_are_audited(app, client, catalogue, ops):
    bundle_id = create(client, ops, bundle_data(catalogue)).get_json()["id"]
    assert client.get(f"/api/v1/bundles/{bundle_id}").status_code == 404  # a draft
    assert (
        client.post(f"/api/v1/bundles/{bundle_id}/publish", headers=ops).get_json()["status"]
        == "published"
    )
    assert client.get(f"/api/v1/bundles/{bundle_id}").status_code == 200
    again = client.post(f"/api/v1/bundles/{bundle_id}/publish", headers=ops)
    assert again.status_code == 409
    withdrawn = client.post(
        f"/api/v1/bundles/{bundle_id}/withdraw", headers=ops, json={"reason": "换季下架"}
    )
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert client.get(f"/api/v1/bundles/{bundle_id}").status_code == 404
    client.post(f"/api/v1/bundles/{bundle_id}/publish", headers=ops)
    with app.app_context(), db.session_scope(write=False) as s:
        actions = s.exec(
            select(AuditEntry.action)
            .where(AuditEntry.subject_type == "bundle")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["bundle.created", "bundle.publish", "bundle.withdraw", "bundle.publish"]


def test_suspending_a_supplier_withdraws_its_bundles(app, client, catalogue, ops, publish):
    first, second = publish(), publish(title="农夫山泉 两箱", price_minor=3700)
    client.post(
        f"/api/v1/suppliers/{catalogue.supplier_id}/decisions",
        headers=ops,
        json={"action": "suspend", "reason": "多次超时"},
    )
    with app.app_context(), db.session_scope(write=False) as s:
        rows = [s.get(Bundle, b) for b in (first, second)]
    assert [(b.status, b.withdraw_reason) for b in rows] == [
        ("withdrawn", "supplier suspended")
    ] * 2


def test_a_published_bundle_keeps_its_rules_when_changed(client, catalogue, ops, publish):
    bundle_id = publish()
    response = client.patch(f"/api/v1/bundles/{bundle_id}", headers=ops, json={"price_minor": 100})
    assert response.status_code == 409
    ok = client.patch(f"/api/v1/bundles/{bundle_id}", headers=ops, json={"price_minor": 3500})
    assert ok.status_code == 200 and ok.get_json()["price"]["amount_minor"] == 3500


def test_bad_input_gets_field_messages(client, catalogue, ops):
    response = create(
        client, ops, bundle_data(catalogue, price_minor=-1, segments=["vip"], components=[])
    )
    assert response.status_code == 422
    assert {"price_minor", "segments", "components"} <= set(response.get_json()["error"]["fields"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/bundles"),
        ("POST", "/api/v1/bundles/1/publish"),
        ("POST", "/api/v1/bundles/1/withdraw"),
        ("PATCH", "/api/v1/bundles/1"),
        ("POST", "/api/v1/categories"),
        ("POST", "/api/v1/policies"),
        ("PUT", "/api/v1/synonyms"),
        ("PUT", "/api/v1/segments/care"),
        ("GET", "/api/v1/catalogue/items?q=水"),
        ("GET", "/api/v1/bundles/1/manage"),
    ],
)
def test_only_the_operator_changes_the_catalogue(
    client, catalogue, headers, resident, method, path
):
    assert client.open(path, method=method, json={}).status_code == 401
    for who in (resident("mass"), catalogue.member_email):
        assert client.open(path, method=method, json={}, headers=headers(who)).status_code == 403


def test_segment_openings_are_audited(app, client, catalogue, ops):
    assert client.put(
        "/api/v1/segments/premium", headers=ops, json={"is_open": True}
    ).get_json() == {"is_open": True}
    assert (
        client.put("/api/v1/segments/mass", headers=ops, json={"is_open": False}).status_code == 422
    )
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "segment.opened")).one()


def test_residents_see_their_segment(client, catalogue, ops, publish, resident, headers):
    client.put("/api/v1/segments/care", headers=ops, json={"is_open": True})
    everyone = publish()
    care_only = publish(
        title="关怀 桶装水",
        segments=["care"],
        sku="W2",
        price_minor=1900,
        care_price_minor=1600,
        reference_price_minor=None,
        components=[
            {
                "item_id": catalogue.items["W2"],
                "quantity": 1,
                "settlement_price_minor": 1500,
                "list_price_minor": 1900,
            }
        ],
    )
    for viewer, expected in (("mass", {everyone}), ("care", {everyone, care_only})):
        listed = client.get("/api/v1/bundles", headers=headers(resident(viewer))).get_json()
        assert {b["id"] for b in listed["items"]} == expected
    care_view = client.get(
        f"/api/v1/bundles/{everyone}", headers=headers(resident("care"))
    ).get_json()
    assert care_view["price"]["amount_minor"] == 3300 and care_view["is_care_price"]
    anonymous = client.get(f"/api/v1/bundles/{everyone}").get_json()
    assert anonymous["price"]["amount_minor"] == 3600 and "margin" not in anonymous
    assert client.get(f"/api/v1/bundles/{care_only}").status_code == 404
