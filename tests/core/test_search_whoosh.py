"""The Whoosh engine's own upkeep: an index built with other fields is started afresh."""

from __future__ import annotations

from shop.core.search import Field, Fields, Kind
from shop.core.search_whoosh import WhooshIndex


def test_an_index_built_with_other_fields_is_started_afresh(app, tmp_path):
    old = WhooshIndex(tmp_path / "ix", Fields((Field("id", Kind.KEY),)))
    old.update([{"id": "1"}])
    old.close()
    new = WhooshIndex(
        tmp_path / "ix", Fields((Field("id", Kind.KEY), Field("title", Kind.TEXT, stored=True)))
    )
    assert new.doc_count() == 0 and "title" in new.schema.names()
