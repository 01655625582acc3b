"""Suppliers' pages speak the reader's language in their errors too: the item form, CSV preview."""

from __future__ import annotations

import io

import pytest

from tests.conftest import csrf_token, web_login

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def supplier_page(client, make_supplier):
    made = make_supplier(status="active")
    assert web_login(client, made.email).status_code == 302
    return made


def test_the_item_form_shows_chinese_field_errors(client, supplier_page):
    page = client.get("/supplier/items/new", headers=ZH).get_data(as_text=True)
    assert "<form" in page
    response = client.post(
        "/supplier/items/new",
        data={"csrf_token": csrf_token(client, "/supplier/items/new"), "kind": "goods"},
        headers=ZH,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Missing data for required field." not in body
    assert "此项必填。" in body


def test_the_csv_preview_names_each_error_in_chinese(client, supplier_page):
    text = (
        "sku,kind,category,name,unit,supply_price_minor,stock,staff_role\n"
        "B1,goods,粮油,大米,袋,3500,20,butler\n"
        "B2,goods,粮油,面粉,袋,12.5,5,butler\n"
        "B1,gadget,粮油,重复,袋,3500,20,butler\n"
    )
    response = client.post(
        "/supplier/items/import",
        data={
            "csrf_token": csrf_token(client, "/supplier/items/import"),
            "file": (io.BytesIO(text.encode()), "items.csv"),
        },
        headers=ZH,
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert "不是有效的整数。" in body  # 12.5 fen
    assert "须为以下之一" in body  # gadget is no kind
    assert "与本文件第 2 行重复。" in body
    for english in ("Not a valid integer.", "Must be one of", "duplicate of line", "Duplicate of"):
        assert english not in body
