"""Residents join by themselves: sign up for a home, browse at once, order once verified."""

from __future__ import annotations

import uuid

from sqlmodel import select

from shop.core import accounts, db
from shop.core.models import Unit, User
from tests.conftest import csrf_token, web_login
from tests.fixtures_orders import order_body

EN = {"Accept-Language": "en"}


def _units(app, client, shop, make_user, headers):
    """The operator puts two homes of the resident's building on the owner list."""
    make_user("operator", email="ops@signup.test")
    ops = {**headers("ops@signup.test"), **EN}
    with app.app_context(), db.session_scope(write=False):
        home = accounts.find_resident_address(shop["user_id"])
    added = client.post(
        f"/api/v1/communities/{home.community_id}/units",
        json={
            "building_id": home.building_id,
            "units": [{"name": "1-201", "owner_name": "周女士"}, {"name": "1-202"}],
        },
        headers=ops,
    )
    assert added.status_code == 201, added.get_json()
    units = {u["name"]: u for u in added.get_json()}
    assert len(units["1-201"]["join_code"]) == 6
    again = client.post(
        f"/api/v1/communities/{home.community_id}/units",
        json={"building_id": home.building_id, "units": [{"name": "1-201"}]},
        headers=ops,
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "unit_exists"
    return home, units


def test_a_resident_signs_up_verifies_with_the_code_and_then_orders(
    app, client, shop, crew, make_user, headers
):
    home, units = _units(app, client, shop, make_user, headers)
    public = client.get(f"/api/v1/signup/units?community_id={home.community_id}").get_json()[
        "items"
    ]
    assert {"1-201", "1-202"} <= {u["name"] for u in public}
    assert all("join_code" not in u and "owner_name" not in u for u in public)
    signed = client.post(
        "/api/v1/signup",
        json={
            "phone": "13712345678",
            "password": "a-good-pass-1",
            "display_name": "周女士",
            "unit_id": units["1-201"]["id"],
        },
        headers=EN,
    )
    assert signed.status_code == 201, signed.get_json()
    mine = {"Authorization": f"Bearer {signed.get_json()['token']}"}
    assert signed.get_json()["user"]["resident"]["verified"] is False
    order = {**order_body(shop, 1)}
    refused = client.post(
        "/api/v1/orders", json=order, headers={**mine, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_verified"
    wrong = client.post("/api/v1/me/verification", json={"code": "000000"}, headers=mine)
    if units["1-201"]["join_code"] == "000000":  # one in a million
        wrong = client.post("/api/v1/me/verification", json={"code": "111111"}, headers=mine)
    assert wrong.status_code == 422
    right = client.post(
        "/api/v1/me/verification", json={"code": units["1-201"]["join_code"]}, headers=mine
    )
    assert right.status_code == 200 and right.get_json()["resident"]["verified"] is True
    placed = client.post(
        "/api/v1/orders", json=order, headers={**mine, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert placed.status_code == 201, placed.get_json()


def test_the_grids_butler_confirms_a_new_resident_on_the_staff_page(
    app, client, shop, crew, make_user, headers
):
    home, units = _units(app, client, shop, make_user, headers)
    path = "/register"
    choose = client.get(path).get_data(as_text=True)
    assert f"/register?community_id={home.community_id}" in choose
    page = f"{path}?community_id={home.community_id}"
    form = client.get(page).get_data(as_text=True)
    assert "1-202" in form
    done = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "unit_id": str(units["1-202"]["id"]),
            "display_name": "吴先生",
            "phone": "13712340000",
            "password": "another-pass-2",
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/verify")
    with app.app_context(), db.session_scope(write=False) as s:
        newcomer = s.exec(select(User).where(User.phone == "13712340000")).one().id
    client.post("/logout", data={"csrf_token": csrf_token(client, "/verify")})
    stranger = client.post(
        f"/api/v1/residents/{newcomer}/approval", headers=headers("other@staff.test")
    )
    assert stranger.status_code == 404
    web_login(client, "free@staff.test")
    staff = client.get("/staff").get_data(as_text=True)
    assert "吴先生" in staff and "137****0000" in staff
    client.post(
        f"/staff/residents/{newcomer}/approve", data={"csrf_token": csrf_token(client, "/staff")}
    )
    with app.app_context(), db.session_scope(write=False):
        assert accounts.find_resident_address(newcomer).verified is True


def test_signup_refuses_bad_input_and_changes_nothing(app, client, shop, make_user, headers):
    _units(app, client, shop, make_user, headers)
    with app.app_context(), db.session_scope(write=False) as s:
        before = len(s.exec(select(User)).all())
    bad = client.post(
        "/api/v1/signup",
        json={"phone": "x", "password": "short", "display_name": "", "unit_id": 10**9},
        headers=EN,
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"phone", "password", "display_name"}
    unknown = client.post(
        "/api/v1/signup",
        json={
            "phone": "13700000000",
            "password": "a-good-pass",
            "display_name": "某",
            "unit_id": 99999,
        },
        headers=EN,
    )
    assert unknown.status_code == 422 and "unit_id" in unknown.get_json()["error"]["fields"]
    with app.app_context(), db.session_scope(write=False) as s:
        assert len(s.exec(select(User)).all()) == before
        assert len(s.exec(select(Unit)).all()) == 2


OWNER_LIST = (
    "\ufeffbuilding,unit,owner_name,owner_phone\n"
    "5栋,5-101,钱女士,13700005101\n"
    "5栋,5-102,,\n"
    "6栋,6-101,孙先生,13700006101\n"
)


def _import(client, community_id, ops, text, dry_run=False):
    return client.post(
        f"/api/v1/communities/{community_id}/units/import?dry_run={str(dry_run).lower()}",
        data=text.encode(),
        headers={**ops, "Content-Type": "text/csv", "Accept-Language": "en"},
    )


def test_the_owner_list_imports_all_or_nothing_and_the_owner_is_verified_on_signup(
    app, client, shop, make_user, headers
):
    make_user("operator", email="ops@owners.test")
    ops = headers("ops@owners.test")
    with app.app_context(), db.session_scope(write=False):
        community_id = accounts.find_resident_address(shop["user_id"]).community_id
    preview = _import(client, community_id, ops, OWNER_LIST, dry_run=True)
    assert preview.status_code == 200 and preview.get_json()["saved"] is False
    bad = _import(client, community_id, ops, OWNER_LIST + "5栋,5-101,重复,\n6栋,,x,abc\n")
    assert bad.status_code == 422
    lines = {r["line"]: r["errors"] for r in bad.get_json()["error"]["fields"]["rows"]}
    assert set(lines) == {5, 6} and "Duplicate of line 2" in lines[5][0]
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Unit)).all() == []  # nothing saved, no building added
    done = _import(client, community_id, ops, OWNER_LIST)
    assert done.status_code == 200 and done.get_json()["created"] == 3
    public = client.get(f"/api/v1/signup/units?community_id={community_id}").get_json()["items"]
    unit = next(u for u in public if u["name"] == "5-101")
    owner = client.post(
        "/api/v1/signup",
        json={
            "phone": "13700005101",
            "password": "owner-pass-1",
            "display_name": "钱女士",
            "unit_id": unit["id"],
        },
    )
    assert owner.get_json()["user"]["resident"]["verified"] is True  # the owner list says so
    stranger = client.post(
        "/api/v1/signup",
        json={
            "phone": "13700009999",
            "password": "other-pass-1",
            "display_name": "某人",
            "unit_id": unit["id"],
        },
    )
    assert stranger.get_json()["user"]["resident"]["verified"] is False


def test_the_owner_list_imports_from_the_command_line_with_a_progress_bar(app, shop, tmp_path):
    with app.app_context(), db.session_scope(write=False) as s:
        from shop.core.models import Community

        code = s.get(Community, accounts.find_resident_address(shop["user_id"]).community_id).code
    path = tmp_path / "owners.csv"
    path.write_text(OWNER_LIST, encoding="utf-8")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["units", "import", code, str(path), "--dry-run"])
    assert dry.exit_code == 0 and "dry run" in dry.output
    result = runner.invoke(args=["units", "import", code, str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 units." in result.output and "units" in result.output
    again = runner.invoke(args=["units", "import", code, str(path)])
    assert again.exit_code != 0 and "nothing was saved" in again.output


def test_the_signup_page_names_each_bad_field_in_chinese(app, client, shop, make_user, headers):
    home, units = _units(app, client, shop, make_user, headers)
    page = f"/register?community_id={home.community_id}"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "unit_id": str(units["1-202"]["id"]),
            "phone": "abc",
            "password": "short",
        },
        headers={"Accept-Language": "zh-CN"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "不是有效的电话号码。" in body and "此项必填。" in body  # phone; the name is missing
