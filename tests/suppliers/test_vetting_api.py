"""Applying, evaluating, the checklist and the decisions, through the JSON API."""

from __future__ import annotations

import pytest
from sqlmodel import select

from shop.core import db
from shop.core.models import AuditEntry
from suppliers.models import Supplier, SupplierEvent

APPLICATION = {
    "company_name": "安心到家配送有限公司",
    "kind": "channel_partner",
    "licence_no": "91310000MA1APPLY1X",
    "contact_name": "何经理",
    "phone": "13900000001",
    "email": "he@anxin.test",
    "password": "long enough pw",
    "categories": ["饮用水", "粮油"],
    "commitment_statement": "我们专注社区配送，承诺 2 小时送达。",
    "property_experience": "与万科物业合作三年",
    "references": "万科物业 张经理 13700000000",
}


def apply(client, **changes):
    return client.post("/api/v1/supplier-applications", json={**APPLICATION, **changes})


def test_an_application_creates_a_submitted_supplier_and_a_login(client, requirements):
    response = apply(client)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["categories"] == ["粮油", "饮用水"]
    token = client.post(
        "/api/v1/auth/token", json={"login": "he@anxin.test", "password": "long enough pw"}
    )
    assert token.get_json()["user"]["roles"] == ["supplier_member"]


def test_a_second_application_with_the_same_licence_is_refused(client):
    assert apply(client).status_code == 201
    again = apply(client, email="other@anxin.test", licence_no="91310000ma1apply1x")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate_licence"


def test_an_incomplete_application_gets_field_messages_and_changes_nothing(app, client):
    response = apply(client, kind="wholesaler", email="not-an-email", categories=[])
    assert response.status_code == 422
    assert {"kind", "email", "categories"} <= set(response.get_json()["error"]["fields"])
    with app.app_context(), db.session_scope(write=False) as s:
        assert s.exec(select(Supplier)).all() == []


def _approve_path(client, headers, supplier_id):
    ops = headers("ops@platform.test")
    return ops, f"/api/v1/suppliers/{supplier_id}"


def test_approval_waits_for_the_blocking_checklist_and_the_score(
    client, headers, operator_id, requirements
):
    supplier_id = apply(client).get_json()["id"]
    ops, base = _approve_path(client, headers, supplier_id)
    approve = {"action": "approve", "reason": "资质齐全"}

    refused = client.post(f"{base}/decisions", json=approve, headers=ops)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "checklist_open"
    assert "食品经营许可证" in refused.get_json()["error"]["message"]  # food categories

    checklist = client.get(base, headers=ops).get_json()["checklist"]
    for line in checklist:
        if line["is_blocking"]:
            client.post(
                f"{base}/checklist",
                headers=ops,
                json={"requirement_id": line["requirement_id"], "is_done": True},
            )
    refused = client.post(f"{base}/decisions", json=approve, headers=ops)
    assert refused.get_json()["error"]["code"] == "not_evaluated"

    low = {"community_commitment": 2, "property_experience": 3, "strength_management": 3}
    evaluation = client.post(f"{base}/evaluations", json=low, headers=ops)
    assert evaluation.status_code == 201 and evaluation.get_json()["weighted_score"] == 260
    refused = client.post(f"{base}/decisions", json=approve, headers=ops)
    assert refused.get_json()["error"]["code"] == "score_too_low"

    good = {
        "community_commitment": 5,
        "property_experience": 4,
        "strength_management": 4,
        "notes": "实地考察仓库整洁",
    }
    client.post(f"{base}/evaluations", json=good, headers=ops)
    approved = client.post(f"{base}/decisions", json=approve, headers=ops)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved_probation"
    events = client.get(f"{base}/events", headers=ops).get_json()["items"]
    assert [e["action"] for e in events] == ["submit", "start_review", "approve"]


def test_scores_must_be_one_to_five(client, headers, operator_id, make_supplier):
    made = make_supplier()
    bad = {"community_commitment": 6, "property_experience": 0, "strength_management": "x"}
    response = client.post(
        f"/api/v1/suppliers/{made.id}/evaluations", json=bad, headers=headers("ops@platform.test")
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == set(bad)


def test_request_info_and_resubmit(client, headers, operator_id, make_supplier):
    made = make_supplier()
    ops, member = headers("ops@platform.test"), headers(made.email)
    base = f"/api/v1/suppliers/{made.id}"
    asked = client.post(
        f"{base}/decisions",
        headers=ops,
        json={"action": "request_info", "reason": "请补充食品经营许可证"},
    )
    assert asked.get_json()["info_request"] == "请补充食品经营许可证"
    back = client.post(f"{base}/resubmit", headers=member, json={"note": "已上传"})
    assert back.status_code == 200 and back.get_json()["status"] == "under_review"


def test_a_member_cannot_decide_and_does_not_see_the_evaluations(
    client, headers, operator_id, make_supplier
):
    made = make_supplier()
    member = headers(made.email)
    base = f"/api/v1/suppliers/{made.id}"
    client.post(
        f"{base}/evaluations",
        headers=headers("ops@platform.test"),
        json={
            "community_commitment": 5,
            "property_experience": 5,
            "strength_management": 5,
            "notes": "内部备注",
        },
    )
    assert (
        client.post(
            f"{base}/decisions", headers=member, json={"action": "approve", "reason": "x"}
        ).status_code
        == 403
    )
    assert client.get(base, headers=member).get_json()["evaluations"] == []


def _ready_to_approve(client, headers, supplier_id):
    ops = headers("ops@platform.test")
    base = f"/api/v1/suppliers/{supplier_id}"
    for line in client.get(base, headers=ops).get_json()["checklist"]:
        client.post(
            f"{base}/checklist",
            headers=ops,
            json={"requirement_id": line["requirement_id"], "is_done": True},
        )
    client.post(
        f"{base}/evaluations",
        headers=ops,
        json={"community_commitment": 5, "property_experience": 5, "strength_management": 5},
    )
    return base, ops


def test_a_producer_cannot_be_approved_before_phase_two(
    app, client, headers, operator_id, make_supplier, requirements
):
    made = make_supplier(kind="producer", categories=("生鲜",))
    base, ops = _ready_to_approve(client, headers, made.id)
    refused = client.post(
        f"{base}/decisions", headers=ops, json={"action": "approve", "reason": "ok"}
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "phase_too_early"

    advance = client.post(
        "/api/v1/platform/phase",
        headers=ops,
        json={"phase": 2, "override_reason": "董事会决定提前引入生产商试点"},
    )
    assert advance.status_code == 200 and advance.get_json()["phase"] == 2
    approved = client.post(
        f"{base}/decisions", headers=ops, json={"action": "approve", "reason": "ok"}
    )
    assert approved.status_code == 200


def test_the_phase_advance_shows_readiness_and_needs_an_override_when_unmet(
    app, client, headers, operator_id
):
    state = client.get("/api/v1/platform/phase").get_json()
    assert state["phase"] == 1 and state["next_phase"] == 2 and state["ready"] is False
    figures = {f["key"]: f for f in state["readiness"]}
    assert figures["active_channel_partners"]["value"] == 0
    assert figures["delivered_orders"]["value"] == 0  # measured from orders: none delivered yet

    ops = headers("ops@platform.test")
    refused = client.post("/api/v1/platform/phase", headers=ops, json={"phase": 2})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_ready"
    skip = client.post(
        "/api/v1/platform/phase",
        headers=ops,
        json={"phase": 3, "override_reason": "a long enough reason"},
    )
    assert skip.status_code == 409 and skip.get_json()["error"]["code"] == "phase_order"
    short = client.post(
        "/api/v1/platform/phase", headers=ops, json={"phase": 2, "override_reason": "because"}
    )
    assert short.status_code == 422
    done = client.post(
        "/api/v1/platform/phase",
        headers=ops,
        json={"phase": 2, "override_reason": "试点小区需要生产商直供"},
    )
    assert done.status_code == 200
    with app.app_context(), db.session_scope(write=False) as s:
        [entry] = s.exec(
            select(AuditEntry).where(AuditEntry.action == "platform.phase_advanced")
        ).all()
    assert entry.actor_id == operator_id and entry.data["override_reason"]
    assert "delivered_orders" in entry.data["unmet"]


def test_readiness_takes_figures_from_the_layers_above(app_factory, client):
    import suppliers.api

    app = app_factory(PHASE_THRESHOLDS={"2": {"delivered_orders": 10}})
    asked = []

    def source(as_of):
        asked.append(as_of)
        return {"delivered_orders": 12 if as_of is None else 7}

    suppliers.api.register_readiness_source(app, source)
    state = app.test_client().get("/api/v1/platform/phase").get_json()
    assert state["ready"] is True and state["readiness"][0]["value"] == 12
    # the monthly snapshot asks as of a past month's end: 7 of 10 then, not ready
    from datetime import UTC, date, datetime

    from suppliers.services import measures as supplier_measures

    with app.app_context(), db.session_scope(write=False):
        end = datetime(2026, 10, 31, 16, tzinfo=UTC)
        found = {
            f.measure: (f.value, f.n)
            for f in supplier_measures.measure(date(2026, 10, 1), end, end)
        }
    assert found["project.phase_readiness"] == (0, 1) and asked[-1] == end


@pytest.mark.parametrize("status", ["submitted", "more_info_requested"])
def test_the_queue_lists_waiting_applications_first(
    client, headers, operator_id, make_supplier, status
):
    make_supplier(status="active")
    waiting = make_supplier(status=status)
    listed = client.get("/api/v1/suppliers", headers=headers("ops@platform.test")).get_json()
    assert listed["total"] == 2 and listed["items"][0]["id"] == waiting.id


def test_every_decision_is_an_event_with_actor_and_reason(
    app, client, headers, operator_id, make_supplier
):
    made = make_supplier(status="active")
    client.post(
        f"/api/v1/suppliers/{made.id}/decisions",
        headers=headers("ops@platform.test"),
        json={"action": "suspend", "reason": "多次超时"},
    )
    with app.app_context(), db.session_scope(write=False) as s:
        [event] = s.exec(select(SupplierEvent)).all()
    assert (event.actor_id, event.actor_role, event.reason) == (operator_id, "operator", "多次超时")


def test_an_approved_supplier_is_scored_again_in_a_periodic_review(
    client, headers, operator_id, make_supplier
):
    ops = headers("ops@platform.test")
    active = make_supplier(status="active")
    review = {
        "community_commitment": 3,
        "property_experience": 4,
        "strength_management": 2,
        "notes": "季度复评",
    }
    again = client.post(f"/api/v1/suppliers/{active.id}/evaluations", json=review, headers=ops)
    assert again.status_code == 201, again.get_json()
    detail = client.get(f"/api/v1/suppliers/{active.id}", headers=ops).get_json()
    assert detail["status"] == "active"  # a review changes no status
    rejected = make_supplier(status="rejected")
    closed = client.post(f"/api/v1/suppliers/{rejected.id}/evaluations", json=review, headers=ops)
    assert closed.status_code == 409
