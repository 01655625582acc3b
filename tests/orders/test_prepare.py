"""The supplier's orders to prepare: paid and accepted orders by day and window, theirs only."""

from __future__ import annotations

import suppliers.api
from shop.core import db
from tests.conftest import web_login
from tests.fixtures_orders import order_body, post


def _other_supplier(app, make_user) -> tuple[int, str]:
    email = "other@supplier.test"
    member_id = make_user("supplier_member", email=email)
    with app.app_context(), db.session_scope() as s:
        ref = suppliers.api.register_supplier(
            name="别家供应商",
            kind="channel_partner",
            licence_no="91310000OTHER0001",
            member_user_id=member_id,
            status="active",
        )
        s.commit()
    return ref.id, email


def _community(app, shop):
    from shop.core import accounts

    with app.app_context(), db.session_scope(write=False):
        return accounts.find_resident_address(shop["user_id"]).community


def test_a_paid_order_is_on_the_list_with_its_window_and_community(
    app, client, catalogue, paid, shop, headers
):
    post(client, shop, order_body(shop, 5))  # unpaid: not to prepare yet
    response = client.get(
        f"/api/v1/suppliers/{catalogue.supplier_id}/orders-to-prepare",
        headers=headers(catalogue.member_email),
    )
    assert response.status_code == 200, response.get_json()
    windows = response.get_json()["windows"]
    assert len(windows) == 1 and windows[0]["orders"] == 1 and windows[0]["ends_at"]
    [item] = windows[0]["items"]
    assert item["name"] == "农夫山泉矿泉水 550ml×24" and item["quantity"] == 2
    assert item["by_community"] == [{"community": _community(app, shop), "quantity": 2}]


def test_the_page_lists_it_printably_in_chinese(app, client, catalogue, paid, shop):
    web_login(client, catalogue.member_email)
    home = client.get("/supplier/").get_data(as_text=True)
    assert 'href="/supplier/prepare"' in home and "待备货订单" in home
    page = client.get("/supplier/prepare").get_data(as_text=True)
    assert "农夫山泉矿泉水 550ml×24" in page and "<strong>2</strong>" in page
    assert _community(app, shop) in page and "window.print()" in page
    assert "1 个订单" in page


def test_another_supplier_sees_neither_the_list_nor_the_lines(
    app, client, catalogue, paid, headers, make_user
):
    other_id, email = _other_supplier(app, make_user)
    refused = client.get(
        f"/api/v1/suppliers/{catalogue.supplier_id}/orders-to-prepare", headers=headers(email)
    )
    assert refused.status_code == 404
    own = client.get(f"/api/v1/suppliers/{other_id}/orders-to-prepare", headers=headers(email))
    assert own.status_code == 200 and own.get_json()["windows"] == []
    web_login(client, email)
    assert "农夫山泉" not in client.get("/supplier/prepare").get_data(as_text=True)


def test_a_resident_may_not_read_a_suppliers_list(client, catalogue, shop):
    response = client.get(
        f"/api/v1/suppliers/{catalogue.supplier_id}/orders-to-prepare", headers=shop["headers"]
    )
    assert response.status_code == 403


def test_bad_dates_are_refused_with_field_messages(client, catalogue, headers):
    response = client.get(
        f"/api/v1/suppliers/{catalogue.supplier_id}/orders-to-prepare?from=tomorrow&days=99",
        headers={**headers(catalogue.member_email), "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"from", "days"}
