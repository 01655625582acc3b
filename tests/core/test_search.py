"""The Whoosh wrapper: jieba segmentation, keyed updates, rebuilds and the time box."""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from shop.core import search


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=search.chinese_analyzer()),
        price=STORED,
    )


def test_a_word_inside_a_compound_chinese_name_is_found(app):
    with app.app_context():
        index = search.get_index("t1", schema())
        index.update(
            [
                {"id": "1", "title": "农夫山泉矿泉水 550ml×24", "price": 4990},
                {"id": "2", "title": "鲁花花生油 5L", "price": 14990},
            ]
        )
        results = index.search(index.parse("矿泉水", ["title"]), highlight=("title",))
    assert [h.fields["id"] for h in results.hits] == ["1"]
    assert "矿泉水" in results.hits[0].highlights["title"]
    assert results.hits[0].fields["price"] == 4990
    assert not results.partial


def test_update_replaces_a_document_by_key_and_delete_removes_it(app):
    with app.app_context():
        index = search.get_index("t2", schema())
        index.update([{"id": "1", "title": "桶装水"}])
        index.update([{"id": "1", "title": "纯净水"}])
        assert index.search(index.parse("桶装水", ["title"])).hits == []
        assert index.search(index.parse("纯净水", ["title"])).hits != []
        index.update([], delete=["1"])
        assert index.doc_count() == 0


def test_rebuild_replaces_everything_and_reports_progress(app):
    seen = []
    with app.app_context():
        index = search.get_index("t3", schema())
        index.update([{"id": "old", "title": "旧商品"}])
        count = index.rebuild(
            ({"id": str(n), "title": f"大米 {n}"} for n in range(30)), progress=seen.append
        )
        assert count == 30 and seen[-1] == 30
        assert index.doc_count() == 30
        assert index.search(index.parse("旧商品", ["title"])).hits == []


def test_mixed_english_is_lowercased(app):
    with app.app_context():
        index = search.get_index("t4", schema())
        index.update([{"id": "1", "title": "Pure WATER 纯净水"}])
        assert index.search(index.parse("water", ["title"])).hits != []


def test_a_query_past_its_time_box_returns_what_it_found(app):
    with app.app_context():
        index = search.get_index("t5", schema())
        index.rebuild({"id": str(n), "title": f"矿泉水 第{n}号"} for n in range(2_000))
        index.time_limit = 0.0
        results = index.search(index.parse("矿泉水", ["title"]), limit=10)
    assert results.partial
    assert len(results.hits) <= 10


def test_an_index_built_with_other_fields_is_started_afresh(app, tmp_path):
    from whoosh.fields import ID, Schema

    old = search.SearchIndex(tmp_path / "ix", Schema(id=ID(stored=True, unique=True)))
    old.update([{"id": "1"}])
    old.close()
    new = search.SearchIndex(tmp_path / "ix", schema())
    assert new.doc_count() == 0 and "title" in new.schema.names()
