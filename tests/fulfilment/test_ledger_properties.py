"""Random sequences of paid orders, deliveries (promises missed), refunds, after-sale window
expiries, withdrawals and payouts; after every step the ledger's invariants hold."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from fulfilment.models import Credit, LedgerEntry, Posting, StaffMember
from fulfilment.services import ledger, payouts, statements
from orders import jobs as order_jobs
from orders.models import DeliveryWindow, Order
from shop.core import db
from shop.core.errors import DomainError
from suppliers.models import Item
from tests.fixtures_fulfilment import pay_another, task_of
from tests.fixtures_orders import FakeGateway, run

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("order")),
        st.tuples(st.just("order")),  # twice: most sequences need orders to mean anything
        st.tuples(st.just("complete"), st.integers(0, 5)),
        st.tuples(st.just("refund"), st.integers(0, 5)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("withdraw"), st.sampled_from([0, 1]), st.integers(1, 500)),
        st.tuples(st.just("decide"), st.booleans()),
        st.tuples(st.just("payout")),
    ),
    min_size=1,
    max_size=10,
)


def check_invariants(app, staff_ids):
    with app.app_context(), db.session_scope(write=False) as s:
        unbalanced = s.exec(
            select(LedgerEntry.posting_id)
            .group_by(LedgerEntry.posting_id)
            .having(func.sum(LedgerEntry.amount_minor) != 0)
        ).all()
        assert unbalanced == []
        _accounts, total = ledger.trial_balance()
        assert total == 0
        for staff_id in staff_ids:
            owed = statements.balances(staff_id).owed
            lines = statements.wallet_lines(staff_id, limit=10_000)
            assert sum(x.amount_minor for x in lines) == owed
            latest = s.exec(
                select(func.max(LedgerEntry.created_at)).where(LedgerEntry.staff_id == staff_id)
            ).one()
            if latest is not None:  # the statement of the newest month closes at what is owed
                local = db.aware(latest).astimezone(ZoneInfo(app.config["TIMEZONE"]))
                month = local.date().replace(day=1)
                assert statements.statement(staff_id, month).closing_minor == owed
        credits = s.exec(select(Credit)).all()
        assert len({(c.task_id, c.role) for c in credits}) == len(credits)
        credit_postings = s.exec(
            select(func.count()).select_from(Posting).where(Posting.kind == "credit")
        ).one()
        assert credit_postings == len(credits)
        refunded = s.exec(select(Order.id).where(Order.status == "refunded")).all()
        for credit in credits:
            if credit.order_id in refunded:
                assert credit.status == "reversed"
                key = f"reverse:{credit.id}"
                assert s.exec(select(Posting.id).where(Posting.idempotency_key == key)).first()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
@example(
    steps=[
        ("order",),
        ("complete", 0),
        ("withdraw", 0, 300),
        ("refund", 0),
        ("order",),
        ("expire",),
        ("decide", True),
        ("payout",),
        ("withdraw", 1, 100),
    ]
)
def test_the_ledger_stays_true_whatever_happens(
    app, client, shop, crew, rule, clock, headers, steps
):
    app.extensions.setdefault(
        "orders.services.gateway", FakeGateway()
    )  # one per app: unique refund ids
    app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"] = 1
    with app.app_context(), db.session_scope() as s:
        s.get(Item, shop["item_id"]).stock = 1_000_000
        for window in s.exec(select(DeliveryWindow)):
            window.capacity = 1_000_000
        s.commit()
    butlers = [crew.busy_butler, crew.free_butler]
    placed: list[int] = []
    for step in steps:
        kind = step[0]
        if kind == "order":
            order_id = pay_another(app, client, shop)
            placed.append(order_id)
            task = task_of(app, order_id)
            with app.app_context(), db.session_scope(write=False) as s:
                code = s.get(Order, order_id).confirmation_code
                employee = s.get(StaffMember, task.assignee_id).employee_no
            who = {"E000": "busy@staff.test", "E001": "free@staff.test"}[employee]
            h = headers(who)
            for event, extra in (("accepted", {}), ("delivered", {"confirmation_code": code})):
                client.post(
                    f"/api/v1/tasks/{task.id}/events", headers=h, json={"event": event, **extra}
                )
        elif kind == "complete" and placed:
            order_id = placed[step[1] % len(placed)]
            client.post(f"/api/v1/orders/{order_id}/complete", headers=shop["headers"])
        elif kind == "refund" and placed:
            order_id = placed[step[1] % len(placed)]
            client.post(
                f"/api/v1/orders/{order_id}/refunds",
                headers=headers("ops@catalogue.test"),
                json={"reason": "随机退款"},
            )
        elif kind == "expire":
            back = clock.now
            clock.set(back + timedelta(days=8))
            run(app, order_jobs.sweep_after_sale)
            clock.set(back)
        elif kind == "withdraw":
            with app.app_context(), db.session_scope() as s:
                try:
                    payouts.request_withdrawal(
                        staff_id=butlers[step[1]],
                        amount_minor=step[2],
                        idempotency_key=uuid.uuid4().hex,
                    )
                    s.commit()
                except DomainError:
                    s.rollback()
        elif kind == "decide":
            with app.app_context(), db.session_scope() as s:
                waiting = payouts.list_withdrawals(status="requested")
                if waiting:
                    payouts.decide_withdrawal(
                        withdrawal_id=waiting[0].id, actor_id=None, approve=step[1], reason="随机"
                    )
                    s.commit()
        elif kind == "payout":
            with app.app_context(), db.session_scope() as s:
                payouts.export_payouts(actor_id=None)
                s.commit()
        check_invariants(app, butlers)
