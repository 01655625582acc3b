"""Logins: the web form with CSRF, bearer tokens, revocation, session ends and rate limits."""

from __future__ import annotations

from datetime import timedelta

from shop.core import accounts, db
from shop.core.models import ApiToken, User
from tests.conftest import PASSWORD, api_token, csrf_token, web_login


def test_an_api_token_authenticates_me(client, make_user):
    make_user("resident", "staff", email="a@test.local")
    token = api_token(client, "A@test.local ")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == "a@test.local"
    assert body["roles"] == ["resident", "staff"]


def test_tokens_are_stored_hashed(app, client, make_user):
    make_user(email="h@test.local")
    token = api_token(client, "h@test.local")
    with app.app_context(), db.session_scope(write=False) as s:
        [row] = s.exec(db_select(ApiToken)).all()
    assert token not in row.token_hash and len(row.token_hash) == 64


def db_select(model):
    from sqlmodel import select

    return select(model)


def test_a_revoked_token_is_refused(client, make_user):
    make_user(email="r@test.local")
    token = api_token(client, "r@test.local")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
    response = client.get("/api/v1/me", headers=auth)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_an_expired_token_is_refused(app, client, make_user):
    make_user(email="e@test.local")
    token = api_token(client, "e@test.local")
    with app.app_context(), db.session_scope() as s:
        row = s.exec(db_select(ApiToken)).one()
        row.expires_at = db.utcnow() - timedelta(seconds=1)
        s.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_deactivated_users_token_is_refused(app, client, make_user):
    user_id = make_user(email="d@test.local")
    token = api_token(client, "d@test.local")
    with app.app_context(), db.session_scope() as s:
        s.get(User, user_id).is_active = False
        s.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_token_speaks_for_an_identity_with_every_role_and_no_row(app, client, make_user):
    user_id = make_user("resident", "staff", "manager", email="i@test.local", locale="en")
    token = api_token(client, "i@test.local")
    with app.test_request_context():
        token_id, identity = accounts.token_identity(token)
        assert identity == accounts.Identity(
            id=user_id,
            email="i@test.local",
            phone=None,
            display_name="测试用户",
            locale="en",
            session_version=1,
            roles=frozenset({"resident", "staff", "manager"}),
        )
        assert identity.has_role("manager") and not identity.has_role("operator")
        assert not db.session().identity_map  # a frozen value: nothing loaded into the session
        with db.session_scope(write=False) as s:
            assert s.get(ApiToken, token_id).user_id == user_id
        assert accounts.token_identity(token + "x") is None


def test_me_without_credentials_is_401(client):
    assert client.get("/api/v1/me").status_code == 401


def test_a_wrong_password_is_401_and_reveals_nothing(client, make_user):
    make_user(email="w@test.local")
    wrong = client.post("/api/v1/auth/token", json={"login": "w@test.local", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", json={"login": "x@test.local", "password": "no"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_the_token_endpoint_validates_fields(client):
    response = client.post("/api/v1/auth/token", json={"login": ""})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"login", "password"}


def test_the_sixth_wrong_password_in_a_minute_gets_429_with_retry_after(client, make_user):
    make_user(email="t@test.local")
    for _ in range(5):
        bad = client.post("/api/v1/auth/token", json={"login": "t@test.local", "password": "x"})
        assert bad.status_code == 401
    sixth = client.post("/api/v1/auth/token", json={"login": "t@test.local", "password": PASSWORD})
    assert sixth.status_code == 429
    assert int(sixth.headers["Retry-After"]) > 0
    assert sixth.get_json()["error"]["code"] == "too_many_requests"


def test_failed_logins_of_one_account_do_not_lock_another(client, make_user):
    make_user(email="victim@test.local")
    make_user(email="other@test.local")
    for _ in range(6):
        client.post("/api/v1/auth/token", json={"login": "victim@test.local", "password": "x"})
    assert api_token(client, "other@test.local")


def test_successful_logins_are_not_rate_limited(client, make_user):
    make_user(email="ok@test.local")
    tokens = {api_token(client, "ok@test.local") for _ in range(7)}  # each must answer 201
    assert len(tokens) == 7


def test_one_ip_is_limited_across_accounts(app_factory, make_user):
    app = app_factory(LOGIN_LIMIT_PER_IP="3 per minute")
    client = app.test_client()
    for n in range(3):
        client.post("/api/v1/auth/token", json={"login": f"n{n}@test.local", "password": "x"})
    response = client.post("/api/v1/auth/token", json={"login": "n9@test.local", "password": "x"})
    assert response.status_code == 429


def test_the_login_form_is_rate_limited_too(client, make_user):
    make_user(email="f@test.local")
    for _ in range(5):
        assert web_login(client, "f@test.local", "wrong").status_code == 200
    response = web_login(client, "f@test.local")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_the_login_form_logs_in_and_lands_on_the_role_home(client, make_user):
    make_user("resident", email="home@test.local")
    response = web_login(client, "home@test.local")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/shop/")


def test_a_form_post_without_csrf_token_is_refused(client, make_user):
    make_user(email="c@test.local")
    response = client.post("/login", data={"login": "c@test.local", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/shop/basket").status_code == 302  # still logged out


def test_logout_needs_csrf_and_ends_the_old_session_cookie(client, make_user):
    make_user("resident", email="out@test.local")
    web_login(client, "out@test.local")
    stolen = client.get_cookie("session").value
    assert client.post("/logout").status_code == 400
    client.post("/logout", data={"csrf_token": csrf_token(client, "/shop/")})
    assert client.get("/shop/basket").status_code == 302
    client.set_cookie("session", stolen)
    assert client.get("/shop/basket").status_code == 302  # the copied cookie is dead too


def test_an_api_write_riding_on_the_session_cookie_needs_csrf(app, client, make_user):
    make_user("resident", email="cookie@test.local")
    web_login(client, "cookie@test.local")
    assert client.get("/api/v1/me").status_code == 200  # reads may use the cookie
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_a_role_page_is_403_for_other_roles(client, make_user):
    make_user("resident", email="nosy@test.local")
    web_login(client, "nosy@test.local")
    response = client.get("/console/")
    assert response.status_code == 403


def test_login_redirects_only_to_local_paths(client, make_user):
    make_user("resident", email="n@test.local")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "login": "n@test.local",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == "/"


def test_me_tells_a_supplier_member_their_supplier_and_staff_their_grids(
    app, client, demo_snapshot
):
    from tests.conftest import api_token

    demo_snapshot.seed(app)

    def me(login):
        token = api_token(client, login, "demo1234")
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()

    supplier = me("supplier1@demo.local")
    assert supplier["supplier"]["name"] == "清泉饮用水配送有限公司" and supplier["staff"] is None
    staff = me("staff1@demo.local")
    assert staff["staff"]["employee_no"] == "E1001" and staff["supplier"] is None
    assert [g["name"] for g in staff["staff"]["grids"]] == ["网格A"]
    resident = me("resident1@demo.local")
    assert resident["supplier"] is None and resident["staff"] is None
