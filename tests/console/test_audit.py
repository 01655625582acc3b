"""The audit log is readable: filtered by who, what, object and when, and exported as CSV."""

from __future__ import annotations

import csv
import io

from tests.conftest import web_login


def test_the_operator_filters_the_audit_log_and_exports_it(app, client, demo_snapshot):
    demo_snapshot.seed(app)
    web_login(client, "operator@demo.local", "demo1234")
    everything = client.get("/console/audit").get_data(as_text=True)
    assert everything.count("<code>") == 50 and "/console/audit?page=2" in everything
    only = client.get("/console/audit?action=touchpoint.").get_data(as_text=True)
    assert "touchpoint.created" in only and "search.synonyms_replaced" not in only
    assert "5 条记录" in only  # the demo hangs five codes
    mine = client.get("/console/audit?actor=operator@demo.local&action=touchpoint.")
    assert "5 条记录" in mine.get_data(as_text=True)
    nobody = client.get("/console/audit?actor=nobody@demo.local").get_data(as_text=True)
    assert "0 条记录" in nobody
    future = client.get("/console/audit?since=2999-01-01").get_data(as_text=True)
    assert "0 条记录" in future
    bad_date = client.get("/console/audit?since=yesterday")
    assert bad_date.status_code == 200  # an unreadable date is ignored, not a 500
    exported = client.get("/console/audit.csv?action=touchpoint.")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["id", "at", "actor_id", "actor", "action"]
    assert len(rows) == 6 and {r[4] for r in rows[1:]} == {"touchpoint.created"}
    assert any("南门快递驿站" in r[7] for r in rows[1:])


def test_the_operator_and_managers_read_the_audit_log_and_nobody_else(app, client, demo_snapshot):
    demo_snapshot.seed(app)
    web_login(client, "manager@demo.local", "demo1234")
    assert client.get("/console/audit").status_code == 200  # their grids' part: test_managers
    for login in ("resident1@demo.local", "staff1@demo.local"):
        web_login(client, login, "demo1234")
        assert client.get("/console/audit").status_code == 403
        assert client.get("/console/audit.csv").status_code == 403


def test_the_operator_runs_compounds_on_the_page(app, client, demo_snapshot):
    from tests.conftest import csrf_token

    demo_snapshot.seed(app)
    web_login(client, "operator@demo.local", "demo1234")
    page = client.get("/console/compounds").get_data(as_text=True)
    assert "阳光花园" in page and "网格A" in page

    def post(**data):
        token = csrf_token(client, "/console/compounds")
        return client.post("/console/compounds", data={"csrf_token": token, **data})

    assert post(do="community", code="xinyuan", name="新苑小区", service_hours="08:00-20:00")
    page = client.get("/console/compounds").get_data(as_text=True)
    assert "新苑小区" in page and "服务中心 08:00-20:00" in page
    import re

    community_id = re.findall(r'id="community-(\d+)"', page)[-1]
    post(do="buildings", community_id=community_id, names="1栋，2栋、3栋")
    page = client.get("/console/compounds").get_data(as_text=True)
    section = page[page.index(f'id="community-{community_id}"') :]
    assert section.count("<td>—</td>") == 3  # three buildings, no grid yet
    ids = re.findall(r'name="building_ids" value="(\d+)"', section)
    post(do="grid", community_id=community_id, name="新苑一网格", building_ids=ids[:2])
    page = client.get("/console/compounds").get_data(as_text=True)
    section = page[page.index(f'id="community-{community_id}"') :]
    buildings_table = section[: section.index("</table>")]
    assert buildings_table.count("新苑一网格</td>") == 2  # two buildings in the new grid
    assert 'id="grid-manager-' in section  # and the grid's manager can be set
    refused = post(do="community", code="Bad Code", name="X")
    assert refused.status_code == 200  # the page again, saying what is wrong
    body = refused.get_data(as_text=True)
    assert "code: 2–32 位小写字母、数字或短横线。" in body and "name:" in body


def test_the_operator_adds_and_lets_go_of_staff_on_the_compounds_page(app, client, demo_snapshot):
    import re

    from tests.conftest import csrf_token

    demo_snapshot.seed(app)
    web_login(client, "operator@demo.local", "demo1234")
    page = client.get("/console/compounds").get_data(as_text=True)
    grid_id = re.findall(r'name="grid_ids" value="(\d+)"', page)[0]
    token = csrf_token(client, "/console/compounds")
    client.post(
        "/console/compounds",
        data={
            "csrf_token": token,
            "do": "hire",
            "display_name": "新管家 钱",
            "phone": "13955556666",
            "employee_no": "E3001",
            "staff_role": "butler",
            "grid_ids": [grid_id],
            "password": "first-pass-123",
        },
    )
    page = client.get("/console/compounds").get_data(as_text=True)
    assert "E3001" in page and "新管家 钱" in page
    bad = client.post(
        "/console/compounds",
        data={"csrf_token": token, "do": "hire", "display_name": "某", "phone": "x"},
    )
    assert "phone:" in bad.get_data(as_text=True)
    user_id = re.findall(r'name="user_id" value="(\d+)"', page)[-1]
    client.post(
        "/console/compounds",
        data={"csrf_token": token, "do": "leave", "user_id": user_id, "reason": "合同到期"},
    )
    assert "已离职" in client.get("/console/compounds").get_data(as_text=True)


def test_the_operator_previews_then_imports_the_owner_list_and_prints_the_codes(
    app, client, demo_snapshot
):
    import io
    import re

    from tests.conftest import csrf_token

    demo_snapshot.seed(app)
    web_login(client, "operator@demo.local", "demo1234")
    page = client.get("/console/compounds").get_data(as_text=True)
    path = re.findall(r'href="(/console/compounds/\d+/units)"', page)[0]
    good = "building,unit,owner_name,owner_phone\n1栋,1-0901,冯先生,13700001901\n"

    def send(text, action):
        return client.post(
            path,
            data={
                "csrf_token": csrf_token(client, path),
                "action": action,
                "file": (io.BytesIO(text.encode()), "owners.csv"),
            },
            content_type="multipart/form-data",
        )

    shown = send(good, "preview").get_data(as_text=True)
    assert 'id="preview"' in shown and "1-0901" in shown
    assert "1-0901" not in shown[shown.index('id="units"') :]  # a preview saves nothing
    bad = send(good + "1栋,,x,abc\n", "import")
    assert bad.status_code == 422 and "未保存任何内容" in bad.get_data(as_text=True)
    done = send(good, "import")
    assert done.status_code == 303
    listed = client.get(path).get_data(as_text=True)
    table = listed[listed.index('id="units"') :]
    assert "1-0901" in table and "冯先生" in table and re.search(r"<code>\d{6}</code>", table)


def test_old_ops_links_arrive_on_the_console(client):
    moved = client.get("/ops/suppliers/?status=submitted")
    assert moved.status_code == 308
    assert moved.headers["Location"] == "/console/suppliers/?status=submitted"
