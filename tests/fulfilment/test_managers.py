"""Project managers: the operator appoints them and puts them over grids; a manager reads
their grids' part of the audit log; butlers and the operator move households' segments on a
page."""

from __future__ import annotations

import re

from sqlmodel import select

from fulfilment.models import Grid
from shop.core import accounts, audit, db
from shop.core.models import AuditEntry, User
from tests.conftest import csrf_token, web_login


def _email(app, user_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(User, user_id).email


def _grid_manager(app, grid_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(Grid, grid_id).manager_id


def test_the_operator_appoints_a_manager_over_a_grid_and_changes_it(
    app, client, crew, headers, make_user
):
    make_user("operator", email="ops@managers.test")
    ops = headers("ops@managers.test")
    body = {
        "display_name": "韩经理",
        "phone": "13911112222",
        "email": "han@managers.test",
        "password": "first-pass-1",
        "grid_ids": [crew.grid_id],
    }
    bad = client.post("/api/v1/managers", json={**body, "email": "not-an-email"}, headers=ops)
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"email"}
    assert _grid_manager(app, crew.grid_id) == crew.manager  # nothing changed
    made = client.post("/api/v1/managers", json=body, headers=ops)
    assert made.status_code == 201, made.get_json()
    han = made.get_json()["user_id"]
    assert made.get_json()["grid_ids"] == [crew.grid_id] and "password" not in made.get_json()
    assert _grid_manager(app, crew.grid_id) == han
    listed = client.get("/api/v1/managers", headers=ops).get_json()["items"]
    assert {m["user_id"] for m in listed} >= {han, crew.other_manager}
    again = client.post("/api/v1/managers", json=body, headers=ops)
    assert again.status_code == 422  # the login is taken

    url = f"/api/v1/grids/{crew.grid_id}/manager"
    resident = client.put(url, json={"manager_id": crew.free_butler}, headers=ops)
    assert resident.status_code == 422 and "manager_id" in resident.get_json()["error"]["fields"]
    assert _grid_manager(app, crew.grid_id) == han
    back = client.put(url, json={"manager_id": crew.manager}, headers=ops)
    assert back.status_code == 200 and back.get_json()["manager_id"] == crew.manager
    manager = headers(_email(app, crew.manager))
    assert client.put(url, json={"manager_id": None}, headers=manager).status_code == 403
    assert client.post("/api/v1/managers", json=body, headers=manager).status_code == 403
    with app.app_context(), db.session_scope(write=False) as s:
        actions = s.exec(
            select(AuditEntry.action).where(
                AuditEntry.action.in_(("manager.appointed", "grid.manager_changed"))
            )
        ).all()
    assert sorted(actions) == ["grid.manager_changed", "manager.appointed"]


def test_the_operator_appoints_a_manager_on_the_compounds_page(app, client, crew, make_user):
    make_user("operator", email="ops@managers.test")
    web_login(client, "ops@managers.test")
    token = csrf_token(client, "/console/compounds")
    form = {
        "csrf_token": token,
        "do": "manager",
        "display_name": "秦经理",
        "phone": "13911113333",
        "email": "qin@managers.test",
        "password": "first-pass-1",
        "grid_ids": [str(crew.grid_id)],
    }
    short = client.post("/console/compounds", data={**form, "password": "short"})
    assert "password:" in short.get_data(as_text=True)
    client.post("/console/compounds", data=form)
    page = client.get("/console/compounds").get_data(as_text=True)
    managers = page[page.index('id="managers"') :]
    assert "秦经理" in managers and "qin@managers.test" in managers
    with app.app_context(), db.session_scope(write=False):
        qin = accounts.find_user_by_email("qin@managers.test").id
    assert _grid_manager(app, crew.grid_id) == qin
    client.post(
        "/console/compounds",
        data={"csrf_token": token, "do": "grid_manager", "grid_id": crew.grid_id, "manager_id": ""},
    )
    assert _grid_manager(app, crew.grid_id) is None


def test_a_manager_reads_only_their_grids_part_of_the_audit_log(app, client, shop, crew, headers):
    ours = f"/api/v1/residents/{shop['user_id']}/segment"
    moved = client.put(
        ours,
        json={"segment": "care", "reason": "独居老人"},
        headers=headers(_email(app, crew.free_butler)),
    )
    assert moved.status_code == 200
    with app.app_context(), db.session_scope() as s:  # the other grid's butler goes off duty
        audit.record(
            actor_id=crew.other_grid_butler,
            action="staff.duty_off",
            subject_type="staff",
            subject_id=crew.other_grid_butler,
        )
        s.commit()
    web_login(client, _email(app, crew.manager))
    page = client.get("/console/audit").get_data(as_text=True)
    assert "resident.segment_changed" in page and "staff.duty_off" not in page
    exported = client.get("/console/audit.csv").get_data(as_text=True)
    assert "resident.segment_changed" in exported and "staff.duty_off" not in exported
    home = client.get("/manager").get_data(as_text=True)
    assert 'href="/console/audit"' in home
    assert client.get("/console/compounds").status_code == 403  # the rest stays the operator's
    web_login(client, _email(app, crew.other_manager))
    theirs = client.get("/console/audit").get_data(as_text=True)
    assert "staff.duty_off" in theirs and "resident.segment_changed" not in theirs


def test_a_butler_moves_a_household_of_their_grid_on_the_households_page(app, client, shop, crew):
    web_login(client, _email(app, crew.free_butler))
    page = client.get("/households").get_data(as_text=True)
    assert f'id="household-{shop["user_id"]}"' in page and "所有业主" in page
    assert "我的住户" in client.get("/staff").get_data(as_text=True)
    action = f"/households/{shop['user_id']}/segment"
    token = csrf_token(client, "/households")
    refused = client.post(action, data={"csrf_token": token, "segment": "care", "reason": ""})
    assert refused.status_code == 422 and 'class="field-error"' in refused.get_data(as_text=True)
    with app.app_context(), db.session_scope(write=False):
        assert accounts.find_resident_address(shop["user_id"]).segment == "mass"
    done = client.post(action, data={"csrf_token": token, "segment": "care", "reason": "行动不便"})
    assert done.status_code == 303
    page = client.get("/households").get_data(as_text=True)
    section = page[page.index(f'id="household-{shop["user_id"]}"') :]
    assert re.search(r'<span class="badge">关怀</span>', section)
    assert "0 户" in client.get("/households?q=没有这个人").get_data(as_text=True)

    web_login(client, _email(app, crew.other_grid_butler))
    assert f'id="household-{shop["user_id"]}"' not in client.get("/households").get_data(
        as_text=True
    )
    token = csrf_token(client, "/households")
    stranger = client.post(action, data={"csrf_token": token, "segment": "mass", "reason": "试试"})
    assert stranger.status_code == 404
    web_login(client, _email(app, crew.cleaner))
    assert "0 户" in client.get("/households").get_data(as_text=True)
    with app.app_context(), db.session_scope(write=False):
        assert accounts.find_resident_address(shop["user_id"]).segment == "care"


def test_create_operator_makes_the_first_login_of_an_empty_installation(app):
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["users", "create-operator", "first@ops.test", "--password", "first-pass-1"]
    )
    assert made.exit_code == 0, made.output
    assert "first@ops.test" in made.output
    taken = runner.invoke(
        args=["users", "create-operator", "first@ops.test", "--password", "first-pass-1"]
    )
    assert taken.exit_code != 0 and "已注册" in taken.output
    short = runner.invoke(args=["users", "create-operator", "b@ops.test", "--password", "x"])
    assert short.exit_code != 0 and "password" in short.output
    with app.app_context(), db.session_scope(write=False):
        user = accounts.find_user_by_email("first@ops.test")
        assert user.has_role("operator") and accounts.find_user_by_email("b@ops.test") is None
