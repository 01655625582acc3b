"""Item images: checked by decoding, resized in two sizes, stored outside the web root, cached."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from shop.core import db
from suppliers.models import Item, ItemChange
from tests.conftest import csrf_token, web_login

GOODS = {
    "sku": "IMG-1",
    "kind": "goods",
    "name": "景田纯净水 18.9L",
    "category": "饮用水",
    "unit": "桶",
    "supply_price_minor": 1500,
    "stock": 10,
}


def picture(fmt: str = "JPEG", size: tuple[int, int] = (2000, 1500), exif_rotated=False) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    if exif_rotated:
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90° on display
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # a GPS position: must not survive
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


@pytest.fixture
def item(client, make_supplier, headers):
    made = make_supplier(status="active")
    hdrs = headers(made.email)
    created = client.post(f"/api/v1/suppliers/{made.id}/items", json=GOODS, headers=hdrs)
    assert created.status_code == 201, created.get_json()
    return made, hdrs, created.get_json()["id"]


def upload(client, hdrs, item_id, data: bytes, name="photo.jpg"):
    return client.post(
        f"/api/v1/items/{item_id}/images",
        data={"file": (io.BytesIO(data), name)},
        headers={**hdrs, "Accept-Language": "en"},
        content_type="multipart/form-data",
    )


def test_an_upload_is_stored_as_a_thumbnail_and_a_page_size(app, client, item):
    _made, hdrs, item_id = item
    response = upload(client, hdrs, item_id, picture())
    assert response.status_code == 201, response.get_json()
    [image] = response.get_json()["image_urls"]
    thumb = client.get(image["thumb"])
    page = client.get(image["page"])
    assert thumb.status_code == page.status_code == 200
    assert thumb.mimetype == "image/jpeg"
    assert "immutable" in thumb.headers["Cache-Control"]
    assert "max-age=31536000" in thumb.headers["Cache-Control"]
    assert Image.open(io.BytesIO(thumb.data)).size == (400, 300)
    assert Image.open(io.BytesIO(page.data)).size == (1200, 900)
    thumb.close()
    page.close()
    uploads = Path(app.config["UPLOAD_DIR"]).resolve()
    static = Path(app.static_folder or "/nonexistent").resolve()
    assert not uploads.is_relative_to(static)
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Item, item_id).images == [image["key"]]
        assert any("images" in c.changes for c in s.exec(select(ItemChange)))


def test_the_same_picture_twice_is_kept_once(client, item):
    _made, hdrs, item_id = item
    data = picture("PNG", (300, 300))
    upload(client, hdrs, item_id, data, "a.png")
    again = upload(client, hdrs, item_id, data, "b.png")
    assert again.status_code == 201 and len(again.get_json()["images"]) == 1


def test_a_photo_is_turned_upright_and_loses_its_gps(client, item):
    _made, hdrs, item_id = item
    response = upload(client, hdrs, item_id, picture(size=(800, 400), exif_rotated=True))
    page = client.get(response.get_json()["image_urls"][0]["page"])
    stored = Image.open(io.BytesIO(page.data))
    page.close()
    assert stored.size == (400, 800)  # upright: the camera's rotation applied
    assert not stored.getexif()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4 not a picture %%EOF", "photo.jpg"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "photo.jpg"),
        (b"", "photo.jpg"),
        (b"GIF89a" + b"\x00" * 20, "anim.gif"),
    ],
)
def test_anything_but_a_real_image_is_refused_and_nothing_changes(app, client, item, data, name):
    _made, hdrs, item_id = item
    response = upload(client, hdrs, item_id, data, name)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["image"]
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Item, item_id).images == []


def test_a_decompression_bomb_is_refused(app, client, item):
    _made, hdrs, item_id = item
    app.config["MEDIA_MAX_PIXELS"] = 1000 * 1000
    response = upload(client, hdrs, item_id, picture("PNG", (1200, 1000)))
    assert response.status_code == 422
    assert "pixels" in response.get_json()["error"]["fields"]["image"][0]


def test_another_supplier_cannot_add_or_remove_images(client, item, make_supplier, headers):
    _made, hdrs, item_id = item
    key = upload(client, hdrs, item_id, picture()).get_json()["images"][0]
    other = make_supplier(status="active")
    stranger = headers(other.email)
    assert upload(client, stranger, item_id, picture("PNG")).status_code == 404
    digest = key.rsplit("/", 1)[-1]
    gone = client.delete(f"/api/v1/items/{item_id}/images/{digest}", headers=stranger)
    assert gone.status_code == 404


def test_images_are_removed_and_only_media_keys_are_accepted(client, item):
    _made, hdrs, item_id = item
    key = upload(client, hdrs, item_id, picture()).get_json()["images"][0]
    patch = client.patch(
        f"/api/v1/items/{item_id}",
        json={"images": ["https://elsewhere.example/x.jpg"]},
        headers={**hdrs, "Accept-Language": "en"},
    )
    assert patch.status_code == 422
    assert patch.get_json()["error"]["fields"]["images"] == {"0": ["Not an uploaded image."]}
    digest = key.rsplit("/", 1)[-1]
    removed = client.delete(f"/api/v1/items/{item_id}/images/{digest}", headers=hdrs)
    assert removed.status_code == 200 and removed.get_json()["images"] == []


def test_only_stored_names_are_served(client):
    assert client.get("/media/../secret_key").status_code == 404
    assert client.get("/media/items/1/../../secret_key").status_code == 404
    assert client.get("/media/items/1/" + "0" * 32 + "-thumb.jpg").status_code == 404


def test_the_supplier_uploads_from_the_item_page(client, item):
    made, _hdrs, item_id = item
    web_login(client, made.email)
    path = f"/supplier/items/{item_id}"
    response = client.post(
        f"{path}/images",
        data={"csrf_token": csrf_token(client, path), "image": (io.BytesIO(picture()), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert '<img src="/media/items/' in page and "-thumb.jpg" in page
    refused = client.post(
        f"{path}/images",
        data={"csrf_token": csrf_token(client, path), "image": (io.BytesIO(b"nope"), "p.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "无法识别该文件，它不是可读取的图片。" in refused.get_data(as_text=True)


def test_a_cached_image_is_answered_not_modified(client, item):
    _made, hdrs, item_id = item
    url = upload(client, hdrs, item_id, picture()).get_json()["image_urls"][0]["thumb"]
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200 and again.status_code == 304
