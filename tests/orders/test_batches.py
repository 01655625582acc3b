"""Custom batches and pledges against the offline Stripe: holds captured or released, saved
cards charged at the deadline (a decline and its fix window), partial fills per compound, the
cap and its waiting list, every transition by its actor, and the phase gate."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from orders.jobs import decide_batch, settle_pledge
from orders.models import BatchEvent, CustomBatch, Order, Payment, Pledge, PledgeEvent
from shop.core import db
from tests.conftest import at_once
from tests.fixtures_orders import run


def _batch(app, batch_id):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.get(CustomBatch, batch_id)


def _pledges(app, batch_id):
    with app.app_context(), db.session_scope(write=False) as s:
        rows = s.exec(select(Pledge).where(Pledge.batch_id == batch_id).order_by(Pledge.id))
        return list(rows)


def _past_deadline(app, clock, batch_id):
    clock.set(db.aware(_batch(app, batch_id).deadline) + timedelta(minutes=1))
    return run(app, decide_batch, batch_id)


def test_a_reached_batch_captures_its_holds_and_makes_orders(app, batch_world, clock):
    w = batch_world
    made = w["open"]()
    assert made.status_code == 201, made.get_json()
    batch = made.get_json()
    assert batch["status"] == "open" and batch["pledged"] == 0
    first = w["pledge"]("sun1", batch["id"], 2)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "held" and first.get_json()["mode"] == "hold"
    w["pledge"]("sun2", batch["id"], 2)
    seen = w["client"].get(f"/api/v1/custom-batches/{batch['id']}", headers=w["as"]("sun3"))
    sun = next(c for c in seen.get_json()["compounds"] if c["community_id"] == w["sun"])
    assert sun["pledged"] == 4
    assert _past_deadline(app, clock, batch["id"]) == "reached"
    assert _batch(app, batch["id"]).status == "ordered"
    rows = _pledges(app, batch["id"])
    assert [p.status for p in rows] == ["ordered", "ordered"]
    with app.app_context(), db.session_scope(write=False) as s:
        orders = [s.get(Order, p.order_id) for p in rows]
        assert [o.status for o in orders] == ["paid", "paid"]
        assert [o.total_minor for o in orders] == [560, 560]
        pays = s.exec(select(Payment).where(Payment.order_id.in_([o.id for o in orders]))).all()
        assert sorted(p.intent_id for p in pays) == sorted(p.intent_id for p in rows)
        steps = [
            e.action
            for e in s.exec(
                select(BatchEvent).where(BatchEvent.batch_id == batch["id"]).order_by(BatchEvent.id)
            )
        ]
        assert steps == ["create", "reach", "capture", "order"]
    assert run(app, decide_batch, batch["id"]) == "ordered"  # a second run changes nothing
    assert run(app, settle_pledge, rows[0].id) == "ordered"
    # Made to order: the resident cannot cancel it (the operator may still refund it).
    mine = w["client"].get(f"/api/v1/orders/{rows[0].order_id}", headers=w["as"]("sun1"))
    assert mine.status_code == 200
    refused = w["client"].post(
        f"/api/v1/orders/{rows[0].order_id}/cancel", json={}, headers=w["as"]("sun1")
    )
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_cancellable"


def _intent_status(app, intent_id):
    from orders.services import gateway

    with app.app_context():
        return gateway.gateway().retrieve(intent_id).status


def _notes(app, user_id):
    from shop.core.models import Notification

    with app.app_context(), db.session_scope(write=False) as s:
        rows = s.exec(select(Notification.kind).where(Notification.user_id == user_id))
        return list(rows)


def test_a_failed_batch_releases_every_hold_and_charges_nothing(app, batch_world, clock):
    w = batch_world
    batch = w["open"]().get_json()
    w["pledge"]("sun1", batch["id"], 1)
    w["pledge"]("lake1", batch["id"], 2)
    assert _past_deadline(app, clock, batch["id"]) == "failed"
    assert _batch(app, batch["id"]).status == "released"
    rows = _pledges(app, batch["id"])
    assert [(p.status, p.reason) for p in rows] == [("released", "batch_failed")] * 2
    assert [_intent_status(app, p.intent_id) for p in rows] == ["canceled", "canceled"]
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Order)).all() == [] or all(
            o.idempotency_key != f"pledge-{rows[0].id}" for o in s.exec(select(Order))
        )
    assert "pledge_released" in _notes(app, w["people"]["lake1"]["id"])
    assert "batch_failed" in _notes(app, w["member_id"])


def test_per_compound_minimums_make_one_compound_and_release_the_other(app, batch_world, clock):
    w = batch_world
    batch = w["open"](
        min_quantity=3,
        compounds=[
            {"community_id": w["sun"], "min_quantity": 3},
            {"community_id": w["lake"], "min_quantity": 2},
        ],
    ).get_json()
    w["pledge"]("sun1", batch["id"], 2)
    w["pledge"]("sun2", batch["id"], 1)
    w["pledge"]("lake1", batch["id"], 1)  # the lake compound stays below its minimum of 2
    assert _past_deadline(app, clock, batch["id"]) == "reached"
    rows = {p.resident_id: p for p in _pledges(app, batch["id"])}
    people = w["people"]
    assert rows[people["sun1"]["id"]].status == rows[people["sun2"]["id"]].status == "ordered"
    lake = rows[people["lake1"]["id"]]
    assert (lake.status, lake.reason) == ("released", "compound_not_made")
    assert _intent_status(app, lake.intent_id) == "canceled"
    view = w["client"].get(f"/api/v1/custom-batches/{batch['id']}", headers=w["operator"])
    outcomes = {c["community_id"]: c["outcome"] for c in view.get_json()["compounds"]}
    assert outcomes == {w["sun"]: "made", w["lake"]: "released"}
    assert view.get_json()["status"] == "ordered"


def test_the_cap_is_first_come_first_served_and_the_waiting_list_moves_up(app, batch_world, clock):
    w = batch_world
    batch = w["open"](min_quantity=2, cap=4).get_json()
    first = w["pledge"]("sun1", batch["id"], 3).get_json()
    second = w["pledge"]("sun2", batch["id"], 2).get_json()
    third = w["pledge"]("sun3", batch["id"], 1).get_json()
    assert (first["waiting"], second["waiting"], third["waiting"]) == (False, True, False)
    client = w["client"]
    gone = client.post(f"/api/v1/pledges/{first['id']}/withdraw", headers=w["as"]("sun1"))
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    assert (
        _intent_status(app, first_intent := _pledges(app, batch["id"])[0].intent_id) == "canceled"
    )
    assert first_intent
    moved = client.get("/api/v1/pledges", headers=w["as"]("sun2")).get_json()["items"][0]
    assert moved["waiting"] is False  # the place freed goes to the first in the queue
    assert "pledge_moved_up" in _notes(app, w["people"]["sun2"]["id"])
    late = w["pledge"]("lake1", batch["id"], 2).get_json()
    assert late["waiting"] is True  # 2 + 1 taken, 2 more would pass the cap of 4
    assert _past_deadline(app, clock, batch["id"]) == "reached"
    final = {p.id: (p.status, p.reason) for p in _pledges(app, batch["id"])}
    assert final == {
        first["id"]: ("withdrawn", "withdrawn"),
        second["id"]: ("ordered", ""),
        third["id"]: ("ordered", ""),
        late["id"]: ("released", "waiting_list"),
    }


def _long_batch(w, **changes):
    from shop.core import db as core_db

    return w["open"](
        deadline=(core_db.utcnow() + timedelta(days=20)).isoformat(),
        delivery_date=(core_db.utcnow() + timedelta(days=22)).date().isoformat(),
        **changes,
    ).get_json()


def test_a_far_deadline_saves_the_card_and_charges_it_off_session(app, batch_world, clock):
    w = batch_world
    batch = _long_batch(w, min_quantity=2)
    made = w["pledge"]("sun1", batch["id"], 2).get_json()
    assert (made["mode"], made["status"]) == ("saved_card", "saved")
    row = _pledges(app, batch["id"])[0]
    assert row.customer_id.startswith("cus_") and row.setup_intent_id.startswith("seti_")
    assert row.intent_id == ""  # nothing charged, nothing even held
    assert _past_deadline(app, clock, batch["id"]) == "reached"
    row = _pledges(app, batch["id"])[0]
    assert row.status == "ordered" and _intent_status(app, row.intent_id) == "succeeded"
    assert _batch(app, batch["id"]).status == "ordered"


def test_a_declined_charge_gets_a_fix_window_with_a_reminder_then_drops(app, batch_world, clock):
    from orders.jobs import remind_pledge

    w = batch_world
    batch = _long_batch(w, min_quantity=2)
    w["pledge"]("sun1", batch["id"], 1, card="pm_card_chargeCustomerFail")
    w["pledge"]("sun2", batch["id"], 1, card="pm_card_chargeCustomerFail")
    w["pledge"]("sun3", batch["id"], 1)
    assert _past_deadline(app, clock, batch["id"]) == "reached"
    fixer, dropper, good = _pledges(app, batch["id"])
    assert (fixer.status, dropper.status, good.status) == (
        "charge_failed",
        "charge_failed",
        "ordered",
    )
    assert db.aware(fixer.fix_by) - clock.now == timedelta(hours=48)
    assert "pledge_declined" in _notes(app, w["people"]["sun1"]["id"])
    assert _batch(app, batch["id"]).status == "reached"  # waits for the window
    client = w["client"]
    again = client.post(
        f"/api/v1/pledges/{fixer.id}/card",
        json={"payment_method": "pm_card_chargeCustomerFail"},
        headers=w["as"]("sun1"),
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "card_declined"
    fixed = client.post(
        f"/api/v1/pledges/{fixer.id}/card",
        json={"payment_method": "pm_card_visa"},
        headers=w["as"]("sun1"),
    )
    assert fixed.status_code == 200 and fixed.get_json()["status"] == "captured"
    assert _pledges(app, batch["id"])[0].status == "ordered"  # the order job, after commit
    assert run(app, remind_pledge, dropper.id) is True
    assert run(app, remind_pledge, dropper.id) is False  # once
    assert "pledge_reminder" in _notes(app, w["people"]["sun2"]["id"])
    assert run(app, settle_pledge, dropper.id) == "charge_failed"  # the window is still open
    clock.set(db.aware(dropper.fix_by) + timedelta(seconds=1))
    assert run(app, settle_pledge, dropper.id) == "released"
    late = client.post(
        f"/api/v1/pledges/{dropper.id}/card",
        json={"payment_method": "pm_card_visa"},
        headers=w["as"]("sun2"),
    )
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "pledge_not_fixable"
    with app.app_context(), db.session_scope(write=False) as s:
        attempts = s.get(Pledge, fixer.id).charge_attempts
        assert attempts == 3  # the deadline's charge, the declined new card, the good one
    assert _batch(app, batch["id"]).status == "ordered"


def test_bad_pledges_are_refused_and_change_nothing(app, batch_world, clock):
    w = batch_world
    batch = w["open"](compounds=[{"community_id": w["sun"]}]).get_json()
    declined = w["pledge"]("sun1", batch["id"], 1, card="pm_card_chargeCustomerFail")
    assert declined.status_code == 409 and declined.get_json()["error"]["code"] == "card_declined"
    elsewhere = w["pledge"]("lake1", batch["id"], 1)  # not offered there: as if there were none
    assert elsewhere.status_code == 404
    assert elsewhere.get_json()["error"]["code"] == "not_found"
    hidden = w["client"].get(f"/api/v1/custom-batches/{batch['id']}", headers=w["as"]("lake1"))
    assert hidden.status_code == 404
    zero = w["pledge"]("sun1", batch["id"], 0)
    assert zero.status_code == 422 and "quantity" in zero.get_json()["error"]["fields"]
    no_key = w["client"].post(
        f"/api/v1/custom-batches/{batch['id']}/pledges",
        json={"quantity": 1, "payment_method": "pm_card_visa"},
        headers=w["as"]("sun1"),
    )
    assert no_key.status_code == 422
    assert _pledges(app, batch["id"]) == []
    once = w["pledge"]("sun1", batch["id"], 1, key="k-1").get_json()
    twice = w["pledge"]("sun1", batch["id"], 1, key="k-1").get_json()
    assert once["id"] == twice["id"] and len(_pledges(app, batch["id"])) == 1
    other = w["pledge"]("sun1", batch["id"], 2, key="k-1")
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_mismatch"
    clock.set(db.aware(_batch(app, batch["id"]).deadline))
    closed = w["pledge"]("sun2", batch["id"], 1)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "batch_closed"
    gone = w["client"].post(f"/api/v1/pledges/{once['id']}/withdraw", headers=w["as"]("sun1"))
    assert gone.status_code == 409 and gone.get_json()["error"]["code"] == "batch_closed"
    assert len(_pledges(app, batch["id"])) == 1


def test_a_double_tap_makes_one_pledge_and_one_hold(app, batch_world):
    """Six pledges with one key at once: one pledge, each answer is it, one card hold.

    Stripe gives each the same hold (the key is its idempotency key too); on PostgreSQL the
    later ones used to meet the first's row on the unique key (a 500). Now they look for it
    again once they hold the batch's lock.
    """
    w = batch_world
    batch = w["open"](compounds=[{"community_id": w["sun"]}]).get_json()
    url = f"/api/v1/custom-batches/{batch['id']}/pledges"
    tap_headers = {**w["as"]("sun1"), "Idempotency-Key": "tap"}

    def tap(_i: int) -> tuple[int, dict]:
        response = app.test_client().post(
            url, json={"quantity": 1, "payment_method": "pm_card_visa"}, headers=tap_headers
        )
        return response.status_code, response.get_json()

    answers = at_once(6, tap)
    assert [status for status, _body in answers] == [201] * 6, answers
    assert len({body["id"] for _status, body in answers}) == 1
    [row] = _pledges(app, batch["id"])
    assert row.status == "held" and row.intent_id


def test_bad_batches_are_refused(app, batch_world):
    w = batch_world
    past = w["open"](deadline=(db.utcnow() - timedelta(minutes=1)).isoformat())
    assert past.status_code == 422 and "deadline" in past.get_json()["error"]["fields"]
    early = w["open"](delivery_date=db.utcnow().date().isoformat())
    assert early.status_code == 422 and "delivery_date" in early.get_json()["error"]["fields"]
    cap = w["open"](cap=2)
    assert cap.status_code == 422 and "cap" in cap.get_json()["error"]["fields"]
    other = w["open"](supplier_id=w["other_supplier"])
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "not_a_producer"
    foreign = w["open"](bundle_id=w["foreign_bundle"])
    assert foreign.status_code == 422 and "bundle_id" in foreign.get_json()["error"]["fields"]
    resident = w["client"].post("/api/v1/custom-batches", json={}, headers=w["as"]("sun1"))
    assert resident.status_code == 403
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(CustomBatch)).all() == []


def test_the_operator_cancels_with_a_reason_and_every_pledge_is_released(app, batch_world):
    w = batch_world
    batch = w["open"]().get_json()
    w["pledge"]("sun1", batch["id"], 1)
    url = f"/api/v1/custom-batches/{batch['id']}/cancel"
    refused = w["client"].post(url, json={"reason": "产线检修"}, headers=w["as"]("sun1"))
    assert refused.status_code == 403
    silent = w["client"].post(url, json={"reason": ""}, headers=w["operator"])
    assert silent.status_code == 422
    done = w["client"].post(url, json={"reason": "产线检修"}, headers=w["operator"])
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    row = _pledges(app, batch["id"])[0]
    assert (row.status, row.reason) == ("released", "batch_cancelled")
    assert _intent_status(app, row.intent_id) == "canceled"
    again = w["client"].post(url, json={"reason": "产线检修"}, headers=w["operator"])
    assert again.status_code == 409


def _card_needing_3ds(app):
    import stripe

    base = {"api": app.config["STRIPE_API_BASE"]}
    card = {"number": "4000002760003184", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    client = stripe.StripeClient("sk_test_offline", base_addresses=base)
    return client.v1.payment_methods.create(params={"type": "card", "card": card})["id"]


def _capturable(event_id, intent_id):
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.amount_capturable_updated",
        "data": {
            "object": {"id": intent_id, "object": "payment_intent", "status": "requires_capture"}
        },
    }


def test_a_hold_that_needs_3d_secure_counts_once_stripe_says_it_is_held(app, batch_world):
    from tests.fixtures_orders import deliver

    w = batch_world
    batch = w["open"]().get_json()
    made = w["pledge"]("sun1", batch["id"], 2, card=_card_needing_3ds(app)).get_json()
    assert made["status"] == "pending_card" and made["client_secret"]
    view = w["client"].get(f"/api/v1/custom-batches/{batch['id']}", headers=w["as"]("sun1"))
    assert view.get_json()["pledged"] == 0  # no card in hand, nothing counted
    event = _capturable("evt_pledge_3ds", _pledges(app, batch["id"])[0].intent_id)
    assert deliver(w["client"], app, event).status_code == 200
    assert _pledges(app, batch["id"])[0].status == "held"
    deliver(w["client"], app, event)  # the same event again changes nothing
    view = w["client"].get(f"/api/v1/custom-batches/{batch['id']}", headers=w["as"]("sun1"))
    assert view.get_json()["pledged"] == 2


def test_residents_see_their_compounds_open_batches_and_producers_their_own(app, batch_world):
    w = batch_world
    both = w["open"]().get_json()
    lake_only = w["open"](compounds=[{"community_id": w["lake"]}]).get_json()
    client = w["client"]
    sun = client.get("/api/v1/custom-batches", headers=w["as"]("sun1")).get_json()["items"]
    assert [b["id"] for b in sun] == [both["id"]]
    lake = client.get("/api/v1/custom-batches", headers=w["as"]("lake1")).get_json()["items"]
    assert [b["id"] for b in lake] == [lake_only["id"], both["id"]]
    mine = client.get("/api/v1/custom-batches", headers=w["member"]).get_json()["items"]
    assert {b["id"] for b in mine} == {both["id"], lake_only["id"]}
    other = client.get("/api/v1/custom-batches", headers=w["other"]).get_json()["items"]
    assert other == []
    assert client.get(f"/api/v1/custom-batches/{both['id']}", headers=w["other"]).status_code == 404
    someone = w["pledge"]("sun1", both["id"], 1).get_json()
    assert (
        client.post(
            f"/api/v1/pledges/{someone['id']}/withdraw", headers=w["as"]("sun2")
        ).status_code
        == 404
    )
    assert client.get("/api/v1/pledges", headers=w["as"]("sun2")).get_json()["items"] == []


def test_every_batch_route_is_closed_before_phase_3(app, batch_world):
    from suppliers.models import PhaseChange

    w = batch_world
    batch = w["open"]().get_json()
    with app.app_context(), db.session_scope() as s:
        s.add(PhaseChange(phase=2, actor_id=w["member_id"], override_reason="test: back to 2"))
        s.commit()
    client = w["client"]
    calls = [
        w["open"](),
        client.get("/api/v1/custom-batches", headers=w["as"]("sun1")),
        client.get(f"/api/v1/custom-batches/{batch['id']}", headers=w["as"]("sun1")),
        w["pledge"]("sun1", batch["id"], 1),
        client.get("/api/v1/pledges", headers=w["as"]("sun1")),
        client.post(
            f"/api/v1/custom-batches/{batch['id']}/cancel",
            json={"reason": "不做了"},
            headers=w["operator"],
        ),
    ]
    assert [c.status_code for c in calls] == [409] * 6
    assert all(c.get_json()["error"]["code"] == "phase_closed" for c in calls)


def test_every_step_of_both_processes_is_taken_by_its_actor(app, batch_world, clock):
    """Four batches between them take every row of the batch and pledge tables."""
    from orders import process
    from orders.models import BatchEvent

    w, client = batch_world, batch_world["client"]
    made = w["open"](min_quantity=1).get_json()
    w["pledge"]("sun1", made["id"], 1)
    w["pledge"]("sun2", made["id"], 1, card=_card_needing_3ds(app))  # never confirmed
    for who in ("sun3", "lake2"):
        card = "pm_card_visa" if who == "sun3" else _card_needing_3ds(app)
        mine = w["pledge"](who, made["id"], 1, card=card).get_json()
        client.post(f"/api/v1/pledges/{mine['id']}/withdraw", headers=w["as"](who))
    failing = w["open"](min_quantity=10).get_json()
    w["pledge"]("lake1", failing["id"], 1)
    saved = _long_batch(w, min_quantity=1)
    w["pledge"]("sun1", saved["id"], 1)
    fixer = w["pledge"]("sun2", saved["id"], 1, card="pm_card_chargeCustomerFail").get_json()
    w["pledge"]("lake1", saved["id"], 1, card="pm_card_chargeCustomerFail")
    gone = w["pledge"]("sun3", saved["id"], 1).get_json()
    client.post(f"/api/v1/pledges/{gone['id']}/withdraw", headers=w["as"]("sun3"))
    called_off = _long_batch(w)
    w["pledge"]("lake2", called_off["id"], 1)
    url = f"/api/v1/custom-batches/{called_off['id']}/cancel"
    client.post(url, json={"reason": "原料断供"}, headers=w["operator"])
    assert _past_deadline(app, clock, made["id"]) == "reached"
    assert _past_deadline(app, clock, failing["id"]) == "failed"
    assert _past_deadline(app, clock, saved["id"]) == "reached"
    card = f"/api/v1/pledges/{fixer['id']}/card"
    client.post(
        card, json={"payment_method": "pm_card_chargeCustomerFail"}, headers=w["as"]("sun2")
    )
    client.post(card, json={"payment_method": "pm_card_visa"}, headers=w["as"]("sun2"))
    clock.set(clock.now + timedelta(hours=49))
    for row in _pledges(app, saved["id"]):
        run(app, settle_pledge, row.id)
    with app.app_context(), db.session_scope(write=False) as s:
        for table, event in ((process.BATCH, BatchEvent), (process.PLEDGE, PledgeEvent)):
            taken = {
                (e.from_status, e.action, e.to_status, e.actor_role) for e in s.exec(select(event))
            }
            rows = {(t.source, t.action, t.target, a) for t in table.transitions for a in t.actors}
            assert rows - taken == set(), table.name
    assert [_batch(app, b["id"]).status for b in (made, failing, saved, called_off)] == [
        "ordered",
        "released",
        "ordered",
        "cancelled",
    ]


def test_a_reached_batchs_pledges_are_confirmed_pieces_in_the_producers_plan(
    app, batch_world, clock
):
    from tests.fixtures_orders import MONDAY

    w = batch_world
    batch = _long_batch(w, min_quantity=2)
    w["pledge"]("sun1", batch["id"], 1, card="pm_card_chargeCustomerFail")
    w["pledge"]("sun2", batch["id"], 2)
    w["pledge"]("lake1", batch["id"], 3, card=_card_needing_3ds(app))  # never confirmed
    assert _past_deadline(app, clock, batch["id"]) == "reached"
    plan = w["client"].post(
        "/api/v1/production-plans",
        json={"supplier_id": w["farm"], "week": MONDAY.isoformat()},
        headers=w["operator"],
    )
    lines = {(ln["item"], ln["community"]): ln["confirmed"] for ln in plan.get_json()["lines"]}
    # 5 of the fixture's paid order, 2 of sun2's order, 1 of sun1's pledge still to be paid;
    # lake1's pledge never had a card in hand and counts nowhere
    assert lines[("卤水豆腐", "阳光花园")] == 5 + 2 + 1
    assert ("卤水豆腐", "翠湖苑") not in lines


def test_a_batch_opened_from_a_demand_tells_its_households(app, batch_world):
    from orders.models import Demand

    w = batch_world
    asked = w["client"].post(
        "/api/v1/demand-requests",
        json={"text": "想要卤水豆腐每周一盒", "quantity": 1, "frequency": "weekly"},
        headers=w["as"]("sun1"),
    )
    assert asked.status_code == 201
    demand_id = asked.get_json()["demand"]["id"]
    elsewhere = w["open"](demand_id=demand_id, compounds=[{"community_id": w["lake"]}])
    assert elsewhere.status_code == 422 and "demand_id" in elsewhere.get_json()["error"]["fields"]
    made = w["open"](demand_id=demand_id)
    assert made.status_code == 201 and made.get_json()["demand_id"] == demand_id
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Demand, demand_id).status == "batched"
        from shop.core.models import Notification

        note = s.exec(
            select(Notification).where(
                Notification.user_id == w["people"]["sun1"]["id"],
                Notification.kind == "demand_batched",
            )
        ).one()
    assert note.link == f"/shop/batches/{made.get_json()['id']}"


def test_the_operator_refunds_a_batch_order_to_the_captured_card(app, batch_world, clock):
    from orders.models import Refund

    w = batch_world
    batch = w["open"](min_quantity=1).get_json()
    w["pledge"]("sun1", batch["id"], 2)
    assert _past_deadline(app, clock, batch["id"]) == "reached"
    row = _pledges(app, batch["id"])[0]
    refund = w["client"].post(
        f"/api/v1/orders/{row.order_id}/refunds",
        json={"reason": "豆腐破损"},
        headers=w["operator"],
    )
    assert refund.status_code in (200, 201), refund.get_json()
    with app.app_context(), db.session_scope(write=False) as s:
        done = s.exec(select(Refund).where(Refund.order_id == row.order_id)).one()
        assert (done.status, done.amount_minor) == ("succeeded", 560)
        assert s.get(Order, row.order_id).status == "refunded"
