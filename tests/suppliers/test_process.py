"""The supplier process table: every transition allowed for its actors, refused for others,
and every step the table lacks refused with 409."""

from __future__ import annotations

import pytest
from sqlmodel import select

from shop.core import db
from shop.core.errors import DomainError, Forbidden
from suppliers import process
from suppliers.models import Supplier, SupplierEvent, SupplierStatus
from suppliers.services import vetting

ACTORS = ("operator", "supplier", "system")
ACTIONS = sorted({t.action for t in process.TRANSITIONS})
CASES = [(t, actor) for t in process.TRANSITIONS for actor in ACTORS]


def _force_status(app, supplier_id: int, status: str) -> None:
    with app.app_context(), db.session_scope() as s:
        s.get(Supplier, supplier_id).status = status
        s.commit()


@pytest.mark.parametrize(
    ("step", "actor"), CASES, ids=[f"{t.source}-{t.action}-by-{a}" for t, a in CASES]
)
def test_each_transition_is_allowed_only_for_its_actors(app, make_supplier, step, actor):
    made = make_supplier()
    _force_status(app, made.id, step.source)
    with app.app_context(), db.session_scope() as s:
        supplier = s.get(Supplier, made.id)
        if actor not in step.actors:
            with pytest.raises(Forbidden):
                vetting.apply_transition(supplier, step.action, actor, None, "a reason")
            return
        event = vetting.apply_transition(supplier, step.action, actor, None, "a reason")
        s.commit()
        # With no suspension in its history, a reinstated supplier becomes active.
        expected = SupplierStatus.ACTIVE if step.target == process.PREVIOUS else step.target
        assert supplier.status == expected
        assert (event.from_status, event.to_status, event.actor_role) == (
            step.source,
            supplier.status,
            actor,
        )


MISSING = [
    (status.value, action)
    for status in SupplierStatus
    for action in ACTIONS
    if process.SUPPLIER.find(status.value, action) is None
]


@pytest.mark.parametrize(("status", "action"), MISSING)
def test_steps_missing_from_the_table_are_refused(app, make_supplier, status, action):
    made = make_supplier()
    _force_status(app, made.id, status)
    with app.app_context(), db.session_scope() as s:
        with pytest.raises(DomainError) as refused:
            vetting.apply_transition(s.get(Supplier, made.id), action, "operator", None, "r")
        assert refused.value.status == 409 and refused.value.code == "transition_not_allowed"


def test_a_decision_needs_a_reason(app, make_supplier, operator_id):
    made = make_supplier(status="active")
    with app.app_context(), db.session_scope(), pytest.raises(DomainError) as refused:
        vetting.decide(supplier_id=made.id, action="suspend", reason=" ", actor_id=operator_id)
    assert refused.value.status == 422


def test_reinstate_returns_a_supplier_to_where_it_was(app, make_supplier, operator_id):
    made = make_supplier(status="approved_probation")
    for action in ("suspend", "reinstate"):
        with app.app_context(), db.session_scope() as s:
            vetting.decide(
                supplier_id=made.id, action=action, reason="checked", actor_id=operator_id
            )
            s.commit()
    with app.app_context(), db.session_scope() as s:
        assert s.get(Supplier, made.id).status == "approved_probation"
        history = s.exec(
            select(SupplierEvent.action)
            .where(SupplierEvent.supplier_id == made.id)
            .order_by(SupplierEvent.id)
        ).all()
    assert history == ["suspend", "reinstate"]


def test_suspension_sends_the_signal_the_catalogue_listens_to(app, make_supplier, operator_id):
    from suppliers.signals import supplier_suspended

    heard = []
    made = make_supplier(status="active")
    with (
        supplier_suspended.connected_to(lambda sender: heard.append(sender)),
        app.app_context(),
        db.session_scope() as s,
    ):
        vetting.decide(
            supplier_id=made.id, action="suspend", reason="complaints", actor_id=operator_id
        )
        s.commit()
    assert heard == [made.id]


def test_actions_for_lists_what_an_actor_may_do():
    assert process.SUPPLIER.actions_for("submitted", "operator") == [
        "start_review",
        "approve",
        "reject",
        "request_info",
    ]
    assert process.SUPPLIER.actions_for("more_info_requested", "supplier") == ["resubmit"]
    assert process.SUPPLIER.actions_for("active", "supplier") == []
