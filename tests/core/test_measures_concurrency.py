"""Two snapshots of one month at once (a nightly job in two processes) both succeed, one after
the other, and leave one set of figures. Before `db.serialize` the second one's insert hit the
first one's rows: a UniqueViolation, seen with several gunicorn workers each ticking the job."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import func, select

from shop.core import db, measures
from shop.core.models import MeasureFigure
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="concurrent writers: the PostgreSQL run")
MONTH = date(2026, 12, 1)


def test_two_snapshots_of_a_month_at_once_leave_one_set_of_figures(demo):
    app = demo
    first_flushed, release_first = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        with app.app_context(), db.unit_of_work():
            results["first"] = measures.snapshot(MONTH)
            first_flushed.set()
            release_first.wait(timeout=30)  # hold the rows uncommitted while the second starts

    def second() -> None:
        first_flushed.wait(timeout=30)
        try:
            with app.app_context(), db.unit_of_work():
                results["second"] = measures.snapshot(MONTH)
        except Exception as exc:  # the failure this test is about
            results["second"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_flushed.wait(timeout=30)
    threading.Event().wait(0.5)  # the second is now waiting on the first
    release_first.set()
    for t in threads:
        t.join(timeout=60)
    assert isinstance(results["second"], int), results["second"]
    assert results["first"] == results["second"] > 0
    with app.app_context(), db.session_scope(write=False) as s:
        count = s.exec(select(func.count()).where(MeasureFigure.month == MONTH)).one()
    assert count == results["second"]
