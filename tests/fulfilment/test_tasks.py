"""Tasks: dispatch (grid, role, duty, load), claims, the staff steps and the promises they
decide, wrong codes, and who may see what."""

from __future__ import annotations

import threading
from datetime import timedelta

from fulfilment import jobs as fulfilment_jobs
from orders.models import Order
from shop.core import db
from shop.core.errors import DomainError
from tests.conftest import csrf_token, web_login
from tests.fixtures_fulfilment import event, notified, pay_another, task_of
from tests.fixtures_orders import run


def test_dispatch_picks_on_duty_staff_of_the_grid_with_the_role_and_the_lightest_load(
    app, client, shop, crew, paid
):
    first = task_of(app, paid["id"])
    assert (first.status, first.kind, first.staff_role) == ("assigned", "deliver", "butler")
    assert first.grid_id == crew.grid_id and first.assignee_id == crew.busy_butler
    second = task_of(app, pay_another(app, client, shop))
    assert second.assignee_id == crew.free_butler  # the busy one already has a task
    third = task_of(app, pay_another(app, client, shop))
    assert third.assignee_id == crew.busy_butler  # both carry one: the first by id
    assert notified(app, crew.busy_butler, "task_assigned") == 2
    for never in (crew.off_butler, crew.cleaner, crew.other_grid_butler):
        assert notified(app, never, "task_assigned") == 0


def test_nobody_accepting_in_time_opens_the_task_to_the_grid_and_one_claim_wins(
    app, client, crew, paid, clock, headers
):
    task = task_of(app, paid["id"])
    clock.set(clock.now + timedelta(minutes=11))
    run(app, fulfilment_jobs.release_unaccepted)
    run(app, fulfilment_jobs.release_unaccepted)
    task = task_of(app, paid["id"])
    assert (task.status, task.claimable, task.assignee_id) == ("open", True, None)
    url = f"/api/v1/tasks/{task.id}/claim"
    assert client.post(url, headers=headers("other@staff.test")).status_code == 404
    assert client.post(url, headers=headers("cleaner@staff.test")).status_code == 404
    won = client.post(url, headers=headers("free@staff.test"))
    assert won.status_code == 200 and won.get_json()["status"] == "accepted"
    late = client.post(url, headers=headers("busy@staff.test"))
    assert (late.status_code, late.get_json()["error"]["code"]) == (409, "already_taken")
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(Order, paid["id"]).status == "accepted"


def test_two_staff_claiming_at_once_exactly_one_wins(app, crew, paid, clock):
    from fulfilment.services import tasks

    clock.set(clock.now + timedelta(minutes=11))
    run(app, fulfilment_jobs.release_unaccepted)
    task_id = task_of(app, paid["id"]).id
    claimants = [crew.busy_butler, crew.free_butler, crew.off_butler] * 3
    barrier, outcomes = threading.Barrier(len(claimants)), []

    def claim(staff_id):
        barrier.wait()
        with app.app_context(), db.session_scope() as s:
            try:
                tasks.claim(task_id=task_id, staff_id=staff_id)
                s.commit()
                outcomes.append(("won", staff_id))
            except Exception as exc:
                s.rollback()
                outcomes.append((getattr(exc, "code", repr(exc)), staff_id))

    threads = [threading.Thread(target=claim, args=(sid,)) for sid in claimants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [sid for outcome, sid in outcomes if outcome == "won"]
    assert len(winners) == 1
    assert {o for o, _ in outcomes} == {"won", "already_taken"}
    assert task_of(app, paid["id"]).assignee_id == winners[0]


def test_each_staff_step_records_the_milestone_and_the_promises_follow(
    app, client, shop, crew, paid, clock, headers
):
    butler = headers("busy@staff.test")
    task_id = task_of(app, paid["id"]).id
    clock.set(db.aware(paid["accept"].due_by) - timedelta(minutes=5))
    assert event(client, butler, task_id, "accepted").get_json()["status"] == "accepted"
    clock.set(db.aware(paid["window"].due_from) + timedelta(minutes=5))
    assert event(client, butler, task_id, "picked_up").get_json()["status"] == "picked_up"
    assert event(client, butler, task_id, "arrived").get_json()["status"] == "arrived"
    no_code = event(client, butler, task_id, "delivered")
    assert no_code.status_code == 422
    done = event(client, butler, task_id, "delivered", confirmation_code=paid["code"])
    assert done.get_json()["status"] == "done"
    promises = client.get(
        f"/api/v1/orders/{paid['id']}/commitment", headers=shop["headers"]
    ).get_json()["items"]
    assert {p["kind"]: p["status"] for p in promises} == {
        "accept": "met",
        "deliver_window": "met",
    }
    order = client.get(f"/api/v1/orders/{paid['id']}", headers=shop["headers"]).get_json()
    assert order["status"] == "delivered"
    again = event(client, butler, task_id, "arrived")  # done: no step back
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "step_not_allowed")


def test_three_wrong_codes_lock_the_task_until_the_manager_unlocks_it(
    app, client, crew, paid, headers
):
    butler = headers("busy@staff.test")
    task_id = task_of(app, paid["id"]).id
    event(client, butler, task_id, "accepted")
    event(client, butler, task_id, "arrived")
    wrong = "000000" if paid["code"] != "000000" else "111111"
    for attempt in range(3):
        refused = event(client, butler, task_id, "delivered", confirmation_code=wrong)
        assert refused.get_json()["error"]["code"] == "wrong_confirmation_code", attempt
    locked = event(client, butler, task_id, "delivered", confirmation_code=paid["code"])
    assert locked.get_json()["error"]["code"] == "task_locked"
    assert notified(app, crew.manager, "task_locked") == 1
    assert task_of(app, paid["id"]).code_attempts == 3
    other_manager = headers("manager2@staff.test")
    assert client.post(f"/api/v1/tasks/{task_id}/unlock", headers=other_manager).status_code == 404
    manager = headers("manager@staff.test")
    assert client.post(f"/api/v1/tasks/{task_id}/unlock", headers=manager).status_code == 200
    done = event(
        client, butler, task_id, "delivered", confirmation_code=paid["code"], early_agreed=True
    )
    assert done.get_json()["status"] == "done"


def test_staff_see_and_act_only_on_their_grids_tasks(app, client, crew, paid, headers):
    task_id = task_of(app, paid["id"]).id
    outsider = headers("other@staff.test")
    assert client.get(f"/api/v1/tasks/{task_id}", headers=outsider).status_code == 404
    assert event(client, outsider, task_id, "accepted").status_code == 404
    assert client.get("/api/v1/tasks", headers=outsider).get_json()["items"] == []
    colleague = headers("free@staff.test")  # same grid, but not their task and not claimable
    assert client.get(f"/api/v1/tasks/{task_id}", headers=colleague).status_code == 404
    assert event(client, colleague, task_id, "accepted").status_code == 404
    other_manager = headers("manager2@staff.test")
    assert client.get(f"/api/v1/tasks/{task_id}", headers=other_manager).status_code == 404
    resident = client.get("/api/v1/tasks", headers=headers("mass@resident.test"))
    assert resident.status_code == 403


def test_the_residents_phone_shows_in_full_only_while_the_task_is_under_way(
    app, client, crew, paid, headers
):
    butler = headers("busy@staff.test")
    task_id = task_of(app, paid["id"]).id
    assigned = client.get(f"/api/v1/tasks/{task_id}", headers=butler).get_json()
    assert assigned["phone"] == "138****0000" and assigned["address"].endswith("1-101")
    accepted = event(client, butler, task_id, "accepted").get_json()
    assert accepted["phone"] == "13800000000"
    manager = client.get(f"/api/v1/tasks/{task_id}", headers=headers("manager@staff.test"))
    assert manager.get_json()["phone"] == "138****0000"


def test_the_manager_reassigns_within_the_grid_and_the_role(app, client, crew, paid, headers):
    task_id = task_of(app, paid["id"]).id
    manager = headers("manager@staff.test")
    url = f"/api/v1/tasks/{task_id}/reassign"
    to_cleaner = client.post(url, headers=manager, json={"staff_id": crew.cleaner})
    assert to_cleaner.get_json()["error"]["code"] == "wrong_role"
    outside = client.post(url, headers=manager, json={"staff_id": crew.other_grid_butler})
    assert outside.status_code == 422
    moved = client.post(url, headers=manager, json={"staff_id": crew.free_butler})
    assert moved.get_json()["assignee_id"] == crew.free_butler
    assert notified(app, crew.free_butler, "task_assigned") == 1
    staff = client.post(
        url, headers=headers("busy@staff.test"), json={"staff_id": crew.busy_butler}
    )
    assert staff.status_code == 403


def test_a_cancelled_order_stops_its_task(app, client, shop, crew, paid):
    client.post(f"/api/v1/orders/{paid['id']}/cancel", headers=shop["headers"], json={})
    assert task_of(app, paid["id"]).status == "cancelled"
    assert notified(app, crew.busy_butler, "task_cancelled") == 1


def test_with_nobody_on_duty_the_grid_may_claim_at_once(app, client, shop, crew, headers):
    from fulfilment.services import staff

    with app.app_context(), db.session_scope() as s:
        for staff_id in (crew.busy_butler, crew.free_butler):
            staff.set_duty(user_id=staff_id, on_duty=False)
        s.commit()
    order_id = pay_another(app, client, shop)
    task = task_of(app, order_id)
    assert (task.status, task.claimable) == ("open", True)
    assert notified(app, crew.manager, "task_claimable") == 1
    listed = client.get("/api/v1/tasks", headers=headers("off@staff.test")).get_json()["items"]
    assert [t["next_action"] for t in listed] == ["claim"]


def test_the_staff_pages_take_a_delivery_in_a_few_big_steps(app, client, crew, paid):
    web_login(client, "busy@staff.test")
    home = client.get("/staff").get_data(as_text=True)
    task_id = task_of(app, paid["id"]).id
    assert f"/staff/tasks/{task_id}" in home and "送货上门" in home
    page = f"/staff/tasks/{task_id}"
    for action, button in (("accept", "接单"), ("pick_up", "已取货"), ("arrive", "已到达")):
        html = client.get(page).get_data(as_text=True)
        assert f"/staff/tasks/{task_id}/{action}" in html and button in html
        client.post(f"{page}/{action}", data={"csrf_token": csrf_token(client, page)})
    html = client.get(page).get_data(as_text=True)
    assert 'name="code"' in html and "13800000000" in html
    # Before the resident's window: the page asks for their agreement with the code.
    assert 'name="early_agreed"' in html and "/ask-early" in html
    form = {"csrf_token": csrf_token(client, page), "code": paid["code"]}
    client.post(f"{page}/deliver", data=form)
    assert task_of(app, paid["id"]).status == "arrived"  # refused: no agreement
    client.post(f"{page}/deliver", data={**form, "early_agreed": "1"})
    assert task_of(app, paid["id"]).status == "done"


def test_the_staff_on_an_order_and_their_manager_read_its_promises_nobody_else(
    app, client, crew, paid, headers
):
    url = f"/api/v1/orders/{paid['id']}/commitment"
    for allowed in ("busy@staff.test", "manager@staff.test"):
        assert client.get(url, headers=headers(allowed)).status_code == 200, allowed
        events = client.get(f"/api/v1/orders/{paid['id']}/events", headers=headers(allowed))
        assert events.status_code == 200
    for refused in ("free@staff.test", "other@staff.test", "manager2@staff.test"):
        assert client.get(url, headers=headers(refused)).status_code == 404, refused
    assert (
        client.get(f"/api/v1/orders/{paid['id']}", headers=headers("busy@staff.test")).status_code
        == 403
    )


def test_a_staff_step_and_a_cancellation_at_once_never_deadlock(app, client, shop, crew, paid):
    """Both lock the order's row first, then the task's: on PostgreSQL neither waits in a
    cycle; whichever comes first, the order and its task end cancelled."""
    from fulfilment.services import tasks
    from orders.services import checkout as order_services

    for _round in range(6):
        order_id = pay_another(app, client, shop)
        task = task_of(app, order_id)
        barrier, errors = threading.Barrier(2), []

        def staff(task=task, barrier=barrier, errors=errors):
            barrier.wait()
            with app.app_context(), db.session_scope() as s:
                try:
                    tasks.act(task_id=task.id, staff_id=task.assignee_id, action="accept")
                    s.commit()
                except DomainError:
                    s.rollback()
                except Exception as exc:
                    errors.append(exc)

        def resident(order_id=order_id, barrier=barrier, errors=errors):
            barrier.wait()
            with app.app_context(), db.session_scope() as s:
                try:
                    order_services.cancel_order(
                        order_id=order_id, actor_id=shop["user_id"], roles=frozenset()
                    )
                    s.commit()
                except Exception as exc:
                    errors.append(exc)

        threads = [threading.Thread(target=staff), threading.Thread(target=resident)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert task_of(app, order_id).status == "cancelled"
        with app.app_context(), db.session_scope(write=False) as s:
            assert s.get(Order, order_id).status == "cancelled"


def test_the_managers_task_cards_are_no_dead_links(app, client, crew, paid):
    web_login(client, "manager@staff.test")
    page = client.get("/manager").get_data(as_text=True)
    assert "task-card" in page and 'href="#"' not in page
