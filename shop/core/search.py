"""The full-text engine behind one small interface: Whoosh indexes with jieba segmentation.

Each process keeps one searcher per index and refreshes it (opening one costs ~50 ms), and
every query is time-boxed, returning what it found so far rather than hanging a worker.
Only one writer should run at a time: index updates go through the `search` job queue.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jieba
from flask import Flask, current_app, has_app_context
from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter, Token, Tokenizer
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.fields import Schema
from whoosh.idsets import BitSet
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import Query
from whoosh.searching import Searcher

log = logging.getLogger(__name__)
_jieba_lock = threading.Lock()
_jieba_ready = False


def prepare_jieba(cache_dir: str | Path | None = None) -> None:
    """Load jieba's dictionary once per process, caching it under `cache_dir` (not /tmp).

    Without a directory it uses the current app's instance folder, else the system's temp.
    """
    global _jieba_ready
    if _jieba_ready:
        return
    if cache_dir is None:
        cache_dir = (
            Path(current_app.instance_path) if has_app_context() else Path(tempfile.gettempdir())
        ) / "jieba"
    with _jieba_lock:
        if _jieba_ready:
            return
        jieba.setLogLevel(logging.WARNING)
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(cache_dir)
        jieba.initialize()
        _jieba_ready = True


def _is_word(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


class JiebaTokenizer(Tokenizer):
    """Splits Chinese text into words (and their sub-words, jieba's search mode)."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Yield one token per word of `value` (Whoosh's tokenizer protocol)."""
        prepare_jieba()
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, start, end in jieba.tokenize(value, mode="search"):
            if not _is_word(word):
                continue
            token.text = word.strip()
            token.boost = 1.0
            if keeporiginal:
                token.original = token.text
            token.stopped = False
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def jieba_words(text: str) -> list[tuple[str, int, int]]:
    """jieba's words of `text` in search mode, with their start and end offsets."""
    prepare_jieba()
    return list(jieba.tokenize(text, mode="search"))


def precise_words(text: str) -> list[str]:
    """jieba's precise cut of `text` (each character once, the longest words)."""
    prepare_jieba()
    return list(jieba.cut(text))


def query_words(text: str) -> list[str]:
    """The words of a shopper's query: jieba's precise cut, lowercased, without punctuation.

    The index holds each word and its sub-words (search mode), so the query needs only the
    whole words: 矿泉水 finds 农夫山泉矿泉水, with a fraction of the terms to score.
    """
    prepare_jieba()
    words = (w.strip().lower() for w in jieba.cut(text))
    return list(dict.fromkeys(w for w in words if w and _is_word(w)))


def chinese_analyzer() -> Any:
    """The analyzer for Chinese (and mixed English) text fields."""
    return JiebaTokenizer() | LowercaseFilter()


@dataclass(frozen=True)
class Hit:
    """One result: the stored fields, the score and highlighted fragments by field."""

    fields: dict[str, Any]
    score: float
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Results:
    """The top hits; `partial` when the time box cut scoring short.

    No total: counting every match costs as much as the search itself.
    """

    hits: list[Hit]
    partial: bool


class SearchIndex:
    """One Whoosh index: unique-key updates, a cached searcher and time-boxed queries."""

    def __init__(
        self, directory: Path, schema: Schema, *, key: str = "id", time_limit: float = 0.5
    ) -> None:
        self.directory = directory
        self.schema = schema
        self.key = key
        self.time_limit = time_limit
        self._searcher: Searcher | None = None
        # Doc-id sets of filter queries, valid for the current searcher only.
        self._filters: dict[str, Any] = {}
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        self._ix = None
        if whoosh_index.exists_in(str(directory)):
            self._ix = whoosh_index.open_dir(str(directory))
            if _shape(self._ix.schema) != _shape(schema):
                log.warning(
                    "index %s was built with other fields; starting it afresh (run "
                    "`flask --app wsgi search reindex`)",
                    directory,
                )
                self._ix = None
        if self._ix is None:
            self._ix = whoosh_index.create_in(str(directory), schema)

    def update(self, docs: Iterable[dict[str, Any]], *, delete: Iterable[Any] = ()) -> None:
        """Add or replace `docs` (by key) and delete the keys in `delete`, in one commit."""
        with self._ix.writer(timeout=60, delay=0.05) as writer:
            for key in delete:
                writer.delete_by_term(self.key, str(key))
            for doc in docs:
                writer.update_document(**doc)

    def rebuild(
        self, docs: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None
    ) -> int:
        """Replace the whole index with `docs`; calls `progress(n)` as documents are added."""
        count = 0
        if _shape(self._ix.schema) != _shape(self.schema):
            # Fields changed: start from an empty index with this code's schema. Otherwise the
            # old documents stay searchable until the rebuild commits (it clears them then).
            self.close()
            self._ix = whoosh_index.create_in(str(self.directory), self.schema)
        writer = self._ix.writer(timeout=60, delay=0.05, limitmb=128)
        try:
            with writer.group():
                for doc in docs:
                    writer.add_document(**doc)
                    count += 1
                    if progress:
                        progress(count)
            writer.commit(mergetype=_clear_merge())
        except BaseException:
            writer.cancel()
            raise
        return count

    def searcher(self) -> Searcher:
        """This process's searcher, refreshed if the index changed since the last query."""
        with self._lock:
            if self._searcher is None or not self._searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers and so misses documents
                # deleted from a segment it already had open.
                if self._searcher is not None:
                    self._searcher.close()
                self._searcher = self._ix.searcher()
                self._filters = {}
            return self._searcher

    def parse(self, text: str, fields: list[str], boosts: dict[str, float] | None = None) -> Query:
        """Parse user text over `fields`; any word may match (ranked by how many do)."""
        parser = MultifieldParser(
            fields, self.schema, fieldboosts=boosts, group=OrGroup.factory(0.9)
        )
        return parser.parse(text)

    def search(
        self,
        query: Query,
        *,
        limit: int = 20,
        filter: Query | None = None,
        highlight: tuple[str, ...] = (),
    ) -> Results:
        """Run `query` for the top `limit` hits within the time box.

        A `filter` query is turned into a set of documents once per searcher and reused: most
        filters (segments, status) repeat across queries and match most of the index.
        """
        searcher = self.searcher()
        allowed = None
        if filter is not None:
            key = repr(filter)
            allowed = self._filters.get(key)
            if allowed is None:
                allowed = self._filters[key] = BitSet(
                    searcher.docs_for_query(filter), size=searcher.doc_count_all()
                )
        collector = searcher.collector(limit=limit, filter=allowed)
        timed = TimeLimitCollector(collector, self.time_limit, use_alarm=False)
        partial = False
        try:
            searcher.search_with_collector(query, timed)
        except TimeLimit:
            partial = True
            log.warning("search time box hit for %r", query)
        results = collector.results()
        hits = [
            Hit(
                fields=dict(hit.fields()),
                score=hit.score or 0.0,
                highlights={name: hit.highlights(name) for name in highlight},
            )
            for hit in results
        ]
        return Results(hits=hits, partial=partial)

    def doc_count(self) -> int:
        """Number of documents in the index."""
        return self.searcher().doc_count()

    def close(self) -> None:
        """Close this process's searcher."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None


def _shape(schema: Schema) -> list[tuple[str, str, bool]]:
    """What must match for an index to serve a schema: names, field types, stored or not."""
    return sorted(
        (name, type(field).__name__, bool(field.stored)) for name, field in schema.items()
    )


def _clear_merge() -> Callable[..., Any]:
    from whoosh.writing import CLEAR

    return CLEAR


def get_index(name: str, schema: Schema, *, key: str = "id") -> SearchIndex:
    """The app's index called `name`, opened once per process."""
    app = current_app._get_current_object()
    indexes: dict[str, SearchIndex] = app.extensions["shop.search"]
    if name not in indexes:
        prepare_jieba()
        indexes[name] = SearchIndex(
            Path(app.config["SEARCH_DIR"]) / name,
            schema,
            key=key,
            time_limit=float(app.config["SEARCH_TIME_LIMIT_SECONDS"]),
        )
    return indexes[name]


def init_app(app: Flask) -> None:
    """Give the app its (empty) registry of open indexes."""
    app.extensions["shop.search"] = {}


@dataclass(frozen=True)
class Indexer:
    """How to rebuild one index from the database: count and rebuild(progress)."""

    name: str
    count: Callable[[], int]
    rebuild: Callable[[Callable[[int], None]], int]


def register_indexer(app: Flask, indexer: Indexer) -> None:
    """Declare an index that `flask --app wsgi search reindex` rebuilds."""
    app.extensions.setdefault("shop.search.indexers", []).append(indexer)


def indexers(app: Flask) -> list[Indexer]:
    """The registered indexers."""
    return list(app.extensions.get("shop.search.indexers", []))
