"""The supplier and operator pages, in Chinese and English."""

from __future__ import annotations

import io
import re

import pytest
from sqlmodel import select

from shop.core import db
from suppliers.models import Item, Supplier
from tests.conftest import csrf_token, web_login

EN = {"Accept-Language": "en"}
PDF = b"%PDF-1.4\n%%EOF\n"
FORM = {
    "company_name": "邻家鲜果合作社",
    "kind": "channel_partner",
    "licence_no": "91310000MA1PAGE01",
    "contact_name": "林经理",
    "phone": "13911112222",
    "email": "lin@fruit.test",
    "password": "page password",
    "categories": "生鲜，饮用水",
    "commitment_statement": "只做社区团购和到家配送。",
    "property_experience": "服务过三个小区",
}


def test_the_application_page_in_both_languages(client):
    assert "成为供应商" in client.get("/suppliers/apply").get_data(as_text=True)
    assert "Become a supplier" in client.get("/suppliers/apply", headers=EN).get_data(as_text=True)


def test_applying_on_the_page_with_documents_logs_the_applicant_in(app, client):
    data = {
        **FORM,
        "csrf_token": csrf_token(client, "/suppliers/apply"),
        "licence": (io.BytesIO(PDF), "执照.pdf"),
    }
    response = client.post("/suppliers/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"] == "/supplier/"
    page = client.get("/supplier/").get_data(as_text=True)
    assert "邻家鲜果合作社" in page and "执照.pdf" in page and "已提交" in page
    with app.app_context(), db.session_scope(write=False) as s:
        supplier = s.exec(select(Supplier)).one()
    assert supplier.categories == ["生鲜", "饮用水"]


def test_a_bad_document_on_the_page_is_explained_and_nothing_is_created(app, client):
    data = {
        **FORM,
        "csrf_token": csrf_token(client, "/suppliers/apply"),
        "licence": (io.BytesIO(b"not a pdf"), "licence.pdf"),
    }
    response = client.post("/suppliers/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "PDF" in response.get_data(as_text=True)
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Supplier)).all() == []


def test_missing_fields_on_the_page_are_shown_by_field(client):
    response = client.post(
        "/suppliers/apply",
        data={"csrf_token": csrf_token(client, "/suppliers/apply"), "company_name": "x"},
    )
    assert response.status_code == 422
    assert response.get_data(as_text=True).count('class="field-error"') >= 6


def test_the_page_without_csrf_is_refused(client):
    assert client.post("/suppliers/apply", data=FORM).status_code == 400


@pytest.mark.parametrize(
    ("login", "path", "zh", "en"),
    [
        ("supplier1@demo.local", "/supplier/", "供应商", "Documents"),
        ("supplier1@demo.local", "/supplier/items", "景田纯净水", "Import CSV"),
        ("supplier2@demo.local", "/supplier/items", "钟点工保洁", "Add a service"),
        ("supplier1@demo.local", "/supplier/items/import", "导入", "Preview"),
        ("supplier1@demo.local", "/supplier/statements", "结算", "Settlement statements"),
        ("operator@demo.local", "/console/suppliers/", "绿源农产品生产合作社", "Suppliers"),
        ("operator@demo.local", "/console/suppliers/requirements", "营业执照已核验", "Blocking"),
        ("operator@demo.local", "/console/phase", "合作阶段", "Platform phase"),
    ],
)
def test_portal_and_operator_pages_in_both_languages(demo, login, path, zh, en):
    client = demo.test_client()
    web_login(client, login, "demo1234")
    assert zh in client.get(path).get_data(as_text=True)
    assert en in client.get(path, headers=EN).get_data(as_text=True)


def test_the_operator_reviews_on_the_page(demo):
    client = demo.test_client()
    web_login(client, "operator@demo.local", "demo1234")
    with demo.app_context(), db.session_scope(write=False) as s:
        producer = s.exec(select(Supplier).where(Supplier.kind == "producer")).one()
    page = f"/console/suppliers/{producer.id}"
    assert "生产商" in client.get(page).get_data(as_text=True)
    token = csrf_token(client, page)
    client.post(
        f"{page}/evaluations",
        data={
            "csrf_token": token,
            "community_commitment": "5",
            "property_experience": "4",
            "strength_management": "4",
            "notes": "不错",
        },
    )
    refused = client.post(
        f"{page}/decisions",
        data={"csrf_token": token, "action": "approve", "reason": "通过"},
        follow_redirects=True,
    )
    assert "第 2 阶段" in refused.get_data(as_text=True)  # the page speaks Chinese


def test_a_supplier_adds_an_item_and_adjusts_its_stock_on_the_page(demo):
    client = demo.test_client()
    web_login(client, "supplier1@demo.local", "demo1234")
    token = csrf_token(client, "/supplier/items/new?kind=goods")
    created = client.post(
        "/supplier/items/new",
        data={
            "csrf_token": token,
            "kind": "goods",
            "sku": "NEW-1",
            "name": "农夫山泉 5L×4",
            "category": "饮用水",
            "unit": "箱",
            "supply_price": "26.00",
            "stock": "12",
            "staff_role": "butler",
        },
    )
    assert created.status_code == 302
    item_url = created.headers["Location"]
    client.post(f"{item_url}/stock", data={"csrf_token": token, "delta": "-2", "reason": "破损"})
    page = client.get(item_url).get_data(as_text=True)
    assert "农夫山泉 5L×4" in page and "破损" in page
    with demo.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Item).where(Item.sku == "NEW-1")).one().stock == 10


def test_the_import_page_previews_then_imports(demo):
    client = demo.test_client()
    web_login(client, "supplier1@demo.local", "demo1234")
    token = csrf_token(client, "/supplier/items/import")
    csv_text = (
        "sku,kind,category,name,unit,supply_price_minor,stock\n"
        "IMP-1,goods,粮油,金龙鱼调和油 5L,桶,5600,30\n"
    )
    preview = client.post(
        "/supplier/items/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "items.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert "金龙鱼调和油" in html
    stash = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = client.post(
        "/supplier/items/import", data={"csrf_token": token, "confirm": "1", "token": stash}
    )
    assert done.status_code == 302
    with demo.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Item).where(Item.sku == "IMP-1")).one().stock == 30


def test_another_members_import_preview_cannot_be_confirmed(demo):
    client = demo.test_client()
    web_login(client, "supplier1@demo.local", "demo1234")
    token = csrf_token(client, "/supplier/items/import")
    response = client.post(
        "/supplier/items/import", data={"csrf_token": token, "confirm": "1", "token": "999-abcdef"}
    )
    assert response.status_code == 404


def test_the_history_names_who_acted_in_chinese(demo):
    """Orders' `event_label` once shadowed the suppliers' one: the timeline read "operator"."""
    client = demo.test_client()
    web_login(client, "operator@demo.local", "demo1234")
    with demo.app_context(), db.session_scope(write=False) as s:
        producer = s.exec(select(Supplier).where(Supplier.kind == "producer")).one()
    path = f"/console/suppliers/{producer.id}"
    client.post(
        f"{path}/decisions",
        data={"csrf_token": csrf_token(client, path), "action": "request_info", "reason": "补件"},
    )
    page = client.get(path).get_data(as_text=True)
    history = page[page.rindex('class="timeline"') :]
    assert "<li>" in history and "运营 ·" in history
    assert "operator ·" not in history and "supplier ·" not in history


def test_the_supplier_timeline_speaks_of_supplier_events(
    app, client, make_supplier, operator_id, headers
):
    """Its words come from suppliers' labels, not from another package's `event_label`."""
    made = make_supplier()
    asked = client.post(
        f"/api/v1/suppliers/{made.id}/decisions",
        json={"action": "request_info", "reason": "请补充食品经营许可证"},
        headers=headers("ops@platform.test"),
    )
    assert asked.status_code == 200, asked.get_json()
    web_login(client, "ops@platform.test")
    page = client.get(f"/console/suppliers/{made.id}").get_data(as_text=True)
    timeline = page[page.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert "要求补充资料 · 平台运营" in timeline and "请补充食品经营许可证" in timeline


def test_a_template_helper_name_is_taken_once(app):
    from shop.core.web import register_helpers

    with pytest.raises(RuntimeError, match="supplier_event_label"):
        register_helpers(app, supplier_event_label=str)
    register_helpers(app, a_new_helper=str)
    assert app.jinja_env.globals["a_new_helper"] is str


def test_the_item_form_takes_the_price_in_yuan(demo):
    client = demo.test_client()
    web_login(client, "supplier1@demo.local", "demo1234")
    token = csrf_token(client, "/supplier/items/new?kind=goods")
    form = {
        "csrf_token": token,
        "kind": "goods",
        "sku": "YUAN-1",
        "name": "怡宝 1.5L×12",
        "category": "饮用水",
        "unit": "箱",
        "stock": "3",
        "staff_role": "butler",
    }
    bad = client.post("/supplier/items/new", data={**form, "supply_price": "二十六"})
    assert bad.status_code == 422
    assert "请输入以元为单位的金额，例如 39.90。" in bad.get_data(as_text=True)
    assert 'value="二十六"' in bad.get_data(as_text=True)  # shown back as typed
    made = client.post("/supplier/items/new", data={**form, "supply_price": "26.5"})
    assert made.status_code == 302
    with demo.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Item).where(Item.sku == "YUAN-1")).one().supply_price_minor == 2650
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert 'value="26.50"' in page
