"""The storefront in both languages: home, category, bundle page, search, basket, checkout."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, web_login

EN = {"Accept-Language": "en"}


@pytest.fixture
def shop(client, catalogue, publish, resident, headers):
    client.put(
        "/api/v1/segments/care", headers=headers("ops@catalogue.test"), json={"is_open": True}
    )
    bundle_id = publish(is_featured=True)
    return bundle_id


def test_visitors_browse_in_chinese_and_english(client, shop):
    home = client.get("/shop/").get_data(as_text=True)
    assert "饮用水" in home and "农夫山泉矿泉水 整箱送货上楼" in home and "¥36.00" in home
    assert "Recommended" in client.get("/shop/", headers=EN).get_data(as_text=True)
    page = client.get(f"/shop/bundles/{shop}").get_data(as_text=True)
    assert "送达时间：您选择的时段内；超时赔付 ¥5.00" in page
    assert "登录后下单" in page and "库存：50" in page
    english = client.get(f"/shop/bundles/{shop}", headers=EN).get_data(as_text=True)
    assert "Delivered within the time window you choose" in english


def test_the_category_page_lists_its_bundles(client, catalogue, shop):
    page = client.get(f"/shop/categories/{catalogue.categories['饮用水']}")
    assert page.status_code == 200 and "农夫山泉" in page.get_data(as_text=True)
    assert client.get("/shop/categories/999").status_code == 404


def test_search_results_mark_the_words(client, shop):
    page = client.get("/shop/search?q=矿泉水").get_data(as_text=True)
    assert '<b class="match">矿泉水</b>' in page
    assert "没有找到" in client.get("/shop/search?q=自行车").get_data(as_text=True)


def test_an_empty_search_offers_categories_and_recommended_bundles(client, shop, catalogue):
    page = client.get("/shop/search?q=自行车").get_data(as_text=True)
    assert 'id="nothing-found"' in page
    category = catalogue.categories["饮用水"]
    assert f'href="/shop/categories/{category}"' in page
    assert "推荐" in page and f'href="/shop/bundles/{shop}"' in page
    found = client.get("/shop/search?q=矿泉水").get_data(as_text=True)
    assert 'id="nothing-found"' not in found and "推荐" not in found


def test_a_care_resident_sees_the_care_price(client, shop, resident):
    web_login(client, resident("care"))
    page = client.get(f"/shop/bundles/{shop}").get_data(as_text=True)
    assert "¥33.00" in page and "关怀价" in page


def test_the_basket_adds_changes_and_removes(client, shop, resident):
    web_login(client, resident("mass"))
    token = csrf_token(client, f"/shop/bundles/{shop}")
    client.post(
        "/shop/basket", data={"csrf_token": token, "bundle_id": shop, "quantity": 2, "add": "1"}
    )
    client.post(
        "/shop/basket", data={"csrf_token": token, "bundle_id": shop, "quantity": 1, "add": "1"}
    )
    page = client.get("/shop/basket").get_data(as_text=True)
    assert 'value="3"' in page and "¥108.00" in page
    summary = client.get("/shop/checkout").get_data(as_text=True)
    assert "¥108.00" in summary and "1-101" in summary
    client.post("/shop/basket", data={"csrf_token": token, "bundle_id": shop, "quantity": 0})
    assert "购物车是空的" in client.get("/shop/basket").get_data(as_text=True)


def test_bad_quantities_show_the_form_again_with_the_message_and_change_nothing(
    client, shop, resident
):
    web_login(client, resident("mass"))
    token = csrf_token(client, f"/shop/bundles/{shop}")
    add = {"csrf_token": token, "bundle_id": shop, "add": "1"}
    for typed in ("", "0", "25", "-1", "2.5", "abc"):
        got = client.post("/shop/basket", data={**add, "quantity": typed})
        page = got.get_data(as_text=True)
        assert got.status_code == 422, typed
        assert 'class="field-error"' in page and "加入购物车" in page, typed
        assert "已加入购物车" not in page, typed
    assert "购物车是空的" in client.get("/shop/basket").get_data(as_text=True)
    client.post("/shop/basket", data={**add, "quantity": "2"})
    changed = client.post(
        "/shop/basket", data={"csrf_token": token, "bundle_id": shop, "quantity": "21"}
    )
    assert changed.status_code == 422 and 'class="field-error"' in changed.get_data(as_text=True)
    assert 'value="2"' in client.get("/shop/basket").get_data(as_text=True)


def test_the_basket_never_redirects_to_another_site(client, shop, resident):
    web_login(client, resident("mass"))
    token = csrf_token(client, f"/shop/bundles/{shop}")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:1"):
        got = client.post(
            "/shop/basket",
            data={
                "csrf_token": token,
                "bundle_id": shop,
                "quantity": 1,
                "add": "1",
                "next": target,
            },
        )
        assert got.status_code == 302 and got.headers["Location"] == "/shop/basket", target
    same = client.post(
        "/shop/basket",
        data={"csrf_token": token, "bundle_id": shop, "quantity": 1, "add": "1", "next": "/shop/"},
    )
    assert same.headers["Location"] == "/shop/"


def test_the_basket_is_for_residents_and_needs_csrf(client, shop, resident):
    assert client.get("/shop/basket").status_code == 302
    web_login(client, resident("mass"))
    assert client.post("/shop/basket", data={"bundle_id": shop, "quantity": 1}).status_code == 400
    token = csrf_token(client, "/shop/")
    missing = client.post(
        "/shop/basket", data={"csrf_token": token, "bundle_id": 999, "quantity": 1}
    )
    assert missing.status_code == 404


def test_a_withdrawn_bundle_leaves_the_basket(client, shop, resident, headers):
    web_login(client, resident("mass"))
    token = csrf_token(client, "/shop/")
    client.post("/shop/basket", data={"csrf_token": token, "bundle_id": shop, "quantity": 1})
    client.post(
        f"/api/v1/bundles/{shop}/withdraw",
        headers=headers("ops@catalogue.test"),
        json={"reason": "缺货"},
    )
    page = client.get("/shop/basket").get_data(as_text=True)
    assert "不再销售" in page and "购物车是空的" in page


def test_care_residents_get_the_larger_type_scale(client, shop, resident):
    web_login(client, resident("care"))
    assert '<body class=" care">' in client.get("/shop/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/shop/")})
    web_login(client, resident("mass"))
    assert " care" not in client.get("/shop/").get_data(as_text=True).split("<body")[1][:30]
