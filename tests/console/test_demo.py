"""The demo community: idempotent, with the fixed logins, each landing on its home page."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from shop.core import db
from shop.core.models import User
from tests.conftest import web_login


def run_demo(app, *args):
    return app.test_cli_runner().invoke(args=["demo", *args])


def user_count(app) -> int:
    with app.app_context(), db.session_scope(write=False) as s:
        return s.exec(select(func.count()).select_from(User)).one()


def test_demo_seeds_once_and_prints_the_logins(app):
    first = run_demo(app)
    assert first.exit_code == 0, first.output
    assert "operator@demo.local" in first.output and "demo1234" in first.output
    count = user_count(app)
    assert count == 1 + 1 + 4 + 6 + 3
    again = run_demo(app)
    assert again.exit_code == 0 and "already" in again.output
    assert user_count(app) == count


def test_demo_if_empty_leaves_a_real_database_alone(app, make_user):
    make_user("operator", email="real@company.cn")
    result = run_demo(app, "--if-empty")
    assert result.exit_code == 0 and "not seeded" in result.output
    assert user_count(app) == 1


def test_demo_refuses_production(app_factory):
    app = app_factory(
        ENV="production", STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x"
    )
    result = run_demo(app)
    assert result.exit_code != 0 and "production" in result.output


@pytest.mark.parametrize(
    ("login", "path", "text"),
    [
        ("operator@demo.local", "/console/", "阳光花园"),
        ("manager@demo.local", "/manager", "网格A"),
        ("staff1@demo.local", "/staff", "E1001"),
        ("resident1@demo.local", "/shop/", "1-0101"),
        ("resident6@demo.local", "/shop/", "关怀"),
        ("supplier1@demo.local", "/supplier/", "清泉饮用水配送有限公司"),
    ],
)
def test_each_demo_login_reaches_its_role_home(demo, login, path, text):
    client = demo.test_client()
    assert web_login(client, login, "demo1234").status_code == 302
    landing = client.get("/")
    assert landing.headers["Location"] == path
    page = client.get(path)
    assert page.status_code == 200 and text in page.get_data(as_text=True)


def test_the_demo_ships_product_pictures_and_butlers_to_call(demo, client):
    home = client.get("/shop/").get_data(as_text=True)
    assert '<img src="/media/items/' in home
    web_login(client, "resident6@demo.local", "demo1234")
    page = client.get("/my-butler").get_data(as_text=True)
    assert 'href="tel:139000' in page
