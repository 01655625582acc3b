"""Search: Chinese words inside compound names, pinyin, synonyms, segments, and the index job."""

from __future__ import annotations

import fakeredis
import pytest
from rq import Queue

from shop.core import db, jobs
from suppliers.catalogue.services import search
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.usefixtures("search_engine")


def titles(client, q, headers=None):
    response = client.get("/api/v1/search", query_string={"q": q}, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return [hit["bundle"]["title"] for hit in response.get_json()["items"]]


def test_a_word_inside_a_compound_name_is_found_and_marked(client, publish):
    publish(title="农夫山泉矿泉水 550ml×24")
    response = client.get("/api/v1/search?q=矿泉水").get_json()
    assert [h["bundle"]["title"] for h in response["items"]] == ["农夫山泉矿泉水 550ml×24"]
    assert '<b class="match">矿泉水</b>' in response["items"][0]["title_html"]


@pytest.mark.parametrize("query", ["tzs", "tongzhuangshui", "桶装水", "TZS"])
def test_pinyin_initials_and_full_pinyin_find_chinese_words(client, catalogue, publish, query):
    publish(
        title="景田桶装水 18.9L 送水上楼",
        sku="W2",
        price_minor=1900,
        care_price_minor=None,
        components=[
            {
                "item_id": catalogue.items["W2"],
                "quantity": 1,
                "settlement_price_minor": 1500,
                "list_price_minor": 1900,
            }
        ],
    )
    assert titles(client, query) == ["景田桶装水 18.9L 送水上楼"]


def test_synonyms_edited_by_the_operator_apply_at_once(client, catalogue, publish, headers):
    publish(title="农夫山泉矿泉水 550ml×24")
    assert titles(client, "mineral") == []
    client.put(
        "/api/v1/synonyms",
        headers=headers("ops@catalogue.test"),
        json={"groups": [["矿泉水", "mineral"]]},
    )
    assert titles(client, "mineral") == ["农夫山泉矿泉水 550ml×24"]


def test_withdrawn_bundles_disappear_from_results(client, publish, headers):
    bundle_id = publish(title="农夫山泉矿泉水 550ml×24")
    client.post(
        f"/api/v1/bundles/{bundle_id}/withdraw",
        headers=headers("ops@catalogue.test"),
        json={"reason": "缺货"},
    )
    assert titles(client, "矿泉水") == []


def test_search_respects_segments(client, catalogue, publish, headers, resident):
    client.put(
        "/api/v1/segments/care", headers=headers("ops@catalogue.test"), json={"is_open": True}
    )
    publish(title="关怀 矿泉水 送水上楼", segments=["care"])
    assert titles(client, "矿泉水") == []
    assert titles(client, "矿泉水", headers(resident("care"))) == ["关怀 矿泉水 送水上楼"]


def test_reindex_rebuilds_from_the_database(app, publish):
    publish(title="农夫山泉矿泉水 550ml×24")
    with app.app_context():
        search.index().rebuild([])
        assert search.index().doc_count() == 0
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "indexed 1 documents" in result.output
    with app.app_context():
        assert search.index().doc_count() == 1


@pytest.fixture
def rq_catalogue_app(app_factory, tmp_path, search_engine):
    """An app whose index jobs go to the `search` queue of real Redis (fakeredis without it)."""
    app = app_factory(
        REDIS_URL=REDIS_URL or "redis://fake",
        SEARCH_DIR=str(tmp_path / "rq-search"),
        SEARCH_ENGINE=search_engine,
    )
    if REDIS_URL:
        jobs.redis_connection(app).ping()
    else:
        app.extensions["shop.redis"] = fakeredis.FakeStrictRedis()
    Queue("search", connection=jobs.redis_connection(app)).empty()
    return app


def test_a_published_bundle_becomes_searchable_when_the_worker_runs_the_job(
    rq_catalogue_app, make_user
):
    from tests.fixtures_catalogue import bundle_data, make_catalogue

    app = rq_catalogue_app
    cat = make_catalogue(app, make_user)
    with app.app_context(), db.session_scope() as s:
        from suppliers.catalogue.services import bundles as services

        bundle = services.create_bundle(actor_id=cat.operator_id, data=bundle_data(cat))
        services.publish_bundle(bundle_id=bundle.id, actor_id=cat.operator_id)
        s.commit()
    client = app.test_client()
    assert Queue("search", connection=jobs.redis_connection(app)).count == 1
    assert titles(client, "矿泉水") == []  # not yet: the job waits for a worker
    jobs.run_worker(app, ["search"], burst=True)
    assert titles(client, "矿泉水") == ["农夫山泉矿泉水 整箱送货上楼"]
