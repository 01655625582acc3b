"""Staff go on and off duty from their home page."""

from __future__ import annotations

from tests.conftest import csrf_token, web_login


def test_a_staff_member_goes_off_and_on_duty(app, demo_snapshot):
    demo_snapshot.seed(app)
    client = app.test_client()
    web_login(client, "staff1@demo.local", "demo1234")
    assert "下班" in client.get("/staff").get_data(as_text=True)
    client.post("/staff/duty/off", data={"csrf_token": csrf_token(client, "/staff")})
    assert "上班" in client.get("/staff").get_data(as_text=True)


def test_duty_needs_the_staff_role(app, client, make_user):
    make_user("resident", email="notstaff@test.local")
    web_login(client, "notstaff@test.local")
    token = csrf_token(client, "/shop/")
    assert client.post("/staff/duty/on", data={"csrf_token": token}).status_code == 403
