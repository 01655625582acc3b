"""Production plans: confirmed and forecast pieces per item and compound, rounded to the
producer's batch rules; answered by the producer line by line; fenced by supplier."""

from __future__ import annotations

from datetime import timedelta

from tests.fixtures_orders import MONDAY


def _issue(client, producer, **extra):
    body = {
        "supplier_id": producer["farm"],
        "week": MONDAY.isoformat(),
        "items": [{"item_id": producer["tofu"], "min_batch": 10, "multiple": 6}],
        **extra,
    }
    return client.post("/api/v1/production-plans", json=body, headers=producer["operator"])


def test_a_plan_rounds_confirmed_plus_forecast_to_the_batch_rules(client, producer):
    made = _issue(client, producer)
    assert made.status_code == 201
    lines = {(ln["item"], ln["community"]): ln for ln in made.get_json()["lines"]}
    tofu = lines[("卤水豆腐", "阳光花园")]
    # 5 confirmed + 3 forecast (2.4 rounded up) = 8; at least 10; a multiple of 6: 12
    assert (tofu["confirmed"], tofu["tentative"], tofu["planned"]) == (5, 3, 12)
    assert tofu["deliver_on"] == (MONDAY + timedelta(days=3)).isoformat()
    milk = lines[("鲜豆浆", "翠湖苑")]
    assert (milk["confirmed"], milk["tentative"], milk["planned"]) == (0, 2, 2)
    again = _issue(client, producer)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "plan_exists"
    tuesday = _issue(client, producer, week=(MONDAY + timedelta(days=1)).isoformat())
    assert tuesday.status_code == 422 and "week" in tuesday.get_json()["error"]["fields"]


def test_each_compound_gets_its_own_delivery_day_within_the_week(client, producer):
    saturday = (MONDAY + timedelta(days=5)).isoformat()
    outside = _issue(
        client,
        producer,
        deliveries=[
            {
                "community_id": producer["lake"],
                "deliver_on": (MONDAY + timedelta(days=7)).isoformat(),
            }
        ],
    )
    assert outside.status_code == 422 and "deliveries" in outside.get_json()["error"]["fields"]
    made = _issue(
        client, producer, deliveries=[{"community_id": producer["lake"], "deliver_on": saturday}]
    )
    days = {ln["community"]: ln["deliver_on"] for ln in made.get_json()["lines"]}
    assert days == {"阳光花园": (MONDAY + timedelta(days=3)).isoformat(), "翠湖苑": saturday}


def test_only_producers_get_plans(client, producer):
    made = _issue(client, producer, supplier_id=producer["other_supplier"], items=[])
    assert made.status_code == 409 and made.get_json()["error"]["code"] == "not_a_producer"


def test_the_producer_answers_each_line_and_the_operator_sees_it(client, producer):
    plan = _issue(client, producer).get_json()
    url = f"/api/v1/suppliers/{producer['farm']}/production-plans"
    seen = client.get(url, headers=producer["member"]).get_json()["items"]
    assert [p["id"] for p in seen] == [plan["id"]]
    by_item = {ln["item"]: ln["id"] for ln in plan["lines"]}
    partial = client.post(
        f"{url}/{plan['id']}/response",
        json={"lines": [{"line_id": by_item["卤水豆腐"], "quantity": 12}]},
        headers=producer["member"],
    )
    assert partial.status_code == 422  # every line, or none
    answered = client.post(
        f"{url}/{plan['id']}/response",
        json={
            "lines": [
                {"line_id": by_item["卤水豆腐"], "quantity": 12},
                {"line_id": by_item["鲜豆浆"], "quantity": 0, "note": "周四停产检修"},
            ]
        },
        headers=producer["member"],
    )
    assert answered.status_code == 200
    got = {
        ln["item"]: (ln["answer"], ln["answered_quantity"], ln["note"])
        for ln in answered.get_json()["lines"]
    }
    assert got == {"卤水豆腐": ("accepted", 12, ""), "鲜豆浆": ("adjusted", 0, "周四停产检修")}
    operator_view = client.get(url, headers=producer["operator"]).get_json()["items"][0]
    assert operator_view["status"] == "answered"
    twice = client.post(
        f"{url}/{plan['id']}/response", json={"lines": []}, headers=producer["member"]
    )
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "plan_answered"


def test_another_supplier_neither_reads_nor_answers_the_plan(client, producer):
    plan = _issue(client, producer).get_json()
    url = f"/api/v1/suppliers/{producer['farm']}/production-plans"
    assert client.get(url, headers=producer["other"]).status_code == 404
    answer = {"lines": [{"line_id": ln["id"], "quantity": 1} for ln in plan["lines"]]}
    refused = client.post(f"{url}/{plan['id']}/response", json=answer, headers=producer["other"])
    assert refused.status_code == 404
    assert client.get(url, headers=producer["member"]).get_json()["items"][0]["status"] == "issued"


def test_the_producer_answers_on_its_portal_page(app, client, producer):
    from tests.conftest import csrf_token, web_login

    plan = _issue(client, producer).get_json()
    web_login(client, "farm@producer.test")
    page = client.get("/supplier/plans").get_data(as_text=True)
    assert "卤水豆腐" in page and "阳光花园" in page and 'name="quantity-' in page
    token = csrf_token(client, "/supplier/plans")
    by_item = {ln["item"]: ln["id"] for ln in plan["lines"]}
    bad = client.post(
        "/supplier/plans",
        data={"csrf_token": token, "plan_id": plan["id"], f"quantity-{by_item['卤水豆腐']}": "x"},
    )
    assert "整数" in client.get(bad.headers["Location"]).get_data(as_text=True)
    client.post(
        "/supplier/plans",
        data={
            "csrf_token": token,
            "plan_id": plan["id"],
            f"quantity-{by_item['卤水豆腐']}": "12",
            f"quantity-{by_item['鲜豆浆']}": "1",
            f"note-{by_item['鲜豆浆']}": "只能做一箱",
        },
    )
    seen = client.get(
        f"/api/v1/suppliers/{producer['farm']}/production-plans", headers=producer["operator"]
    ).get_json()["items"][0]
    assert seen["status"] == "answered"
    assert {ln["item"]: ln["answer"] for ln in seen["lines"]} == {
        "卤水豆腐": "accepted",
        "鲜豆浆": "adjusted",
    }


def test_the_operator_issues_a_plan_on_the_console_with_batch_rules(app, client, producer):
    from tests.conftest import csrf_token, web_login

    web_login(client, "plans@shop.test")
    page = client.get("/console/plans").get_data(as_text=True)
    assert "豆香工坊" in page and "卤水豆腐" in page
    token = csrf_token(client, "/console/plans")
    form = {"csrf_token": token, "supplier_id": producer["farm"], "week": MONDAY.isoformat()}
    bad = client.post("/console/plans", data={**form, f"min-{producer['tofu']}": "0"})
    assert "请填写不小于 1 的整数" in client.get(bad.headers["Location"]).get_data(as_text=True)
    client.post(
        "/console/plans",
        data={**form, f"min-{producer['tofu']}": "10", f"mult-{producer['tofu']}": "6"},
    )
    plans = client.get(
        f"/api/v1/suppliers/{producer['farm']}/production-plans", headers=producer["operator"]
    ).get_json()["items"]
    assert len(plans) == 1
    tofu = next(ln for ln in plans[0]["lines"] if ln["item"] == "卤水豆腐")
    assert (tofu["min_batch"], tofu["multiple"], tofu["planned"]) == (10, 6, 12)
    assert "等待生产商答复" in client.get("/console/plans").get_data(as_text=True)
