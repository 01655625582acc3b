"""The operator's catalogue pages: compose, publish and withdraw, policies, synonyms, segments."""

from __future__ import annotations

from sqlmodel import select

from shop.core import db
from suppliers.catalogue.models import Bundle, CommitmentPolicy, SegmentSetting, SynonymGroup
from tests.conftest import csrf_token, web_login

EN = {"Accept-Language": "en"}


def operator(client, catalogue):
    web_login(client, "ops@catalogue.test")
    return csrf_token(client, "/console/catalogue/bundles/new")


def test_the_pages_render_in_both_languages(client, catalogue, publish):
    operator(client, catalogue)
    bundle_id = publish()
    for path, zh, en in [
        ("/console/catalogue/", "产品包", "Bundles"),
        (f"/console/catalogue/bundles/{bundle_id}", "业主看到的服务承诺", "Margin"),
        ("/console/catalogue/categories", "饮用水", "Categories"),
        ("/console/catalogue/policies", "送货到家", "Commitment policies"),
        ("/console/catalogue/synonyms", "同义词", "Synonyms"),
        ("/console/catalogue/segments", "关怀", "Segments"),
    ]:
        assert zh in client.get(path).get_data(as_text=True), path
        assert en in client.get(path, headers=EN).get_data(as_text=True), path


def test_composing_a_bundle_on_the_page_then_publishing_it(app, client, catalogue):
    token = operator(client, catalogue)
    form = {
        "csrf_token": token,
        "title": "五常大米 5kg 送货上楼",
        "category_id": catalogue.categories["粮油"],
        "policy_id": catalogue.policy_id,
        "price": "48",
        "segments": "mass",
        "value_adds": "送货上楼, 当日达",
        "components-0-item_id": str(catalogue.items["R1"]),
        "components-0-quantity": "1",
        "components-0-settlement_price": "40.00",
        "components-0-list_price": "52",
    }
    created = client.post("/console/catalogue/bundles/new", data=form)
    assert created.status_code == 302, created.get_data(as_text=True)
    page = created.headers["Location"]
    client.post(f"{page}/publish", data={"csrf_token": token})
    with app.app_context(), db.session_scope(write=False) as s:
        bundle = s.exec(select(Bundle)).one()
    assert bundle.status == "published" and bundle.value_adds == ["送货上楼", "当日达"]
    client.post(f"{page}/withdraw", data={"csrf_token": token, "reason": "换季"})
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Bundle)).one().status == "withdrawn"


def test_a_price_below_the_settlements_is_explained_on_the_page(client, catalogue):
    token = operator(client, catalogue)
    response = client.post(
        "/console/catalogue/bundles/new",
        data={
            "csrf_token": token,
            "title": "亏本的大米",
            "category_id": catalogue.categories["粮油"],
            "policy_id": catalogue.policy_id,
            "price": "1.00",
            "segments": "mass",
            "components-0-item_id": str(catalogue.items["R1"]),
            "components-0-quantity": "1",
            "components-0-settlement_price": "40.00",
            "components-0-list_price": "52",
        },
    )
    assert response.status_code == 422
    assert "低于供应商结算价" in response.get_data(as_text=True)


def test_a_policy_is_defined_node_by_node(app, client, catalogue):
    token = operator(client, catalogue)
    response = client.post(
        "/console/catalogue/policies",
        data={
            "csrf_token": token,
            "name": "保洁上门",
            "arrive_window-on": "1",
            "arrive_window-comp_type": "refund_amount",
            "arrive_window-comp_value": "10",  # yuan
            "standard-on": "1",
            "standard-checklist": "厨房清洁\n卫生间除垢",
            "standard-confirm": "1",
            "standard-comp_type": "refund_percent",
            "standard-comp_value": "20",  # percent
        },
    )
    assert response.status_code == 302
    with app.app_context(), db.session_scope(write=False) as s:
        policy = s.exec(select(CommitmentPolicy).where(CommitmentPolicy.name == "保洁上门")).one()
    assert [n["kind"] for n in policy.nodes] == ["arrive_window", "standard"]
    assert policy.nodes[1]["checklist"] == ["厨房清洁", "卫生间除垢"]
    assert policy.nodes[0]["compensation"] == {"type": "refund_amount", "amount_minor": 1000}
    assert policy.nodes[1]["compensation"] == {"type": "refund_percent", "basis_points": 2000}
    shown = client.get(f"/console/catalogue/policies/{policy.id}").get_data(as_text=True)
    assert 'name="arrive_window-comp_value" inputmode="decimal" value="10.00"' in shown
    assert 'name="standard-comp_value" inputmode="decimal" value="20"' in shown
    bad = client.post(
        "/console/catalogue/policies",
        data={
            "csrf_token": token,
            "name": "坏的",
            "accept-on": "1",
            "accept-comp_type": "coupon",
            "accept-comp_value": "3",
        },
    )
    assert bad.status_code == 422


def test_synonyms_and_segments_on_the_page(app, client, catalogue):
    token = operator(client, catalogue)
    client.post(
        "/console/catalogue/synonyms",
        data={"csrf_token": token, "groups": "矿泉水 饮用水，纯净水\n保洁 清洁"},
    )
    client.post(
        "/console/catalogue/segments",
        data={"csrf_token": token, "segment": "premium", "is_open": "true"},
    )
    with app.app_context(), db.session_scope(write=False) as s:
        groups = [g.words for g in s.exec(select(SynonymGroup).order_by(SynonymGroup.id))]
        assert s.get(SegmentSetting, "premium").is_open
    assert groups == [["矿泉水", "纯净水", "饮用水"], ["保洁", "清洁"]]
