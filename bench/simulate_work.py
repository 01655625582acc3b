"""The simulator's second half: what happens after payment, and the custom batches.

Staff accept, deliver (with the resident's code) or fail their tasks, or claim an open one;
the manager reassigns; promises run late as the clock moves on; residents confirm, complain
and the operator answers; staff withdraw what they earned, the operator decides and pays the
payroll; a producer's batch opens, residents pledge, the deadline passes and each pledge is
captured or released. Its invariants: every verified delivery credited exactly once and no
other task credited, every fully refunded order's credits reversed, no staff balance below
zero, each pledge's card captured or released at most once and as its fate says, and no
batch left open past its deadline once swept.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

PASSWORD = "demo1234"  # noqa: S105 - the demo's published password
RESIDENTS = [f"resident{n}@demo.local" for n in range(1, 6)]  # resident6: the care segment
STAFF = ["staff1@demo.local", "staff4@demo.local", "butler5@sim.local"]
PRODUCER = "producer@sim.local"


class CountingGateway:
    """The fake Stripe of the tests, counting each hold's capture and release."""

    def __init__(self) -> None:
        from tests.fixtures_orders import FakeGateway

        self.inner = FakeGateway()
        self.captured: Counter[str] = Counter()
        self.released: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def capture(self, intent_id: str) -> Any:
        self.captured[intent_id] += 1
        return self.inner.capture(intent_id)

    def cancel(self, intent_id: str) -> Any:
        self.released[intent_id] += 1
        return self.inner.cancel(intent_id)


def _items(answer: Any) -> list[dict[str, Any]]:
    body = answer.get_json()
    return body["items"] if isinstance(body, dict) else body


class WorkOps:
    """Operations and invariants of fulfilment, the wallet and batches (mixed into Simulator)."""

    app: Any
    rng: Any
    clock: Any
    client: Any
    tokens: dict[str, dict[str, str]]
    gateway: CountingGateway
    swept_at: Any = None

    def prepare_work(self) -> None:
        """Grid B's butler on duty, a second butler in grid A, phase 3 and a producer's bundle.

        The least withdrawal is ¥1 here (¥10 by default), so short walks reach the payroll.
        """
        self.app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"] = 100
        from sqlmodel import select

        import fulfilment.api
        from fulfilment.models import Grid, StaffMember
        from shop.core import accounts, db
        from suppliers.catalogue import api as catalogue
        from suppliers.catalogue.models import Bundle
        from suppliers.models import PhaseChange
        from tests.fixtures_orders import producer_with_tofu

        with self.app.app_context(), db.unit_of_work() as s:
            operator = accounts.find_user_by_email("operator@demo.local").id
            s.get(StaffMember, accounts.find_user_by_email(STAFF[1]).id).is_on_duty = True
            grid_a = next(g for g in s.exec(select(Grid)) if g.name == "网格A")
            butler = accounts.create_user(
                email=STAFF[2], password=PASSWORD, display_name="赵管家", roles=["staff"]
            )
            fulfilment.api.add_staff_member(
                user_id=butler.id,
                employee_no="E1005",
                staff_role="butler",
                grid_ids=[grid_a.id],
                is_on_duty=True,
            )
            s.add(PhaseChange(phase=3, actor_id=operator, override_reason="simulator"))
            member = accounts.create_user(
                email=PRODUCER, password=PASSWORD, display_name="豆腐坊", roles=["supplier_member"]
            )
            producer, tofu = producer_with_tofu(
                s, name="模拟豆腐坊", licence_no="91310000SIM00001", member_id=member.id
            )
            model = s.exec(select(Bundle).where(Bundle.status == "published")).first()
            bundle = catalogue.create_bundle(
                actor_id=operator,
                data={
                    "title": "卤水豆腐 定制装",
                    "description": "按需定制",
                    "category_id": model.category_id,
                    "price_minor": 500,
                    "care_price_minor": 500,
                    "reference_price_minor": 600,
                    "segments": ["mass", "premium", "care"],
                    "policy_id": model.policy_id,
                    "value_adds": [],
                    "tags": ["豆腐"],
                    "components": [
                        {
                            "item_id": tofu.id,
                            "quantity": 1,
                            "settlement_price_minor": 350,
                            "list_price_minor": 600,
                        }
                    ],
                },
            )
            catalogue.publish_bundle(bundle_id=bundle, actor_id=operator)
            self.producer, self.producer_bundle = producer.id, bundle
            self.community = accounts.list_communities()[0].id
        for email in [*STAFF, "manager@demo.local"]:
            self.tokens[email] = self._token(email)  # type: ignore[attr-defined]

    # -- operations ---------------------------------------------------------------------

    def _step(self) -> None:
        """A staff member takes the next step of a task, or claims one left open."""
        task = self._a_task(("open", "assigned", "accepted", "picked_up", "arrived"))
        if task is None:
            return
        task_id, status, who, code, grid_staff = task
        if status == "open":
            who = self.rng.choice(grid_staff) if grid_staff else None
            if who is None:
                return
            answer = self._post(who, f"/api/v1/tasks/{task_id}/claim", {})  # type: ignore[attr-defined]
        elif status == "assigned":
            answer = self._post(who, f"/api/v1/tasks/{task_id}/events", {"event": "accepted"})  # type: ignore[attr-defined]
        elif self.rng.random() < 0.1:
            cause = self.rng.choice(["resident_absent", "access_denied", "other"])
            body = {"event": "failed", "reason": "联系不上业主", "cause": cause}
            answer = self._post(who, f"/api/v1/tasks/{task_id}/events", body)  # type: ignore[attr-defined]
        else:
            body = {"event": "delivered", "confirmation_code": code, "early_agreed": True}
            answer = self._post(who, f"/api/v1/tasks/{task_id}/events", body)  # type: ignore[attr-defined]
        assert answer.status_code in (200, 409), (answer.status_code, answer.get_json())

    def _reassign(self) -> None:
        """The manager gives an assigned or accepted task of grid A to its other butler."""
        task = self._a_task(("assigned", "accepted"))
        if task is None:
            return
        task_id, _status, who, _code, grid_staff = task
        others = [s for s in grid_staff if s != who and s in STAFF]
        if not others:
            return
        body = {"staff_id": self._user_id(self.rng.choice(others))}
        answer = self._post("manager@demo.local", f"/api/v1/tasks/{task_id}/reassign", body)  # type: ignore[attr-defined]
        assert answer.status_code in (200, 409), answer.get_json()

    def _complete(self) -> None:
        order = self._an_order(("delivered",))  # type: ignore[attr-defined]
        if order is not None:
            answer = self._post(order[0], f"/api/v1/orders/{order[1]}/complete", {})  # type: ignore[attr-defined]
            assert answer.status_code in (200, 409), answer.get_json()

    def _complain(self) -> None:
        """A resident complains about a delivered order; sometimes the operator answers one."""
        order = self._an_order(("delivered",))  # type: ignore[attr-defined]
        if order is not None:
            body = {"text": "送来的时候包装破了"}
            answer = self._post(order[0], f"/api/v1/orders/{order[1]}/complaints", body)  # type: ignore[attr-defined]
            assert answer.status_code in (201, 409), answer.get_json()
        waiting = _items(
            self.client.get("/api/v1/complaints", headers=self.tokens["operator@demo.local"])
        )
        open_ones = [c for c in waiting if c.get("status") == "open"]
        if open_ones and self.rng.random() < 0.5:
            complaint = self.rng.choice(open_ones)
            answer = self._post(  # type: ignore[attr-defined]
                "operator@demo.local",
                f"/api/v1/complaints/{complaint['id']}/resolve",
                {"resolution": "已补发并致歉"},
            )
            assert answer.status_code in (200, 409), answer.get_json()

    def _withdraw(self) -> None:
        """A staff member asks for what is available (sometimes twice with the same key)."""
        who = self.rng.choice(STAFF)
        wallet = self.client.get("/api/v1/staff/me/wallet", headers=self.tokens[who]).get_json()
        available = wallet["balances"]["available"]
        if available < int(self.app.config["FULFILMENT_MIN_WITHDRAWAL_MINOR"]):
            return
        key = uuid.uuid4().hex
        for _ in range(self.rng.choice([1, 1, 2])):
            body = {"amount_minor": available}
            answer = self._post(who, "/api/v1/staff/me/withdrawals", body, key)  # type: ignore[attr-defined]
            assert answer.status_code in (201, 409), answer.get_json()

    def _decide(self) -> None:
        items = _items(
            self.client.get("/api/v1/withdrawals", headers=self.tokens["operator@demo.local"])
        )
        if items:
            row = self.rng.choice(items)
            decision = self.rng.choice(["approve", "approve", "reject"])
            answer = self._post(  # type: ignore[attr-defined]
                "operator@demo.local",
                f"/api/v1/withdrawals/{row['id']}/decision",
                {"decision": decision, "reason": "模拟审核"},
            )
            assert answer.status_code in (200, 409), answer.get_json()

    def _payout(self) -> None:
        """The operator makes the payroll batch and, the bank having paid, marks it paid."""
        import fulfilment.api
        from shop.core import accounts, db

        with self.app.app_context(), db.unit_of_work():
            operator = accounts.find_user_by_email("operator@demo.local").id
            batch = fulfilment.api.export_payroll(actor_id=operator)
        if batch is not None:
            with self.app.app_context(), db.unit_of_work():
                fulfilment.api.mark_batch_paid(batch_id=batch, actor_id=operator)

    def _late(self) -> None:
        """Hours pass: promises fall due and are judged, after-sale windows close."""
        from orders import jobs as order_jobs

        self.clock.advance(self.rng.randint(1, 8) * 3600)
        with self.app.app_context():
            order_jobs.watch_commitments()
            order_jobs.sweep_after_sale()

    def _open_batch(self) -> None:
        deadline = self.clock.now + timedelta(hours=self.rng.randint(2, 30))
        body = {
            "supplier_id": self.producer,
            "bundle_id": self.producer_bundle,
            "price_minor": 450,
            "min_quantity": self.rng.randint(2, 6),
            "deadline": deadline.isoformat(),
            "delivery_date": (deadline + timedelta(days=2)).date().isoformat(),
            "compounds": [{"community_id": self.community}],
        }
        answer = self._post("operator@demo.local", "/api/v1/custom-batches", body)  # type: ignore[attr-defined]
        assert answer.status_code == 201, answer.get_json()

    def _pledge(self) -> None:
        from sqlmodel import select

        from orders.models import CustomBatch
        from shop.core import db

        with self.app.app_context(), db.session_scope(write=False) as s:
            open_ids = list(s.exec(select(CustomBatch.id).where(CustomBatch.status == "open")))
        if not open_ids:
            return
        batch = self.rng.choice(sorted(open_ids))
        who = self.rng.choice(RESIDENTS)
        body = {"quantity": self.rng.randint(1, 2), "payment_method": "pm_card_visa"}
        key = uuid.uuid4().hex
        for _ in range(self.rng.choice([1, 1, 2])):  # a retry with the same key
            answer = self._post(who, f"/api/v1/custom-batches/{batch}/pledges", body, key)  # type: ignore[attr-defined]
            assert answer.status_code in (201, 409), answer.get_json()

    def _deadline(self) -> None:
        """The clock passes the next batch's deadline; the sweep decides and settles it."""
        from sqlmodel import func, select

        from orders import jobs as order_jobs
        from orders.models import CustomBatch
        from shop.core import db

        with self.app.app_context(), db.session_scope(write=False) as s:
            due = s.exec(
                select(func.min(CustomBatch.deadline)).where(CustomBatch.status == "open")
            ).one()
        if due is None:
            return
        self.clock.now = max(self.clock.now, db.aware(due) + timedelta(minutes=1))
        with self.app.app_context():
            order_jobs.sweep_batches()
            order_jobs.sweep_batches()  # twice: a second sweep finds nothing more to do
        self.swept_at = self.clock.now

    # -- helpers ------------------------------------------------------------------------

    def _user_id(self, email: str) -> int:
        from shop.core import accounts

        with self.app.app_context():
            return accounts.find_user_by_email(email).id

    def _a_task(self, statuses: tuple[str, ...]) -> tuple[int, str, str, str, list[str]] | None:
        """A random task in one of `statuses`: id, status, assignee, code, its grid's staff."""
        from sqlmodel import select

        from fulfilment.models import GridStaff, Task
        from orders.models import Order
        from shop.core import db
        from shop.core.models import User

        with self.app.app_context(), db.session_scope(write=False) as s:
            rows = list(s.exec(select(Task).where(Task.status.in_(statuses)).order_by(Task.id)))
            if not rows:
                return None
            task = self.rng.choice(rows)
            who = s.get(User, task.assignee_id).email if task.assignee_id else ""
            staff = s.exec(select(GridStaff.user_id).where(GridStaff.grid_id == task.grid_id))
            grid_staff = sorted(e for e in (s.get(User, u).email for u in staff) if e in STAFF)
            code = s.get(Order, task.order_id).confirmation_code
            return task.id, task.status, who, code, grid_staff

    def outcomes(self) -> dict[str, dict[str, int]]:
        """What the walk brought about: rows of each kind by status."""
        from sqlmodel import func, select

        from fulfilment.models import Credit, Task, Withdrawal
        from orders.models import Compensation, Complaint, CustomBatch, Order, Pledge
        from shop.core import db

        kinds = {
            "orders": Order,
            "tasks": Task,
            "credits": Credit,
            "withdrawals": Withdrawal,
            "complaints": Complaint,
            "batches": CustomBatch,
            "pledges": Pledge,
        }
        with self.app.app_context(), db.session_scope(write=False) as s:
            out = {
                name: dict(s.exec(select(m.status, func.count()).group_by(m.status)).all())
                for name, m in kinds.items()
            }
            out["compensations"] = {
                "paid": s.exec(select(func.count()).select_from(Compensation)).one()
            }
        return out

    # -- invariants ---------------------------------------------------------------------

    def check_work(self, s: Any) -> None:
        """The invariants of credits, refunds, balances, pledges and batches."""
        from sqlmodel import select

        from fulfilment.models import Credit, LedgerEntry, Posting, StaffMember, Task
        from fulfilment.services.statements import balances
        from orders.models import CustomBatch, Order, Pledge
        from shop.core import db

        credits: dict[int, list[Credit]] = {}
        for c in s.exec(select(Credit)):
            credits.setdefault(c.task_id, []).append(c)
        for task in s.exec(select(Task)):
            mine = credits.get(task.id, [])
            order = s.get(Order, task.order_id)
            if task.status != "done":
                assert not mine, f"task {task.id} ({task.status}) credited"
                continue
            assert task.credited_at is not None, f"done task {task.id} never credited"
            roles = Counter(c.role for c in mine)
            assert all(n == 1 for n in roles.values()), f"task {task.id} credited twice"
            if order.status != "refunded":
                assert roles["deliverer"] == 1, f"task {task.id}: no deliverer credit"
        for order in s.exec(select(Order).where(Order.status == "refunded")):
            kept = [c.id for c in s.exec(select(Credit).where(Credit.order_id == order.id))]
            kept = [i for i in kept if s.get(Credit, i).status != "reversed"]
            assert not kept, f"refunded order {order.id} keeps credits {kept}"
        # A refund after the money was withdrawn leaves the available balance owing (the next
        # credits repay it): below zero by what was clawed back from it, never by more.
        clawed: Counter[int] = Counter()
        for staff_id, amount in s.exec(
            select(LedgerEntry.staff_id, LedgerEntry.amount_minor)
            .join(Posting, Posting.id == LedgerEntry.posting_id)
            .where(Posting.kind == "reverse", LedgerEntry.account == "staff_available")
        ):
            clawed[staff_id] += amount
        for member in s.exec(select(StaffMember)):
            b = balances(member.user_id)
            assert min(b.pending, b.in_transit) >= 0, f"staff {member.user_id}: {b}"
            owed = b.available + clawed[member.user_id]
            assert owed >= 0, f"staff {member.user_id} paid beyond their credits: {b}"
        for pledge in s.exec(select(Pledge).where(Pledge.intent_id != "")):
            taken = self.gateway.captured[pledge.intent_id]
            let_go = self.gateway.released[pledge.intent_id]
            assert taken <= 1 and let_go <= 1, f"pledge {pledge.id}: {taken} captures"
            assert not (taken and let_go), f"pledge {pledge.id} captured and released"
            if pledge.fate == "release" and pledge.status == "released":
                assert not taken, f"pledge {pledge.id} released but captured"
            if pledge.fate == "capture" and pledge.status in ("captured", "ordered"):
                assert taken == 1 and not let_go, f"pledge {pledge.id} not captured once"
        for batch in s.exec(select(CustomBatch).where(CustomBatch.status == "open")):
            due = db.aware(batch.deadline)
            assert self.swept_at is None or due > self.swept_at, f"batch {batch.id} left open"
