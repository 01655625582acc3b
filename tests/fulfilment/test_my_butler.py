"""A resident calls their building's butler with one button: on duty first, not another grid's."""

from __future__ import annotations

from shop.core import db
from shop.core.models import User
from tests.conftest import web_login


def _phones(app, phones: dict[int, str]) -> None:
    with app.app_context(), db.session_scope() as s:
        for user_id, phone in phones.items():
            s.get(User, user_id).phone = phone
        s.commit()


def test_the_home_offers_the_button_and_it_calls_the_butler_on_duty(app, client, shop, crew):
    _phones(
        app,
        {
            crew.off_butler: "13900000001",
            crew.free_butler: "13900000002",
            crew.other_grid_butler: "13900000003",
            crew.manager: "13900000009",
        },
    )
    web_login(client, shop["email"])
    home = client.get("/shop/").get_data(as_text=True)
    assert 'href="/my-butler"' in home and "联系管家" in home
    page = client.get("/my-butler").get_data(as_text=True)
    assert 'href="tel:13900000002"' in page and "正在值班" in page
    assert "13900000001" not in page and "13900000003" not in page


def test_with_no_butler_to_reach_the_grid_manager_answers(app, client, shop, crew):
    _phones(app, {crew.manager: "13900000009", crew.other_grid_butler: "13900000003"})
    web_login(client, shop["email"])
    page = client.get("/my-butler").get_data(as_text=True)
    assert 'href="tel:13900000009"' in page and "13900000003" not in page


def test_a_resident_without_a_grid_is_sent_to_the_service_centre(client, shop):
    web_login(client, shop["email"])
    page = client.get("/my-butler").get_data(as_text=True)
    assert "tel:" not in page and "物业服务中心" in page


def test_staff_have_no_butler_page(client, crew, app):
    with app.app_context(), db.session_scope(write=False) as s:
        email = s.get(User, crew.free_butler).email
    web_login(client, email)
    assert client.get("/my-butler").status_code == 403
