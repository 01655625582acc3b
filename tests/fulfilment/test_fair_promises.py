"""Promises fair to staff and true for residents: an early step needs the resident's
agreement, the standard needs every checklist item answered, and a refused step changes
nothing; countdowns say what they count down to."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from orders.models import CommitmentNode, Compensation, Order, OrderEvent
from shop.core import db
from suppliers.catalogue.services import bundles as catalogue_services
from tests.conftest import web_login
from tests.fixtures_fulfilment import event, pay_order, task_of
from tests.fixtures_orders import FakeGateway, post
from tests.fixtures_orders import order_body as goods_body

STANDARD_POLICY = {
    "name": "送货到家（有标准）",
    "nodes": [
        {"kind": "deliver_window", "compensation": {"type": "refund_amount", "amount_minor": 500}},
        {
            "kind": "standard",
            "checklist": ["核对数量"],
            "compensation": {"type": "refund_amount", "amount_minor": 800},
        },
    ],
}
CATEGORY_STANDARD = ["敲门三声并自报身份", "入户穿鞋套"]


def _snapshot(app, order_id):
    with app.app_context(), db.session_scope(write=False) as s:
        nodes = s.exec(
            select(CommitmentNode.kind, CommitmentNode.status, CommitmentNode.actual_at).where(
                CommitmentNode.order_id == order_id
            )
        ).all()
        return {
            "nodes": sorted(nodes),
            "events": s.exec(
                select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id == order_id)
            ).one(),
            "compensations": s.exec(select(func.count()).select_from(Compensation)).one(),
            "order": s.get(Order, order_id).status,
        }


def _nodes(client, shop, order_id):
    got = client.get(f"/api/v1/orders/{order_id}/commitment", headers=shop["headers"])
    return {p["kind"]: p for p in got.get_json()["items"]}


def test_an_early_delivery_without_the_residents_agreement_is_refused_and_changes_nothing(
    app, client, shop, crew, paid, headers
):
    butler = headers("busy@staff.test")
    task_id = task_of(app, paid["id"]).id
    event(client, butler, task_id, "accepted")
    event(client, butler, task_id, "arrived")
    before = _snapshot(app, paid["id"])
    refused = event(client, butler, task_id, "delivered", confirmation_code=paid["code"])
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "outside_window"
    assert task_of(app, paid["id"]).status == "arrived"
    assert _snapshot(app, paid["id"]) == before
    assert _nodes(client, shop, paid["id"])["deliver_window"]["status"] == "pending"


def test_an_early_delivery_the_resident_agreed_to_with_the_code_is_kept(
    app, client, shop, crew, paid, headers
):
    butler = headers("busy@staff.test")
    task_id = task_of(app, paid["id"]).id
    event(client, butler, task_id, "accepted")
    page = client.get(f"/api/v1/tasks/{task_id}", headers=butler).get_json()
    assert page["next_action"] == "pick_up" and page["early_until"] is None  # nothing decided yet
    event(client, butler, task_id, "arrived")
    page = client.get(f"/api/v1/tasks/{task_id}", headers=butler).get_json()
    assert page["early_until"] is not None  # the next step, delivery, would come early
    # Agreement without the right code proves nothing.
    wrong = "000000" if paid["code"] != "000000" else "111111"
    bad = event(client, butler, task_id, "delivered", confirmation_code=wrong, early_agreed=True)
    assert bad.get_json()["error"]["code"] == "wrong_confirmation_code"
    done = event(
        client, butler, task_id, "delivered", confirmation_code=paid["code"], early_agreed=True
    )
    assert done.status_code == 200, done.get_json()
    window = _nodes(client, shop, paid["id"])["deliver_window"]
    assert (window["status"], window["early_agreed"]) == ("met", "code")
    assert _snapshot(app, paid["id"])["compensations"] == 0


def test_a_resident_who_accepts_early_in_the_app_lets_staff_come_early(
    app, client, shop, crew, paid, headers, resident
):
    butler = headers("busy@staff.test")
    task_id = task_of(app, paid["id"]).id
    event(client, butler, task_id, "accepted")
    # Staff ask in the app; the resident is told and agrees.
    asked = client.post(f"/api/v1/tasks/{task_id}/early-requests", headers=butler)
    assert asked.status_code == 200
    inbox = client.get("/api/v1/me/notifications", headers=shop["headers"]).get_json()
    assert "early_requested" in [n["kind"] for n in inbox["items"]]
    other = headers(resident("care"))  # another household
    url = f"/api/v1/orders/{paid['id']}/early-acceptance"
    assert client.post(url, headers=other).status_code == 404  # not theirs
    agreed = client.post(url, headers=shop["headers"])
    assert agreed.status_code == 200 and agreed.get_json()["early_accepted_at"]
    assert client.get(f"/api/v1/tasks/{task_id}", headers=butler).get_json()["early_until"] is None
    event(client, butler, task_id, "arrived")
    done = event(client, butler, task_id, "delivered", confirmation_code=paid["code"])
    assert done.status_code == 200, done.get_json()
    window = _nodes(client, shop, paid["id"])["deliver_window"]
    assert (window["status"], window["early_agreed"]) == ("met", "app")


def test_a_late_delivery_is_still_recorded_and_judged_missed(
    app, client, shop, crew, paid, clock, headers
):
    butler = headers("busy@staff.test")
    task_id = task_of(app, paid["id"]).id
    event(client, butler, task_id, "accepted")
    clock.set(db.aware(paid["window"].due_by) + timedelta(minutes=20))
    done = event(client, butler, task_id, "delivered", confirmation_code=paid["code"])
    assert done.status_code == 200
    assert _nodes(client, shop, paid["id"])["deliver_window"]["status"] == "missed"


def _standard_order(app, client, shop, catalogue, publish, headers, clock):
    """A paid order of a bundle whose category has a service standard, clock in its window."""
    operator = headers("ops@catalogue.test")
    category_id = catalogue.categories["饮用水"]
    patched = client.patch(
        f"/api/v1/categories/{category_id}",
        headers=operator,
        json={"checklist": CATEGORY_STANDARD},
    )
    assert patched.status_code == 200 and patched.get_json()["checklist"] == CATEGORY_STANDARD
    with app.app_context(), db.session_scope() as s:
        policy = catalogue_services.save_policy(
            actor_id=catalogue.operator_id, data=STANDARD_POLICY
        )
        s.commit()
        policy_id = policy.id
    bundle_id = publish(policy_id=policy_id, title="桶装水 按标准送达")
    app.extensions["orders.services.gateway"] = FakeGateway()
    body = {**goods_body(shop, 1), "lines": [{"bundle_id": bundle_id, "quantity": 1}]}
    order = post(client, shop, body).get_json()
    pay_order(app, client, order["id"], order["total"]["amount_minor"])
    with app.app_context(), db.session_scope(write=False) as s:
        window = s.exec(
            select(CommitmentNode).where(
                CommitmentNode.order_id == order["id"], CommitmentNode.kind == "deliver_window"
            )
        ).one()
        code = s.get(Order, order["id"]).confirmation_code
    clock.set(db.aware(window.due_from) + timedelta(minutes=5))
    return order["id"], code


def test_the_standard_needs_every_item_ticked_or_marked_not_applicable(
    app, client, shop, crew, catalogue, publish, headers, clock
):
    order_id, code = _standard_order(app, client, shop, catalogue, publish, headers, clock)
    butler = headers("busy@staff.test")
    task_id = task_of(app, order_id).id
    event(client, butler, task_id, "accepted")
    event(client, butler, task_id, "arrived")
    task = client.get(f"/api/v1/tasks/{task_id}", headers=butler).get_json()
    # The policy's own item first, then the category's standard.
    assert task["checklist"] == ["核对数量", *CATEGORY_STANDARD]
    before = _snapshot(app, order_id)
    partial = event(
        client, butler, task_id, "delivered", confirmation_code=code, checklist=["核对数量"]
    )
    assert partial.status_code == 422
    body = partial.get_json()["error"]
    assert body["code"] == "checklist_incomplete" and "入户穿鞋套" in body["fields"]["checklist"][0]
    assert _snapshot(app, order_id) == before
    assert task_of(app, order_id).status == "arrived"
    # A "not applicable" without a reason does not count either.
    no_reason = event(
        client,
        butler,
        task_id,
        "delivered",
        confirmation_code=code,
        checklist=["核对数量", "敲门三声并自报身份"],
        not_applicable={"入户穿鞋套": ""},
    )
    assert no_reason.status_code == 422
    done = event(
        client,
        butler,
        task_id,
        "delivered",
        confirmation_code=code,
        checklist=["核对数量", "敲门三声并自报身份"],
        not_applicable={"入户穿鞋套": "门口交接，未入户"},
    )
    assert done.status_code == 200, done.get_json()
    standard = _nodes(client, shop, order_id)["standard"]
    assert standard["status"] == "met"
    assert standard["ticked"] == ["核对数量", "敲门三声并自报身份"]
    assert standard["not_applicable"] == [["入户穿鞋套", "门口交接，未入户"]]


def test_the_resident_sees_the_standard_item_by_item_on_the_order_page(
    app, client, shop, crew, catalogue, publish, headers, clock
):
    order_id, code = _standard_order(app, client, shop, catalogue, publish, headers, clock)
    butler = headers("busy@staff.test")
    task_id = task_of(app, order_id).id
    event(client, butler, task_id, "accepted")
    web_login(client, shop["email"])
    before = client.get(f"/shop/orders/{order_id}").get_data(as_text=True)
    assert "敲门三声并自报身份" in before and "入户穿鞋套" in before
    event(
        client,
        butler,
        task_id,
        "delivered",
        confirmation_code=code,
        checklist=["核对数量", "敲门三声并自报身份"],
        not_applicable={"入户穿鞋套": "门口交接"},
    )
    after = client.get(f"/shop/orders/{order_id}").get_data(as_text=True)
    assert "门口交接" in after and "✓" in after


def test_each_countdown_says_what_it_counts_down_to(app, client, crew, paid, headers):
    butler = headers("busy@staff.test")
    task_id = task_of(app, paid["id"]).id
    assert client.get(f"/api/v1/tasks/{task_id}", headers=butler).get_json()["due_kind"] == "accept"
    event(client, butler, task_id, "accepted")
    task = client.get(f"/api/v1/tasks/{task_id}", headers=butler).get_json()
    assert task["due_kind"] == "deliver_window"
    assert task["due_by"].startswith(str(db.aware(paid["window"].due_by).date()))


def test_a_doorstep_delivery_through_the_staff_pages_keeps_the_standard(
    app, client, shop, crew, catalogue, publish, headers, clock
):
    """The form posts the ticked items on 已送达 too, not only on a service's finish."""
    from tests.conftest import csrf_token

    order_id, code = _standard_order(app, client, shop, catalogue, publish, headers, clock)
    task_id = task_of(app, order_id).id
    web_login(client, "busy@staff.test")
    path = f"/staff/tasks/{task_id}"
    for action in ("accept", "pick_up", "arrive"):
        client.post(f"{path}/{action}", data={"csrf_token": csrf_token(client, path)})
    page = client.get(path).get_data(as_text=True)
    assert 'name="checklist"' in page  # the rows are on the delivering step's page
    client.post(
        f"{path}/deliver",
        data={
            "csrf_token": csrf_token(client, path),
            "code": code,
            "checklist": ["核对数量", *CATEGORY_STANDARD],
        },
    )
    assert task_of(app, order_id).status == "done"
    nodes = _nodes(client, shop, order_id)
    assert nodes["standard"]["status"] == "met"
    with app.app_context(), db.session_scope(write=False) as s:
        paid = s.exec(
            select(func.count()).select_from(Compensation).where(Compensation.order_id == order_id)
        ).one()
    assert paid == 0
