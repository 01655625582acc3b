"""The search interface on each engine: jieba segmentation, keyed updates, rebuilds, filters,
tie-breaks, the bound on a query, and the same scores on both engines."""

from __future__ import annotations

import pytest

from shop.core import db, search
from shop.core.search import AnyOf, Field, Fields, Kind, Term

pytestmark = pytest.mark.usefixtures("search_engine")

FIELDS = Fields(
    (
        Field("id", Kind.KEY),
        Field("title", Kind.TEXT, stored=True, boost=3.0),
        Field("body", Kind.TEXT),
        Field("py", Kind.LETTERS),
        Field("tags", Kind.KEYWORDS, commas=True, boost=2.0),
        Field("segments", Kind.KEYWORDS, commas=True, stored=True),
        Field("rank", Kind.NUMBER),
        Field("price", Kind.STORED),
    )
)


def ids(results: search.Results) -> list[str]:
    return [h.fields["id"] for h in results.hits]


def test_a_word_inside_a_compound_chinese_name_is_found(app):
    with app.app_context(), db.unit_of_work():
        index = search.get_index("t1", FIELDS)
        index.update(
            [
                {"id": "1", "title": "农夫山泉矿泉水 550ml×24", "price": 4990},
                {"id": "2", "title": "鲁花花生油 5L", "price": 14990},
            ]
        )
    with app.app_context():
        results = index.search(search.words_query("矿泉水", ["title"]))
    assert ids(results) == ["1"]
    assert results.hits[0].fields["price"] == 4990
    assert results.hits[0].fields["title"] == "农夫山泉矿泉水 550ml×24"
    assert not results.partial


def test_update_replaces_a_document_by_key_and_delete_removes_it(app):
    with app.app_context():
        index = search.get_index("t2", FIELDS)
        with db.unit_of_work():
            index.update([{"id": "1", "title": "桶装水"}])
        with db.unit_of_work():
            index.update([{"id": "1", "title": "纯净水"}])
        assert index.search(search.words_query("桶装水", ["title"])).hits == []
        assert ids(index.search(search.words_query("纯净水", ["title"]))) == ["1"]
        with db.unit_of_work():
            index.update([], delete=["1"])
        assert index.doc_count() == 0


def test_rebuild_replaces_everything_and_reports_progress(app):
    seen = []
    with app.app_context():
        index = search.get_index("t3", FIELDS)
        with db.unit_of_work():
            index.update([{"id": "old", "title": "旧商品"}])
        count = index.rebuild(
            ({"id": str(n), "title": f"大米 {n}"} for n in range(30)), progress=seen.append
        )
        assert count == 30 and seen[-1] == 30
        assert index.doc_count() == 30
        assert index.search(search.words_query("旧商品", ["title"])).hits == []


def test_mixed_english_is_lowercased_and_letters_match_by_prefix(app):
    with app.app_context():
        index = search.get_index("t4", FIELDS)
        index.rebuild([{"id": "1", "title": "Pure WATER 纯净水", "py": "chunjingshui CJS"}])
        assert ids(index.search(search.words_query("water", ["title"]))) == ["1"]
        assert ids(index.search(AnyOf((Term("py", "cjs"),)))) == ["1"]
        assert ids(index.search(AnyOf((Term("py", "chunj", prefix=True),)))) == ["1"]
        assert index.search(AnyOf((Term("py", "chunj"),))).hits == []


def test_within_keeps_only_documents_with_one_of_the_keywords(app):
    with app.app_context():
        index = search.get_index("t5", FIELDS)
        index.rebuild(
            {"id": str(n), "title": f"矿泉水 {n}", "segments": "care" if n % 3 else "mass,care"}
            for n in range(60)
        )
        within = AnyOf((Term("segments", "mass"),))
        found = index.search(search.words_query("矿泉水", ["title"]), limit=50, within=within)
    assert sorted(int(i) for i in ids(found)) == list(range(0, 60, 3))


def test_equal_scores_go_to_the_higher_tie_break(app):
    with app.app_context():
        index = search.get_index("t6", FIELDS)
        index.rebuild(
            [
                {"id": "1", "title": "大米", "rank": 100},
                {"id": "2", "title": "大米", "rank": 9000},
                {"id": "3", "title": "大米 大米", "tags": "大米", "rank": 0},
            ]
        )
        found = index.search(search.words_query("大米", ["title", "tags"]), then_by="rank", limit=3)
    assert ids(found) == ["3", "2", "1"]


def test_a_query_past_its_bound_returns_what_it_found(app, search_engine):
    with app.app_context():
        index = search.get_index("t7", FIELDS)
        index.rebuild({"id": str(n), "title": f"矿泉水 第{n}号"} for n in range(2_000))
        if search_engine == "whoosh":
            index.time_limit = 0.0
        else:
            index.cap = 100
        results = index.search(search.words_query("矿泉水", ["title"]), limit=10)
    assert results.partial
    assert len(results.hits) <= 10


def test_scores_follow_the_documented_formula(app):
    """BM25 without length normalisation for words, the field's boost for keywords, a flat
    boost for a prefix: the same figures on either engine."""
    docs = [
        {"id": "1", "title": "矿泉水", "tags": "饮用水", "py": "kuangquanshui"},
        {"id": "2", "title": "纯净水", "body": "矿泉水"},
        {"id": "3", "title": "大米"},
        {"id": "4", "title": "花生油"},
    ]
    query = AnyOf(
        (
            Term("title", "矿泉水", boost=2.0),
            Term("body", "矿泉水"),
            Term("tags", "饮用水"),
            Term("py", "kuang", prefix=True, boost=0.5),
        )
    )
    with app.app_context():
        index = search.get_index("t8", FIELDS)
        index.rebuild(docs)
        scores = {h.fields["id"]: h.score for h in index.search(query).hits}
    title = FIELDS.get("title")
    expected_1 = (
        search.clause_score(title, Term("title", "矿泉水", 2.0), idf_value=search.idf(4, 1))
        + 2.0  # tags: a keyword scores its field's boost
        + 0.5  # the prefix: its boost, flat
    )
    expected_2 = search.clause_score(
        FIELDS.get("body"), Term("body", "矿泉水"), idf_value=search.idf(4, 1)
    )
    assert scores == pytest.approx({"1": expected_1, "2": expected_2})


def test_a_field_that_is_not_searched_cannot_be_asked_or_filtered(app):
    with app.app_context():
        index = search.get_index("t9", FIELDS)
        with pytest.raises(ValueError, match="not searched"):
            index.search(AnyOf((Term("price", "1"),)))
        with pytest.raises(ValueError, match="KEYWORDS"):
            index.search(AnyOf((Term("title", "水"),)), within=AnyOf((Term("tags", "x"),)))


def test_quotes_and_backslashes_in_terms_are_searched_verbatim(app):
    with app.app_context():
        index = search.get_index("t10", FIELDS)
        index.rebuild([{"id": "1", "title": "x", "tags": "it's,a\\b,'|&!:*"}])
        for tag in ("it's", "a\\b", "'|&!:*"):
            assert ids(index.search(AnyOf((Term("tags", tag),)))) == ["1"], tag


def test_updates_and_deletions_answer_as_a_rebuild_of_the_same_documents(app, search_engine):
    """Whoosh keeps updates in new segments and marks deletions; the answers (hits, order and
    scores) must be those of an index rebuilt from the same documents."""
    words = ["矿泉水", "纯净水", "大米", "花生油", "保洁"]
    docs = {
        str(n): {
            "id": str(n),
            "title": f"{words[n % 5]} {words[(n * 7) % 5]}",
            "segments": "mass" if n % 4 else "care",
            "rank": n % 6,
        }
        for n in range(1, 80)
    }
    query = search.words_query("矿泉水 大米", ["title"])
    within = AnyOf((Term("segments", "mass"),))
    with app.app_context():
        index = search.get_index("t11", FIELDS)
        index.rebuild(docs.values())
        changed = {k: {**docs[k], "title": "大米 矿泉水 新品"} for k in ("3", "40", "77")}
        with db.unit_of_work():
            index.update(changed.values(), delete=["5", "41"])
        index.search(query)  # a searcher over the segments as they are now
        with db.unit_of_work():
            index.update([], delete=["6"])
        docs.update(changed)
        for k in ("5", "41", "6"):
            del docs[k]
        updated = index.search(query, limit=30, within=within, then_by="rank")
        fresh = search.get_index("t12", FIELDS)
        fresh.rebuild(docs.values())
        rebuilt = fresh.search(query, limit=30, within=within, then_by="rank")
        assert index.doc_count() == len(docs)
    assert [(h.fields["id"], round(h.score, 6)) for h in updated.hits] == [
        (h.fields["id"], round(h.score, 6)) for h in rebuilt.hits
    ]
    assert {"5", "41", "6"}.isdisjoint(ids(updated))
