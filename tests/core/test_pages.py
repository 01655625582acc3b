"""Pages render in Chinese by default and in English; errors are pages or JSON bodies."""

from __future__ import annotations

import pytest

from shop.core.errors import DomainError, Invalid
from tests.conftest import csrf_token, web_login

EN = {"Accept-Language": "en-US,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def test_the_login_page_is_chinese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert "邮箱或手机号" in html and 'lang="zh-CN"' in html


def test_the_login_page_follows_accept_language(client):
    assert "Email or phone" in client.get("/login", headers=EN).get_data(as_text=True)
    assert "邮箱或手机号" in client.get("/login", headers=ZH).get_data(as_text=True)


def test_the_switch_changes_the_language_for_an_anonymous_visitor(client):
    client.post(
        "/language", data={"locale": "en", "next": "/login", "csrf_token": csrf_token(client)}
    )
    assert "Email or phone" in client.get("/login", headers=ZH).get_data(as_text=True)


def test_the_users_saved_language_wins_over_the_browser(client, make_user):
    make_user("resident", email="en@test.local", locale="en")
    web_login(client, "en@test.local")
    assert "Log out" in client.get("/shop/", headers=ZH).get_data(as_text=True)


def test_the_switch_is_saved_on_the_account(client, make_user):
    make_user("resident", email="sw@test.local")
    web_login(client, "sw@test.local")
    client.post(
        "/language",
        data={"locale": "en", "next": "/shop/", "csrf_token": csrf_token(client, "/shop/")},
    )
    fresh = client.application.test_client()
    web_login(fresh, "sw@test.local")
    assert "Log out" in fresh.get("/shop/").get_data(as_text=True)


def test_an_unknown_language_is_refused(client):
    response = client.post("/language", data={"locale": "xx", "csrf_token": csrf_token(client)})
    assert response.status_code == 400


@pytest.fixture
def failing_app(app_factory):
    app = app_factory()  # an app of its own: routes are added to it

    @app.get("/test/conflict")
    def conflict():
        raise DomainError("库存不足", code="out_of_stock")

    @app.get("/test/invalid")
    def invalid():
        raise Invalid("bad", fields={"quantity": ["Must be at least 1."]})

    @app.get("/api/v1/test/conflict")
    def api_conflict():
        raise DomainError("库存不足", code="out_of_stock")

    @app.get("/test/crash")
    def crash():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize(
    ("path", "status", "zh", "en"),
    [
        ("/nowhere", 404, "页面不存在", "Page not found"),
        ("/test/conflict", 409, "暂时无法办理", "Cannot do that now"),
        ("/test/invalid", 422, "请检查填写内容", "Please check what you entered"),
        ("/test/crash", 500, "出错了", "Something went wrong"),
    ],
)
def test_error_pages_in_both_languages(failing_app, path, status, zh, en):
    client = failing_app.test_client()
    response = client.get(path)
    assert response.status_code == status
    assert zh in response.get_data(as_text=True)
    assert en in client.get(path, headers=EN).get_data(as_text=True)


def test_a_403_page_in_both_languages(client, make_user):
    make_user("resident", email="r403@test.local")
    web_login(client, "r403@test.local")
    response = client.get("/console/")
    assert response.status_code == 403 and "无权操作" in response.get_data(as_text=True)
    assert "Not allowed" in client.get("/console/", headers=EN).get_data(as_text=True)


def test_api_errors_are_json_with_a_code(failing_app):
    client = failing_app.test_client()
    response = client.get("/api/v1/test/conflict")
    assert response.status_code == 409
    assert response.get_json() == {
        "error": {"code": "out_of_stock", "message": "库存不足", "fields": {}}
    }
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_the_openapi_document_is_generated_from_the_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/auth/token", "/api/v1/me"} <= set(spec["paths"])
    assert "TokenRequest" in spec["components"]["schemas"]


def test_every_page_has_an_icon_and_the_favicon_answers(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in page and "favicon.svg" in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301
    got = client.get(icon.headers["Location"])
    assert got.status_code == 200 and b"<svg" in got.get_data()
    got.close()
