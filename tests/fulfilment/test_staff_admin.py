"""Hiring, moving and letting go of staff: who may, what it changes, and the ledger stays."""

from __future__ import annotations

from sqlmodel import func, select

from fulfilment.models import LedgerEntry, Task
from shop.core import db
from shop.core.models import User
from tests.conftest import api_token

EN = {"Accept-Language": "en"}
HIRE = {
    "display_name": "新管家 李",
    "phone": "13911112222",
    "employee_no": "E2001",
    "staff_role": "butler",
    "password": "first-pass-123",
}


def test_a_manager_hires_into_their_own_grid_and_the_new_butler_logs_in(app, client, crew, headers):
    manager = {**headers("manager@staff.test"), **EN}
    made = client.post("/api/v1/staff", json={**HIRE, "grid_ids": [crew.grid_id]}, headers=manager)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["grid_ids"] == [crew.grid_id]
    token = api_token(client, "13911112222", "first-pass-123")  # logs in with the phone
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["staff"]["employee_no"] == "E2001"
    again = client.post(
        "/api/v1/staff",
        json={**HIRE, "phone": "13911113333", "grid_ids": [crew.grid_id]},
        headers=manager,
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "employee_no_taken"
    listed = client.get("/api/v1/staff", headers=manager).get_json()["items"]
    assert "E2001" in {s["employee_no"] for s in listed}


def test_a_manager_cannot_hire_or_move_staff_into_another_managers_grid(app, client, crew, headers):
    manager = {**headers("manager@staff.test"), **EN}
    with app.app_context(), db.session_scope(write=False) as s:
        from fulfilment.models import GridStaff

        theirs = s.exec(
            select(GridStaff.grid_id).where(GridStaff.user_id == crew.other_grid_butler)
        ).one()
    refused = client.post("/api/v1/staff", json={**HIRE, "grid_ids": [theirs]}, headers=manager)
    assert refused.status_code == 404
    moved = client.patch(
        f"/api/v1/staff/{crew.free_butler}", json={"grid_ids": [theirs]}, headers=manager
    )
    assert moved.status_code == 404
    resident = client.post("/api/v1/staff", json={**HIRE, "grid_ids": [theirs]}, headers=EN)
    assert resident.status_code == 401


def test_letting_a_butler_go_hands_back_their_tasks_and_keeps_their_ledger(
    app, client, crew, paid, headers
):
    manager = {**headers("manager@staff.test"), **EN}
    with app.app_context(), db.session_scope(write=False) as s:
        task = s.exec(select(Task).where(Task.order_id == paid["id"])).one()
        leaving = task.assignee_id
        entries = s.exec(select(func.count()).select_from(LedgerEntry)).one()
    no_reason = client.post(f"/api/v1/staff/{leaving}/leave", json={}, headers=manager)
    assert no_reason.status_code == 422
    gone = client.post(f"/api/v1/staff/{leaving}/leave", json={"reason": "离职"}, headers=manager)
    assert gone.status_code == 200, gone.get_json()
    assert gone.get_json()["is_active"] is False and gone.get_json()["grid_ids"] == []
    with app.app_context(), db.session_scope(write=False) as s:
        handed = s.get(Task, task.id)
        assert handed.assignee_id not in (None, leaving)  # the grid's other butler on duty
        assert s.get(User, leaving).is_active is False
        assert s.exec(select(func.count()).select_from(LedgerEntry)).one() == entries
    email = {crew.busy_butler: "busy@staff.test", crew.free_butler: "free@staff.test"}[leaving]
    refused = client.post(
        "/api/v1/auth/token", json={"login": email, "password": "correct horse 42"}
    )
    assert refused.status_code == 401
