"""Full-text search behind one small interface, with two engines chosen by SEARCH_ENGINE.

`whoosh` (the embedded default) keeps an index directory per node; `postgres` keeps one index
in the database (jieba's words in a tsvector with a GIN index), so any number of web nodes
share it with no rebuild per node. Callers describe an index with `Field`s, put documents as
plain dicts, and ask an `AnyOf` of `Term`s: neither engine's types leave the kernel.

Both engines read text the same way (`tokens`: jieba's words and sub-words, lowercased) and
score a hit the same way (`clause_score`): for a word of a scored field, BM25 with its
inverse document frequency and the field's boost, without length normalisation; for a
keyword field, the field's boost; for a prefix, a flat 1; each times the term's boost,
summed over the terms that match. Every query is bounded (Whoosh: a time box; PostgreSQL: a
cap on the documents scored) and says when it was cut short (`partial`).
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import jieba
from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)
_jieba_lock = threading.Lock()
_jieba_ready = False
ENGINES = ("whoosh", "postgres")
#: BM25's term-frequency saturation (Whoosh's default); there is no length normalisation.
K1 = 1.2


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


def is_word(text: str) -> bool:
    """Whether `text` holds a letter or a digit (jieba also yields spaces and punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


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
    return list(dict.fromkeys(w for w in words if w and is_word(w)))


class Kind(StrEnum):
    """How a field's value is read into terms."""

    #: The document's unique key (stored).
    KEY = "key"
    #: Chinese and mixed text: jieba's words and sub-words, lowercased; scored with BM25.
    TEXT = "text"
    #: Runs of Latin letters and digits, lowercased (pinyin); scored with BM25.
    LETTERS = "letters"
    #: Tokens separated by spaces (or commas), lowercased; a match scores the field's boost.
    KEYWORDS = "keywords"
    #: An integer kept with the hit (a tie-break), not searched.
    NUMBER = "number"
    #: Anything kept with the hit, not searched.
    STORED = "stored"


SCORED = frozenset({Kind.TEXT, Kind.LETTERS})
SEARCHED = SCORED | {Kind.KEYWORDS}
_LETTERS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Field:
    """One field of an index."""

    name: str
    kind: Kind
    stored: bool = False
    boost: float = 1.0
    commas: bool = False


@dataclass(frozen=True)
class Fields:
    """The fields of an index; exactly one is its key."""

    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        keys = [f for f in self.fields if f.kind is Kind.KEY]
        if len(keys) != 1:
            raise ValueError("an index has exactly one KEY field")
        if len({f.name for f in self.fields}) != len(self.fields):
            raise ValueError("field names repeat")
        for f in self.fields:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", f.name):
                raise ValueError(f"field name {f.name!r}: lowercase letters, digits and _")

    @property
    def key(self) -> str:
        """The key field's name."""
        return next(f.name for f in self.fields if f.kind is Kind.KEY)

    def get(self, name: str) -> Field:
        """The field called `name` (KeyError if there is none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def stored(self) -> list[Field]:
        """The fields kept with each hit (the key always is)."""
        return [
            f for f in self.fields if f.stored or f.kind in (Kind.KEY, Kind.NUMBER, Kind.STORED)
        ]


def tokens(field: Field, value: Any) -> list[str]:
    """The terms a field's value is indexed under, each once, in order.

    The one analysis both engines use, so a document matches the same words on either. A
    word counts once per field however often it stands there: a title that repeats a word
    does not outrank one that says it once.
    """
    if value is None or field.kind not in SEARCHED:
        return []
    text = str(value)
    if field.kind is Kind.TEXT:
        prepare_jieba()
        words = (w.strip().lower() for w, _s, _e in jieba.tokenize(text, mode="search"))
        return list(dict.fromkeys(w for w in words if w and is_word(w)))
    if field.kind is Kind.LETTERS:
        return list(dict.fromkeys(_LETTERS.findall(text.lower())))
    parts = text.split(",") if field.commas else text.split()
    return list(dict.fromkeys(p.strip().lower() for p in parts if p.strip()))


@dataclass(frozen=True)
class Term:
    """A word sought in one field; `prefix` matches every term that starts with it."""

    field: str
    text: str
    boost: float = 1.0
    prefix: bool = False


@dataclass(frozen=True)
class AnyOf:
    """Documents matching any of the terms, ranked by the sum of the matching terms' scores."""

    terms: tuple[Term, ...]

    def merged(self, fields: Fields) -> list[Term]:
        """The terms checked against `fields`: lowercased, each once, boosts of repeats added.

        A sum of scores is linear in the boost, so one term with the boosts of its repeats
        added up scores as the repeats did.
        """
        out: dict[tuple[str, str, bool], float] = {}
        for t in self.terms:
            if fields.get(t.field).kind not in SEARCHED:
                raise ValueError(f"field {t.field!r} is not searched")
            key = (t.field, t.text.lower(), t.prefix)
            out[key] = out.get(key, 0.0) + t.boost
        return [Term(f, text, boost, prefix) for (f, text, prefix), boost in out.items() if text]


def words_query(text: str, fields: Iterable[str]) -> AnyOf:
    """The shopper's words (`query_words`) sought in each of `fields`."""
    names = list(fields)
    return AnyOf(tuple(Term(f, w) for w in query_words(text) for f in names))


def idf(doc_count: int, doc_frequency: int) -> float:
    """Inverse document frequency, as Whoosh computes it: log(N / (df + 1)) + 1."""
    return math.log(max(doc_count, 1) / (doc_frequency + 1)) + 1


def clause_score(field: Field, term: Term, *, idf_value: float) -> float:
    """What one matching term adds to a hit's score (see the module's docstring)."""
    if term.prefix:
        return term.boost
    weight = field.boost  # a word counts once per field (`tokens`)
    if field.kind in SCORED:
        return term.boost * idf_value * weight * (K1 + 1) / (weight + K1)
    return term.boost * weight


@dataclass(frozen=True)
class Hit:
    """One result: the stored fields and the score."""

    fields: dict[str, Any]
    score: float


@dataclass(frozen=True)
class Results:
    """The top hits; `partial` when the query's bound cut scoring short.

    No total: counting every match costs as much as the search itself.
    """

    hits: list[Hit]
    partial: bool


class SearchIndex(Protocol):
    """What either engine does with one index."""

    fields: Fields

    def update(self, docs: Iterable[Mapping[str, Any]], *, delete: Iterable[Any] = ()) -> None:
        """Add or replace `docs` (by key) and delete the keys in `delete`, together."""

    def rebuild(
        self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
    ) -> int:
        """Replace the whole index with `docs`; calls `progress(n)` as documents are added."""

    def search(
        self,
        query: AnyOf,
        *,
        limit: int = 20,
        within: AnyOf | None = None,
        then_by: str | None = None,
    ) -> Results:
        """The best `limit` hits of `query` among the documents matching `within`.

        Ties of score (to four decimals) go to the higher `then_by` (a NUMBER field).
        `within` may only name stored KEYWORDS fields.
        """

    def doc_count(self) -> int:
        """Number of documents in the index."""

    def close(self) -> None:
        """Let go of what this process holds open for the index."""


def check_within(fields: Fields, within: AnyOf | None, then_by: str | None) -> None:
    """Refuse a filter on a field that is not a stored keyword, or a tie-break not a number."""
    for t in within.terms if within else ():
        f = fields.get(t.field)
        if f.kind is not Kind.KEYWORDS or not f.stored or t.prefix:
            raise ValueError(f"within: {t.field!r} is not a stored KEYWORDS field")
    if then_by is not None and fields.get(then_by).kind is not Kind.NUMBER:
        raise ValueError(f"then_by: {then_by!r} is not a NUMBER field")


def get_index(name: str, fields: Fields) -> SearchIndex:
    """The app's index called `name`, on the engine SEARCH_ENGINE names, once per process."""
    app = current_app._get_current_object()
    indexes: dict[str, SearchIndex] = app.extensions["shop.search"]
    if name not in indexes:
        prepare_jieba()
        if app.config["SEARCH_ENGINE"] == "postgres":
            from shop.core.search_postgres import PostgresIndex

            indexes[name] = PostgresIndex(name, fields)
        else:
            from shop.core.search_whoosh import WhooshIndex

            limit = float(app.config["SEARCH_TIME_LIMIT_SECONDS"])
            directory = Path(app.config["SEARCH_DIR"]) / name
            indexes[name] = WhooshIndex(directory, fields, time_limit=limit)
    return indexes[name]


def init_app(app: Flask) -> None:
    """Check SEARCH_ENGINE against the database and give the app its registry of indexes."""
    engine = app.config["SEARCH_ENGINE"]
    if engine not in ENGINES:
        raise RuntimeError(f"SHOP_SEARCH_ENGINE must be one of {', '.join(ENGINES)}: {engine!r}")
    if engine == "postgres" and not str(app.config["DATABASE_URL"]).startswith("postgresql"):
        raise RuntimeError("SHOP_SEARCH_ENGINE=postgres needs a PostgreSQL SHOP_DATABASE_URL")
    app.extensions["shop.search"] = {}


def __getattr__(name: str) -> Any:
    """`shop.core.search.JiebaTokenizer`, for Whoosh indexes built before the engines split.

    Those indexes pickled their analyzer under this name; it lives in search_whoosh now.
    """
    if name == "JiebaTokenizer":
        from shop.core.search_whoosh import JiebaTokenizer

        return JiebaTokenizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
