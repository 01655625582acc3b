"""Uploads checked by content; every supplier endpoint shows a supplier only its own things."""

from __future__ import annotations

import io

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(client, supplier_id, hdrs, name, data, kind="licence"):
    return client.post(
        f"/api/v1/suppliers/{supplier_id}/documents",
        headers=hdrs,
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("name", "data"), [("licence.pdf", PDF), ("photo.PNG", PNG), ("scan.jpeg", JPEG)]
)
def test_pdf_jpeg_and_png_are_accepted(client, make_supplier, headers, name, data):
    made = make_supplier()
    response = upload(client, made.id, headers(made.email), name, data)
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("notes.txt", b"hello"),
        ("fake.pdf", b"just text pretending"),
        ("image-as.pdf", PNG),
        ("truncated.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n"),
        ("empty.png", b""),
    ],
)
def test_anything_else_is_refused_and_nothing_is_stored(
    app, client, make_supplier, headers, name, data
):
    made = make_supplier()
    response = upload(client, made.id, headers(made.email), name, data)
    assert response.status_code == 422
    listed = client.get(f"/api/v1/suppliers/{made.id}", headers=headers(made.email))
    assert listed.get_json()["documents"] == []


def test_a_file_over_the_limit_is_refused(app, client, make_supplier, headers):
    app.config["SUPPLIER_UPLOAD_MAX_BYTES"] = 1024
    made = make_supplier()
    big = PDF[:-6] + b" " * 2048 + b"%%EOF\n"
    response = upload(client, made.id, headers(made.email), "big.pdf", big)
    assert response.status_code == 422
    assert "MB" in response.get_json()["error"]["message"]


def test_documents_are_kept_outside_the_web_root_and_sent_as_attachments(
    app, client, make_supplier, headers, operator_id
):
    made = make_supplier()
    doc_id = upload(client, made.id, headers(made.email), "licence.pdf", PDF).get_json()["id"]
    url = f"/api/v1/suppliers/{made.id}/documents/{doc_id}"
    for who in (made.email, "ops@platform.test"):
        response = client.get(url, headers=headers(who))
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("attachment")
    assert "static" not in app.config["UPLOAD_DIR"]


@pytest.fixture
def two_suppliers(client, make_supplier, headers):
    """Supplier A's member, and supplier B with an item and a document."""
    a, b = make_supplier(status="active"), make_supplier(status="active")
    hb = headers(b.email)
    item = client.post(
        f"/api/v1/suppliers/{b.id}/items",
        headers=hb,
        json={
            "sku": "B-1",
            "kind": "goods",
            "name": "B 的商品",
            "category": "粮油",
            "unit": "袋",
            "supply_price_minor": 100,
            "stock": 3,
        },
    ).get_json()["id"]
    doc = upload(client, b.id, hb, "b.pdf", PDF).get_json()["id"]
    return headers(a.email), b.id, item, doc


def _other_endpoints(b: int, item: int, doc: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", f"/api/v1/suppliers/{b}", None),
        ("GET", f"/api/v1/suppliers/{b}/events", None),
        ("GET", f"/api/v1/suppliers/{b}/items", None),
        (
            "POST",
            f"/api/v1/suppliers/{b}/items",
            {
                "sku": "X",
                "kind": "goods",
                "name": "x",
                "category": "c",
                "unit": "u",
                "supply_price_minor": 1,
            },
        ),
        ("POST", f"/api/v1/suppliers/{b}/items/import", None),
        ("GET", f"/api/v1/items/{item}", None),
        ("PATCH", f"/api/v1/items/{item}", {"name": "stolen"}),
        ("POST", f"/api/v1/items/{item}/stock-adjustments", {"delta": -1, "reason": "xx"}),
        ("GET", f"/api/v1/items/{item}/stock-movements", None),
        ("GET", f"/api/v1/items/{item}/changes", None),
        ("GET", f"/api/v1/suppliers/{b}/documents/{doc}", None),
        ("GET", f"/api/v1/suppliers/{b}/statements", None),
        ("GET", f"/api/v1/suppliers/{b}/statements/2026-11-01/lines", None),
        ("POST", f"/api/v1/suppliers/{b}/resubmit", {}),
    ]


def test_a_supplier_gets_404_for_every_endpoint_of_another(client, two_suppliers):
    ha, b, item, doc = two_suppliers
    for method, path, body in _other_endpoints(b, item, doc):
        if path.endswith("/import"):
            response = client.post(
                path,
                headers={**ha, "Content-Type": "text/csv"},
                data=b"sku,kind,category,name,unit,supply_price_minor\n",
            )
        else:
            response = client.open(path, method=method, headers=ha, json=body)
        assert response.status_code == 404, (method, path, response.get_json())
    upload_other = upload(client, b, ha, "x.pdf", PDF)
    assert upload_other.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/suppliers"),
        ("GET", "/api/v1/suppliers/1"),
        ("POST", "/api/v1/suppliers/1/evaluations"),
        ("POST", "/api/v1/suppliers/1/decisions"),
        ("POST", "/api/v1/suppliers/1/checklist"),
        ("POST", "/api/v1/platform/phase"),
        ("GET", "/api/v1/suppliers/1/items"),
        ("POST", "/api/v1/suppliers/1/items"),
        ("PATCH", "/api/v1/items/1"),
        ("POST", "/api/v1/items/1/stock-adjustments"),
        ("GET", "/api/v1/suppliers/1/statements"),
        ("GET", "/api/v1/suppliers/1/documents/1"),
    ],
)
def test_residents_get_403_and_strangers_401(client, make_user, headers, method, path):
    make_user("resident", email="res@test.local")
    assert client.open(path, method=method, json={}).status_code == 401
    assert (
        client.open(path, method=method, json={}, headers=headers("res@test.local")).status_code
        == 403
    )


@pytest.mark.parametrize(
    "path",
    [
        "/console/suppliers/",
        "/console/suppliers/1",
        "/console/suppliers/requirements",
        "/console/phase",
        "/supplier/",
        "/supplier/items",
        "/supplier/statements",
    ],
)
def test_resident_pages_cannot_reach_operator_or_supplier_pages(client, make_user, path):
    from tests.conftest import web_login

    assert client.get(path).status_code == 302  # to the login page
    make_user("resident", email="respage@test.local")
    web_login(client, "respage@test.local")
    assert client.get(path).status_code == 403
