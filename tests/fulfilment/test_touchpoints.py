"""QR touchpoints: a scan opens a report or booking for the grid's butler, with its promises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from fulfilment.models import RequestEvent, ServiceRequest
from fulfilment.services import touchpoints
from shop.core import accounts, db
from shop.core.models import Notification, User
from tests.conftest import csrf_token, web_login

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
REPORT = {
    "kind": "report",
    "text": "楼道灯不亮",
    "contact_name": "王先生",
    "contact_phone": "13700000001",
}


@pytest.fixture
def spots(app, shop, crew, make_user, headers):
    """A code on the resident's building, and a lamp-post served by the other grid."""
    operator = make_user("operator", email="ops@touch.test")
    hdrs = headers("ops@touch.test")
    with app.app_context(), db.session_scope(write=False):
        address = accounts.find_resident_address(shop["user_id"])
    from fulfilment.models import Grid

    with app.app_context(), db.session_scope(write=False) as s:
        other_grid = s.exec(select(Grid).where(Grid.name == "二网格")).one().id
    building = client_post(
        app,
        hdrs,
        {
            "community_id": address.community_id,
            "kind": "building",
            "label": "1栋大堂",
            "building_id": address.building_id,
        },
    )
    lamp = client_post(
        app,
        hdrs,
        {
            "community_id": address.community_id,
            "kind": "lamp_post",
            "label": "中心花园路灯",
            "grid_id": other_grid,
        },
    )
    return {
        "building": building,
        "lamp": lamp,
        "operator": operator,
        "ops": hdrs,
        "community_id": address.community_id,
    }


def client_post(app, hdrs, body):
    with app.test_client() as c:
        response = c.post("/api/v1/touchpoints", json=body, headers=hdrs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["code"]


def scan(client, code, body, headers=None):
    return client.post(f"/api/v1/touchpoints/{code}/requests", json=body, headers=headers or EN)


def staff_headers(app, headers, user_id):
    with app.app_context(), db.session_scope(write=False) as s:
        email = s.get(User, user_id).email
    return headers(email)  # a request made inside a session scope would write into it


def count(app, model):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_a_scan_is_offered_to_a_butler_on_duty_of_that_buildings_grid(app, client, spots, crew):
    response = scan(client, spots["building"], REPORT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["place"] == "1栋大堂" and body["phone_masked"].startswith("137")
    assert "13700000001" not in str(body)
    with app.app_context(), db.session_scope(write=False) as s:
        req = s.get(ServiceRequest, body["id"])
        assert req.assignee_id in (crew.busy_butler, crew.free_butler)
        told = s.exec(select(Notification).where(Notification.user_id == req.assignee_id)).all()
        assert any(n.kind == "request_assigned" for n in told)
        assert (req.accept_by - req.created_at) == timedelta(minutes=15)
        assert (req.arrive_by - req.created_at) == timedelta(minutes=60)


def test_a_public_spot_goes_to_the_grid_it_names(app, client, spots, crew):
    body = scan(client, spots["lamp"], REPORT).get_json()
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(ServiceRequest, body["id"]).assignee_id == crew.other_grid_butler


def test_the_butler_accepts_arrives_and_finishes_and_each_promise_is_judged(
    app, client, spots, crew, headers
):
    body = scan(client, spots["building"], REPORT).get_json()
    with app.app_context(), db.session_scope(write=False) as s:
        butler = s.get(ServiceRequest, body["id"]).assignee_id
    hdrs = staff_headers(app, headers, butler)
    listed = client.get("/api/v1/service-requests", headers=hdrs).get_json()["items"]
    assert [r["id"] for r in listed] == [body["id"]] and listed[0]["next_action"] == "accept"
    for action in ("accept", "arrive", "finish"):
        done = client.post(
            f"/api/v1/service-requests/{body['id']}/actions",
            json={"action": action, "note": "换了灯泡"},
            headers=hdrs,
        )
        assert done.status_code == 200, done.get_json()
    final = done.get_json()
    assert final["status"] == "done"
    assert final["accept_met"] is True and final["arrive_met"] is True
    with app.app_context(), db.session_scope(write=False) as s:
        actions = [e.action for e in s.exec(select(RequestEvent).order_by(RequestEvent.id))]
    assert actions == ["open", "accept", "arrive", "finish"]


def test_bad_input_is_refused_with_field_messages_and_creates_nothing(app, client, spots):
    missing = scan(client, spots["building"], {"kind": "report", "text": "漏水"})
    assert missing.status_code == 422
    assert set(missing.get_json()["error"]["fields"]) == {"contact_name", "contact_phone"}
    wrong = scan(client, spots["building"], {**REPORT, "kind": "gossip", "contact_phone": "x"})
    assert wrong.status_code == 422
    assert set(wrong.get_json()["error"]["fields"]) == {"kind", "contact_phone"}
    no_time = scan(client, spots["building"], {**REPORT, "kind": "booking"})
    assert no_time.status_code == 422 and "wanted_at" in no_time.get_json()["error"]["fields"]
    assert scan(client, "nosuchcode", REPORT).status_code == 404
    assert count(app, ServiceRequest) == 0


def test_a_booking_is_due_at_the_wanted_time_with_grace(app, client, spots):
    wanted = (db.utcnow() + timedelta(days=1)).replace(microsecond=0)
    body = scan(
        client, spots["building"], {**REPORT, "kind": "booking", "wanted_at": wanted.isoformat()}
    ).get_json()
    with app.app_context(), db.session_scope(write=False) as s:
        req = s.get(ServiceRequest, body["id"])
        assert db.aware(req.arrive_by) == wanted + timedelta(minutes=30)


def test_another_grid_cannot_touch_it_and_a_colleague_waits_for_the_offer_to_lapse(
    app, client, spots, crew, headers, clock
):
    body = scan(client, spots["building"], REPORT).get_json()
    with app.app_context(), db.session_scope(write=False) as s:
        offered = s.get(ServiceRequest, body["id"]).assignee_id
    colleague = crew.free_butler if offered == crew.busy_butler else crew.busy_butler
    url = f"/api/v1/service-requests/{body['id']}/actions"
    stranger = staff_headers(app, headers, crew.other_grid_butler)
    assert client.post(url, json={"action": "accept"}, headers=stranger).status_code == 404
    assert client.get("/api/v1/service-requests", headers=stranger).get_json()["items"] == []
    mine = staff_headers(app, headers, colleague)
    taken = client.post(url, json={"action": "accept"}, headers=mine)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "request_taken"
    clock.set(db.utcnow() + timedelta(minutes=16))
    took = client.post(url, json={"action": "accept"}, headers=mine)
    assert took.status_code == 200 and took.get_json()["accept_met"] is False


def test_a_request_nobody_accepts_in_time_is_marked_missed_once(app, client, spots, crew, clock):
    body = scan(client, spots["building"], REPORT).get_json()
    clock.set(db.utcnow() + timedelta(minutes=61))
    with app.app_context(), db.session_scope() as s:
        assert touchpoints.judge_overdue() == 2  # the accept and the arrive promise
        s.commit()
    with app.app_context(), db.session_scope() as s:
        assert touchpoints.judge_overdue() == 0
        s.commit()
        req = s.get(ServiceRequest, body["id"])
        assert (req.accept_met, req.arrive_met) == (False, False)
        told = s.exec(
            select(Notification).where(
                Notification.user_id == crew.manager, Notification.kind == "request_missed"
            )
        ).all()
        assert len(told) == 1


def test_a_resident_scans_signed_in_sees_it_and_cancels(app, client, spots, shop):
    web_login(client, shop["email"])
    page = client.get(f"/t/{spots['building']}", headers=ZH).get_data(as_text=True)
    assert "报事" in page and "预约" in page and 'name="contact_phone"' not in page
    sent = client.post(
        f"/t/{spots['building']}",
        data={
            "csrf_token": csrf_token(client, f"/t/{spots['building']}"),
            "kind": "report",
            "text": "电梯异响",
        },
        headers=ZH,
    )
    assert sent.status_code == 201 and "已发送给管家" in sent.get_data(as_text=True)
    mine = client.get("/requests", headers=ZH).get_data(as_text=True)
    assert "电梯异响" in mine and "1栋大堂" in mine
    with app.app_context(), db.session_scope(write=False) as s:
        req = s.exec(select(ServiceRequest)).one()
        assert req.resident_id == shop["user_id"] and req.contact_phone
    client.post(f"/requests/{req.id}/cancel", data={"csrf_token": csrf_token(client, "/requests")})
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(ServiceRequest, req.id).status == "cancelled"


def test_the_public_form_shows_field_errors_in_chinese(client, spots):
    path = f"/t/{spots['building']}"
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "kind": "report"}, headers=ZH
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "此项必填。" in body


def test_staff_see_it_on_their_home_and_press_one_big_button(app, client, spots, crew):
    body = scan(client, spots["building"], REPORT).get_json()
    with app.app_context(), db.session_scope(write=False) as s:
        req = s.get(ServiceRequest, body["id"])
        email = s.get(User, req.assignee_id).email
    web_login(client, email)
    home = client.get("/staff", headers=ZH).get_data(as_text=True)
    assert f'href="/staff/requests/{body["id"]}"' in home and "楼道灯不亮" in home
    page = client.get(f"/staff/requests/{body['id']}", headers=ZH).get_data(as_text=True)
    assert 'id="next-step"' in page and "接单" in page
    path = f"/staff/requests/{body['id']}"
    client.post(f"{path}/accept", data={"csrf_token": csrf_token(client, path)})
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.get(ServiceRequest, body["id"]).status == "accepted"


def test_the_operator_prints_the_sheet_and_others_may_not(app, client, spots, shop):
    web_login(client, "ops@touch.test")
    listing = client.get("/console/touchpoints", headers=ZH).get_data(as_text=True)
    assert "1栋大堂" in listing and "中心花园路灯" in listing
    sheet = client.get(f"/console/touchpoints/sheet.svg?community_id={spots['community_id']}")
    assert sheet.status_code == 200 and sheet.mimetype == "image/svg+xml"
    svg = sheet.get_data(as_text=True)
    assert f"/t/{spots['building']}" in svg and "1栋大堂" in svg and svg.count("<path") == 2
    client.post("/logout", data={"csrf_token": csrf_token(client, "/console/touchpoints")})
    web_login(client, shop["email"])
    assert client.get("/console/touchpoints").status_code == 403


def test_a_touchpoint_must_belong_to_its_community(client, spots):
    bad = client.post(
        "/api/v1/touchpoints",
        json={"community_id": spots["community_id"], "kind": "lobby", "label": "X"},
        headers={**spots["ops"], **EN},
    )
    assert bad.status_code == 422 and "grid_id" in bad.get_json()["error"]["fields"]


def test_of_three_butlers_accepting_at_once_exactly_one_gets_it(app, client, spots, crew):
    import threading

    from fulfilment.models import StaffMember

    with app.app_context(), db.session_scope() as s:
        for member in s.exec(select(StaffMember)):
            member.is_on_duty = False  # offered to nobody: the grid races for it
        s.commit()
    body = scan(client, spots["building"], REPORT).get_json()
    results: list[str] = []
    barrier = threading.Barrier(3)

    def accept(staff_id: int) -> None:
        barrier.wait()
        with app.app_context(), db.session_scope() as s:
            try:
                touchpoints.act(request_id=body["id"], staff_id=staff_id, action="accept")
                s.commit()
                results.append("ok")
            except Exception as exc:  # the refusal is what we count
                results.append(getattr(exc, "code", type(exc).__name__))

    threads = [
        threading.Thread(target=accept, args=(who,))
        for who in (crew.busy_butler, crew.free_butler, crew.off_butler)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "request_taken", "request_taken"]
    with app.app_context(), db.session_scope(write=False) as s:
        accepts = s.exec(
            select(func.count())
            .select_from(RequestEvent)
            .where(RequestEvent.request_id == body["id"], RequestEvent.action == "accept")
        ).one()
    assert accepts == 1
