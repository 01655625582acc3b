"""The unit of work: one commit per successful request or job, nothing kept from a refusal
unless it says it keeps its record, and no commit decided anywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from shop.core import audit, db
from shop.core.errors import DomainError, Invalid
from shop.core.models import AuditEntry
from shop.core.web import csrf

ROOT = Path(__file__).resolve().parents[2]


def _written(app, label: str) -> int:
    with app.app_context(), db.session_scope(write=False) as s:
        return len(s.exec(select(AuditEntry).where(AuditEntry.subject_id == label)).all())


@pytest.fixture
def uow_app(app_factory):
    """An app of its own with routes that write an audit entry and then end in each way."""
    app = app_factory()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def write(label: str) -> None:
        audit.record(actor_id=None, action="test.uow", subject_type="test", subject_id=label)

    @app.post("/api/v1/test-uow/<how>")
    @csrf.exempt
    def ends(how: str):
        write(how)
        if how == "refused":
            raise DomainError("no", code="refused")
        if how == "kept":
            raise DomainError("wrong code", code="wrong_code", keep=True)
        if how == "invalid-page":
            return "shown again", 422
        if how == "crash":
            raise RuntimeError("boom")
        if how == "page-refusal":  # a page shows the refusal and goes on (303)
            db.refused(Invalid("bad"))
            return "", 303
        return {"ok": True}

    return app


def test_a_request_commits_once_after_a_successful_handler(uow_app):
    commits = []

    def count(session):
        if not session.in_nested_transaction():
            commits.append(session)

    event.listen(Session, "after_commit", count)
    try:
        assert uow_app.test_client().post("/api/v1/test-uow/ok").status_code == 200
    finally:
        event.remove(Session, "after_commit", count)
    assert _written(uow_app, "ok") == 1
    assert len(commits) == 1


@pytest.mark.parametrize(
    ("how", "status"),
    [("refused", 409), ("invalid-page", 422), ("crash", 500), ("page-refusal", 303)],
)
def test_a_refusal_or_an_error_keeps_nothing(uow_app, how, status):
    assert uow_app.test_client().post(f"/api/v1/test-uow/{how}").status_code == status
    assert _written(uow_app, how) == 0


def test_a_refusal_that_keeps_its_record_is_committed(uow_app):
    response = uow_app.test_client().post("/api/v1/test-uow/kept")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "wrong_code"
    assert _written(uow_app, "kept") == 1


def test_a_commands_unit_of_work_commits_at_the_end_or_not_at_all(app):
    with app.app_context():
        with db.unit_of_work():
            audit.record(actor_id=None, action="t", subject_type="test", subject_id="cli-ok")
        with pytest.raises(RuntimeError), db.unit_of_work():
            audit.record(actor_id=None, action="t", subject_type="test", subject_id="cli-bad")
            raise RuntimeError("stop")
    assert _written(app, "cli-ok") == 1 and _written(app, "cli-bad") == 0


def test_no_view_service_job_or_command_commits_or_rolls_back_itself():
    """Only the kernel's unit of work (shop/core/db.py) decides."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in ("shop", "suppliers", "orders", "fulfilment")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "shop" / "core" / "db.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.(commit|rollback)\(\)", line)
    ]
    assert offenders == []


def test_insert_row_writes_at_once_and_keeps_the_row_in_the_session_as_loaded(app):
    from shop.core.models import Community

    with app.app_context():
        with db.unit_of_work() as s:
            row = db.insert_row(Community(code="hot-1", name="热路径小区"))
            assert row.id is not None
            assert s.get(Community, row.id) is row  # the session's row, not a second copy
            assert row not in s.new and row not in s.dirty
            written = s.exec(select(Community.name).where(Community.id == row.id)).one()
            assert written == "热路径小区"  # in the database already, no flush needed
            row.name = "改过的名字"  # a later change is flushed as usual
        with db.session_scope(write=False) as s:
            assert s.get(Community, row.id).name == "改过的名字"

        with pytest.raises(RuntimeError), db.unit_of_work():
            gone = db.insert_row(Community(code="hot-2", name="回滚"))
            raise RuntimeError("the job failed")
        with db.session_scope(write=False) as s:
            assert s.get(Community, gone.id) is None  # the unit of work's rollback takes it back
