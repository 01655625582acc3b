"""The Whoosh engine: an index directory per node, one cached searcher per process.

Opening a searcher costs ~50 ms, so each process keeps one and reopens it when the index
changed. Every query is time-boxed: past the box it returns the best found so far rather
than hanging a worker (plain Whoosh 2.7.4 can loop forever on some OR queries; this is
whoosh-reloaded). Only one writer should run at a time: updates go through the `search`
job queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, Token, Tokenizer
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from shop.core import search
from shop.core.search import AnyOf, Fields, Hit, Kind, Results, Term

log = logging.getLogger(__name__)


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
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, start, end in search.jieba_words(value):
            if not search.is_word(word):
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


class OnceFilter(Filter):
    """Passes each term once per value: a word counts once per field (`search.tokens`)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Drop the repeats of terms already seen in this value."""
        seen: set[str] = set()
        for t in tokens:
            if t.text not in seen:
                seen.add(t.text)
                yield t


def whoosh_schema(fields: Fields) -> Schema:
    """The Whoosh schema of an index's fields, analysing text as `search.tokens` does."""
    out: dict[str, FieldType] = {}
    for f in fields.fields:
        if f.kind is Kind.KEY:
            out[f.name] = ID(stored=True, unique=True, sortable=True)
        elif f.kind is Kind.TEXT:
            analyzer = JiebaTokenizer() | LowercaseFilter() | OnceFilter()
            out[f.name] = TEXT(
                stored=f.stored, analyzer=analyzer, field_boost=f.boost, phrase=False
            )
        elif f.kind is Kind.LETTERS:
            analyzer = RegexTokenizer(r"[a-zA-Z0-9]+") | LowercaseFilter() | OnceFilter()
            out[f.name] = TEXT(
                stored=f.stored, analyzer=analyzer, field_boost=f.boost, phrase=False
            )
        elif f.kind is Kind.KEYWORDS:
            keyword = KEYWORD(stored=f.stored, lowercase=True, commas=f.commas, field_boost=f.boost)
            keyword.analyzer = keyword.analyzer | OnceFilter()
            out[f.name] = keyword
        elif f.kind is Kind.NUMBER:
            out[f.name] = NUMERIC(stored=True, bits=64, signed=True, sortable=True)
        else:
            out[f.name] = STORED()
    return Schema(**out)


class WhooshIndex:
    """One Whoosh index: keyed updates, a cached searcher and time-boxed queries."""

    def __init__(self, directory: Path, fields: Fields, *, time_limit: float = 0.5) -> None:
        self.directory = directory
        self.fields = fields
        self.schema = whoosh_schema(fields)
        self.time_limit = time_limit
        self._searcher: Searcher | None = None
        self._segments: dict[Any, _Segment] = {}
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        self._ix = None
        if whoosh_index.exists_in(str(directory)):
            self._ix = whoosh_index.open_dir(str(directory))
            if _shape(self._ix.schema) != _shape(self.schema):
                log.warning(
                    "index %s was built with other fields; starting it afresh (run "
                    "`flask --app wsgi search reindex`)",
                    directory,
                )
                self._ix = None
        if self._ix is None:
            self._ix = whoosh_index.create_in(str(directory), self.schema)

    def update(self, docs: Iterable[Mapping[str, Any]], *, delete: Iterable[Any] = ()) -> None:
        """Add or replace `docs` (by key) and delete the keys in `delete`, in one commit."""
        key = self.fields.key
        with self._ix.writer(timeout=60, delay=0.05) as writer:
            for k in delete:
                writer.delete_by_term(key, str(k))
            for doc in docs:
                writer.update_document(**self._document(doc))

    def rebuild(
        self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
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
                    writer.add_document(**self._document(doc))
                    count += 1
                    if progress:
                        progress(count)
            writer.commit(mergetype=CLEAR)
        except BaseException:
            writer.cancel()
            raise
        return count

    def _document(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in doc.items():
            kind = self.fields.get(name).kind
            out[name] = str(value) if kind is Kind.KEY else value
        return out

    def searcher(self) -> Searcher:
        """This process's searcher, reopened if the index changed since the last query."""
        with self._lock:
            if self._searcher is None or not self._searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers and so misses documents
                # deleted from a segment it already had open.
                if self._searcher is not None:
                    self._searcher.close()
                self._searcher = self._ix.searcher()
                current = {_segment_id(sub.reader()) for sub, _ in self._searcher.leaf_searchers()}
                self._segments = {k: v for k, v in self._segments.items() if k in current}
            return self._searcher

    def search(
        self,
        query: AnyOf,
        *,
        limit: int = 20,
        within: AnyOf | None = None,
        then_by: str | None = None,
    ) -> Results:
        """The best `limit` hits of `query` among documents matching `within`, time-boxed.

        Whoosh keeps the postings; the scoring is done here, a term at a time over arrays
        (`search.clause_score`): a word counts once per field, so a term adds the same to
        every document that holds it, and a query costs the length of its terms' postings,
        whatever their overlap. Whoosh's own collector visits matches one by one in Python
        and cannot skip blocks of an OR of many common words (3 of the benchmark's queries
        took past 100 ms at 100,000 bundles). Past the time box the terms not yet added are
        left out and the answer is flagged partial.
        """
        search.check_within(self.fields, within, then_by)
        terms = query.merged(self.fields)
        if not terms or limit <= 0:
            return Results(hits=[], partial=False)
        searcher = self.searcher()
        leaves = [self._segment(sub.reader()) for sub, _offset in searcher.leaf_searchers()]
        scores, partial = self._scores(leaves, terms)
        allowed = within.merged(self.fields) if within is not None else None
        # Best first: score to four places, then the tie-break, then the key (shorter first,
        # so that numbers go in their order), as the PostgreSQL engine orders them.
        hits = []
        for n, (leaf, score) in enumerate(zip(leaves, scores, strict=True)):
            hits += [
                (*order, n, doc, exact)
                for order, doc, exact in leaf.best(score, allowed, then_by, self.fields.key, limit)
            ]
        hits.sort()
        return Results(
            hits=[
                Hit(fields=dict(leaves[n].reader.stored_fields(doc)), score=exact)
                for *_order, n, doc, exact in hits[:limit]
            ],
            partial=partial,
        )

    def _scores(self, leaves: list[_Segment], terms: list[Term]) -> tuple[list[np.ndarray], bool]:
        """Each segment's score of every document, adding a term at a time until the time box."""
        started = time.perf_counter()
        live = sum(int(leaf.alive.sum()) for leaf in leaves)
        scores = [np.zeros(leaf.size) for leaf in leaves]
        for term in terms:
            if time.perf_counter() - started > self.time_limit:
                log.warning("search time box hit before %s (of %s terms)", term, len(terms))
                return scores, True
            field = self.fields.get(term.field)
            found = [leaf.ids(term) for leaf in leaves]
            df = sum(int(leaf.alive[ids].sum()) for leaf, ids in zip(leaves, found, strict=True))
            if not df:
                continue
            add = search.clause_score(field, term, idf_value=search.idf(live, df))
            for score, ids in zip(scores, found, strict=True):
                score[ids] += add
        return scores, False

    def _segment(self, reader: Any) -> _Segment:
        """The arrays kept for one segment of the index (they last as long as it does)."""
        sid = _segment_id(reader)
        seg = self._segments.get(sid)
        if seg is None or seg.reader is not reader:
            seg = _Segment(reader, old=seg)
            self._segments[sid] = seg
        return seg

    def doc_count(self) -> int:
        """Number of documents in the index."""
        return self.searcher().doc_count()

    def close(self) -> None:
        """Close this process's searcher."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None


#: Term postings kept per segment (each an array of document numbers).
POSTINGS_KEPT = 1024
_EMPTY = np.zeros(0, dtype=np.int64)


def _segment_id(reader: Any) -> Any:
    segment = reader.segment()
    return segment.segment_id() if segment is not None else id(reader)


class _Segment:
    """One segment's arrays: which documents are alive, each term's postings, tie-breaks.

    A segment never changes but for deletions, so its postings and numbers are kept across
    searchers; only the `alive` mask is read again when a searcher is reopened.
    """

    def __init__(self, reader: Any, old: _Segment | None = None) -> None:
        self.reader = reader
        self.size = reader.doc_count_all()
        self.alive = np.ones(self.size, dtype=bool)
        deleted = reader.deleted_docs_set if reader.has_deletions() else ()
        if deleted:
            self.alive[np.fromiter(deleted, dtype=np.int64)] = False
        self._postings: OrderedDict[tuple[str, str, bool], np.ndarray] = (
            old._postings if old is not None else OrderedDict()
        )
        self._numbers: dict[str, np.ndarray] = old._numbers if old is not None else {}
        #: The documents' keys, and each one's place in the order of keys (read once).
        self.keys: list[str] = old.keys if old is not None else []
        self._key_order: np.ndarray | None = old._key_order if old is not None else None
        self._lock = threading.Lock()

    def ids(self, term: Term) -> np.ndarray:
        """The documents (deleted ones too) whose field holds the term, or a prefix of it."""
        key = (term.field, term.text, term.prefix)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        if term.prefix:
            words = list(self.reader.expand_prefix(term.field, term.text))
            parts = [self._read(term.field, w) for w in words]
            found = np.unique(np.concatenate(parts)) if parts else _EMPTY
        else:
            found = self._read(term.field, term.text)
        with self._lock:
            self._postings[key] = found
            while len(self._postings) > POSTINGS_KEPT:
                self._postings.popitem(last=False)
        return found

    def _read(self, field: str, text: str | bytes) -> np.ndarray:
        """A term's postings a block at a time (Whoosh reads them a document at a time)."""
        try:
            matcher = self.reader.postings(field, text)
        except TermNotFound:
            return _EMPTY
        if isinstance(matcher, FilterMatcher):  # deletions: `alive` takes care of them
            matcher = matcher.child
        if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
            return np.fromiter(matcher.all_ids(), dtype=np.int64)
        blocks = []
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            blocks.append(np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)))
            matcher._next_block()
        return np.concatenate(blocks) if blocks else _EMPTY

    def best(
        self,
        score: np.ndarray,
        within: list[Term] | None,
        then_by: str | None,
        key: str,
        limit: int,
    ) -> list[tuple[tuple[float, int, int, str], int, float]]:
        """This segment's best `limit` documents: (their order, document number, score)."""
        keep = (score > 0) & self.alive
        if within is not None:
            keep &= self.any_of(within)
        docs = np.flatnonzero(keep)
        rounded = np.round(score[docs] * 10000)
        ties = self.numbers(then_by)[docs] if then_by else np.zeros(len(docs), np.int64)
        order = self.key_order(key)
        out = []
        for i in np.lexsort((order[docs], -ties, -rounded))[:limit]:
            doc = int(docs[i])
            name = self.keys[doc]
            out.append(
                ((-float(rounded[i]), -int(ties[i]), len(name), name), doc, float(score[doc]))
            )
        return out

    def any_of(self, terms: Iterable[Term]) -> np.ndarray:
        """Which documents hold one of the terms."""
        mask = np.zeros(self.size, dtype=bool)
        for term in terms:
            mask[self.ids(term)] = True
        return mask

    def key_order(self, field: str) -> np.ndarray:
        """Each document's place in the order of keys (shorter first, then alphabetical)."""
        with self._lock:
            order = self._key_order
        if order is None:
            keys = self._column(field, str)
            text = np.array(keys, dtype=str) if keys else np.zeros(0, dtype=str)
            ranked = np.lexsort((text, np.char.str_len(text)))
            order = np.empty(self.size, dtype=np.int64)
            order[ranked] = np.arange(self.size)
            with self._lock:
                self.keys, self._key_order = keys, order
        return order

    def _column(self, field: str, kind: type) -> list[Any]:
        """Every document's value of a field, from its column (stored fields without one)."""
        if self.reader.has_column(field):
            return [kind(v) if v is not None else kind() for v in self.reader.column_reader(field)]
        # An index built before the column was added: slow, once per segment.
        return [kind(self.reader.stored_fields(n).get(field) or kind()) for n in range(self.size)]

    def numbers(self, field: str) -> np.ndarray:
        """A NUMBER field of every document, from its column (stored fields if it has none)."""
        with self._lock:
            values = self._numbers.get(field)
        if values is None:
            values = np.array(self._column(field, int), dtype=np.int64)
            with self._lock:
                self._numbers[field] = values
        return values


def _shape(schema: Schema) -> list[tuple[str, str, bool]]:
    """What must match for an index to serve a schema: names, field types, stored or not."""
    return sorted(
        (name, type(field).__name__, bool(field.stored)) for name, field in schema.items()
    )
