"""The staff's measures on a hand-built month: pieces, earnings, earnings per hour, fair
promises (a miss outside their control left out), withdrawals paid on time; a newcomer's
figures shown apart from the platform's mean."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from fulfilment.models import Credit, PayoutBatch, StaffMember, Task, TaskEvent, Withdrawal
from shop.core import accounts, db, measures
from shop.core.models import MeasureFigure, User
from tests.fixtures_orders import IN_NOVEMBER, NOVEMBER, month_node, month_order


def _staff(s, email, *, joined):
    user = accounts.create_user(
        email=email, password="correct horse 42", display_name=email[:3], roles=["staff"]
    )
    s.get(User, user.id).created_at = joined
    s.add(StaffMember(user_id=user.id, employee_no=email[:6], staff_role="butler"))
    s.flush()
    return user.id


def _task(s, order, staff_id, *, status="done", minutes=60, cause="", grid_id=None):
    task = Task(
        grid_id=grid_id,
        order_id=order.id,
        building_id=order.building_id,
        kind="deliver",
        staff_role="butler",
        status=status,
        assignee_id=staff_id,
        created_at=IN_NOVEMBER,
        done_at=IN_NOVEMBER + timedelta(minutes=minutes) if status == "done" else None,
        fail_cause=cause,
    )
    s.add(task)
    s.flush()
    s.add(
        TaskEvent(
            task_id=task.id,
            actor_id=staff_id,
            actor_role="staff",
            action="accept",
            from_status="assigned",
            to_status="accepted",
            at=IN_NOVEMBER,
        )
    )
    return task


def test_a_known_month_of_staff_work_counted_fairly(app, publish, catalogue):
    bundle_id = publish()
    with app.app_context(), db.session_scope() as s:
        home = accounts.create_community(code="st", name="阳光花园")
        building = accounts.add_building(community_id=home.id, name="1栋").id
        resident = accounts.create_user(
            email="r@st.test", password="correct horse 42", display_name="r", roles=["resident"]
        ).id
        old = _staff(s, "old@st.test", joined=IN_NOVEMBER - timedelta(days=400))
        new = _staff(s, "new@st.test", joined=IN_NOVEMBER)  # in the first 30 days
        from fulfilment.models import Grid, GridStaff

        team = Grid(community_id=home.id, name="一网格")
        s.add(team)
        s.flush()
        s.add_all(
            [GridStaff(grid_id=team.id, user_id=old), GridStaff(grid_id=team.id, user_id=new)]
        )
        made = [
            month_order(s, resident, building, home.id, IN_NOVEMBER, bundle_id) for _ in range(4)
        ]
        (o1, l1), (o2, l2), (o3, l3), (o4, l4) = made
        month_node(s, o1, l1, "met")
        month_node(s, o2, l2, "missed")  # the resident was not at home: not held against them
        month_node(s, o3, l3, "missed")  # late: counts
        month_node(s, o3, l3, "met")
        month_node(s, o4, l4, "met")
        t1 = _task(s, o1, old, minutes=30)
        _task(s, o2, old, status="failed", cause="resident_absent")
        t3 = _task(s, o3, old, minutes=90)
        t4 = _task(s, o4, new, minutes=60)
        for task, staff_id, amount in ((t1, old, 200), (t3, old, 400), (t4, new, 300)):
            s.add(
                Credit(
                    task_id=task.id,
                    order_id=task.order_id,
                    staff_id=staff_id,
                    role="deliverer",
                    amount_minor=amount,
                    status="available",
                    created_at=IN_NOVEMBER,
                )
            )
        batch = PayoutBatch(created_at=IN_NOVEMBER, paid_at=IN_NOVEMBER + timedelta(days=2))
        s.add(batch)
        s.flush()
        s.add(
            Withdrawal(
                staff_id=old,
                amount_minor=500,
                status="paid",
                idempotency_key="w1",
                created_at=IN_NOVEMBER,
                batch_id=batch.id,
            )
        )
        s.add(
            Withdrawal(
                staff_id=old,
                amount_minor=100,
                status="requested",
                idempotency_key="w2",
                created_at=IN_NOVEMBER,
            )
        )
        s.add(
            Withdrawal(
                staff_id=old,
                amount_minor=100,
                status="rejected",
                idempotency_key="w3",
                created_at=IN_NOVEMBER,
            )
        )
        s.commit()
    with app.app_context(), db.session_scope() as s:
        measures.snapshot(NOVEMBER)
        s.commit()
    with app.app_context(), db.session_scope(write=False) as s:
        rows = {
            (r.measure.removeprefix("staff."), r.scope_id if r.scope == "staff" else "all"): (
                r.value,
                r.n,
            )
            for r in s.exec(
                select(MeasureFigure).where(
                    MeasureFigure.month == NOVEMBER, MeasureFigure.measure.like("staff.%")
                )
            )
        }
    assert rows[("pieces", old)] == (2, 2) and rows[("pieces", new)] == (1, 1)
    assert rows[("earnings_minor", old)][0] == 600
    # ¥6 over 2 hours of recorded work (30 + 90 minutes) = ¥3 an hour
    assert rows[("earnings_per_hour_minor", old)][0] == 300
    # o1 met, o3 one of two: 2 of 3 judged; o2's miss (resident not at home) left out
    assert rows[("promises_kept", old)] == (6666, 3)
    # one paid within 3 days, one still waiting; the refused one is not counted
    assert rows[("withdrawals_on_time", old)] == (5000, 2)
    # the newcomer's figures are shown but left out of the platform's mean
    assert rows[("pieces", "all")] == (2, 1)
    assert rows[("promises_kept", "all")] == (6666, 1)
    from tests.conftest import web_login

    client = app.test_client()
    web_login(client, "ops@catalogue.test")
    page = client.get("/console/measures?party=staff&month=2026-11").get_data(as_text=True)
    assert "守约（公平口径）" in page and "66.7%" in page and "new · 新人" in page


def test_a_known_month_of_a_grid(app, publish):
    import fulfilment.api
    from orders.models import Complaint

    bundle_id = publish()
    with app.app_context(), db.session_scope() as s:
        home = accounts.create_community(code="gr", name="阳光花园")
        b1 = accounts.add_building(community_id=home.id, name="1栋").id
        b2 = accounts.add_building(community_id=home.id, name="2栋").id
        resident = accounts.create_user(
            email="r@gr.test", password="correct horse 42", display_name="r", roles=["resident"]
        ).id
        one = _staff(s, "one@gr.test", joined=IN_NOVEMBER - timedelta(days=400))
        two = _staff(s, "two@gr.test", joined=IN_NOVEMBER - timedelta(days=400))
        grid = fulfilment.api.create_grid(
            community_id=home.id, name="一网格", building_ids=[b1, b2]
        )
        (o1, l1), (o2, l2) = (
            month_order(s, resident, b1, home.id, IN_NOVEMBER, bundle_id) for _ in range(2)
        )
        month_node(s, o1, l1, "met")
        month_node(s, o2, l2, "missed")
        t1 = _task(s, o1, one, grid_id=grid.id)
        t2 = _task(s, o2, two, grid_id=grid.id)
        for task, staff_id, amount in ((t1, one, 200), (t2, two, 600)):
            s.add(
                Credit(
                    task_id=task.id,
                    order_id=task.order_id,
                    staff_id=staff_id,
                    role="deliverer",
                    amount_minor=amount,
                    status="available",
                    created_at=IN_NOVEMBER,
                )
            )
        from fulfilment.models import GridStaff

        s.add_all(
            [GridStaff(grid_id=grid.id, user_id=one), GridStaff(grid_id=grid.id, user_id=two)]
        )
        for order, hours in ((o1, 2), (o2, 30)):
            s.add(
                Complaint(
                    order_id=order.id,
                    resident_id=resident,
                    text="x",
                    status="resolved",
                    created_at=IN_NOVEMBER,
                    resolved_at=IN_NOVEMBER + timedelta(hours=hours),
                )
            )
        s.commit()
        grid_id = grid.id
    with app.app_context(), db.session_scope() as s:
        measures.snapshot(NOVEMBER)
        s.commit()
    with app.app_context(), db.session_scope(write=False) as s:
        rows = {
            r.measure.removeprefix("managers."): (r.value, r.n)
            for r in s.exec(
                select(MeasureFigure).where(
                    MeasureFigure.scope == "grid", MeasureFigure.scope_id == grid_id
                )
            )
        }
    assert rows["promises_kept"] == (5000, 2)
    assert rows["earnings_spread"] == (5000, 2)  # 200 and 600: sd 200 over a mean of 400
    assert rows["complaints_on_time"] == (5000, 2)  # one answered in 2 hours, one in 30
    assert rows["coverage"] == (5000, 2)  # a butler finished a task in 1栋, none in 2栋


def test_the_leaderboard_counts_promises_as_fairly_as_the_measure(app, publish):
    """A miss on a task failed while the resident was out is not held against the butler on the
    grid's board; a miss on one failed for another cause is, though it made no piece."""
    from fulfilment import queries
    from fulfilment.models import Grid, GridStaff

    bundle_id = publish()
    with app.app_context(), db.session_scope() as s:
        home = accounts.create_community(code="lb", name="翠湖苑")
        building = accounts.add_building(community_id=home.id, name="2栋").id
        resident = accounts.create_user(
            email="r@lb.test", password="correct horse 42", display_name="r", roles=["resident"]
        ).id
        butler = _staff(s, "but@lb.test", joined=IN_NOVEMBER - timedelta(days=400))
        team = Grid(community_id=home.id, name="二网格")
        s.add(team)
        s.flush()
        s.add(GridStaff(grid_id=team.id, user_id=butler))
        made = [
            month_order(s, resident, building, home.id, IN_NOVEMBER, bundle_id) for _ in range(3)
        ]
        for (order, line), status, cause, node in zip(
            made,
            ("done", "failed", "failed"),
            ("", "resident_absent", "access_denied"),
            ("met", "missed", "missed"),
            strict=True,
        ):
            month_node(s, order, line, node)
            _task(s, order, butler, status=status, cause=cause, grid_id=team.id)
        s.commit()
        [row] = queries.leaderboard(team.id, NOVEMBER)
    assert (row.pieces, row.promises_met, row.promises_judged) == (1, 1, 2)
