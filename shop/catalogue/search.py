"""What the catalogue puts in the search index, and how a shopper's words are searched.

Documents are published bundles: the title, category, tags and component names in Chinese
(jieba), descriptions and supplier names in a body field, and pinyin tokens (full and
initials, so `tzs` finds 桶装水). Synonym groups expand the query, not the index, so the
operator's edits apply at once. Only the id, the title (for highlights) and the ranking
figure are stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from pypinyin import Style, lazy_pinyin
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.query import Or, Prefix, Query, Term

from shop.core import search as engine

INDEX = "bundles"
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")


def schema() -> Schema:
    """The bundle index's fields."""
    chinese = engine.chinese_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=chinese, field_boost=3.0),
        names=TEXT(analyzer=chinese, field_boost=2.0),
        body=TEXT(analyzer=chinese),
        category=TEXT(analyzer=chinese, field_boost=2.0),
        tags=KEYWORD(lowercase=True, commas=True, field_boost=2.0),
        py=TEXT(analyzer=RegexTokenizer(r"[a-z0-9]+") | LowercaseFilter(), phrase=False),
        segments=KEYWORD(commas=True, stored=True),
        rank=NUMERIC(stored=True),
        category_id=STORED,
    )


@dataclass(frozen=True)
class BundleDoc:
    """What is indexed about one published bundle."""

    id: int
    title: str
    description: str
    category: str
    category_id: int
    tags: Sequence[str]
    component_names: Sequence[str]
    supplier_names: Sequence[str]
    segments: Sequence[str]
    rank: int


def pinyin_tokens(text: str) -> list[str]:
    """Full pinyin of each Chinese word in `text`, and initials of words of 3+ characters.

    "桶装水" -> tongzhuangshui, tzs. Two-letter initials (整箱 "zx", 自行 "zx") collide too
    often to be useful, so short words are found by their full pinyin only.
    """
    tokens: list[str] = []
    for run in _HAN.findall(text):
        words = {w for w, _s, _e in engine.jieba_words(run)} | {run}
        for word in sorted(words):
            tokens.append("".join(lazy_pinyin(word)))
            if len(word) >= 3:
                tokens.append("".join(lazy_pinyin(word, style=Style.FIRST_LETTER)))
    return tokens


def to_document(doc: BundleDoc) -> dict[str, Any]:
    """The index document of a bundle."""
    names = " ".join(doc.component_names)
    return {
        "id": str(doc.id),
        "title": doc.title,
        "names": names,
        "body": " ".join([doc.description, *doc.supplier_names]),
        "category": doc.category,
        "tags": ",".join(doc.tags),
        "py": " ".join(pinyin_tokens(f"{doc.title} {doc.category} {names} {' '.join(doc.tags)}")),
        "segments": ",".join(doc.segments),
        "rank": doc.rank,
        "category_id": doc.category_id,
    }


def index() -> engine.SearchIndex:
    """The bundle index of this process."""
    return engine.get_index(INDEX, schema())


def expand(words: Iterable[str], synonyms: Mapping[str, Sequence[str]]) -> list[str]:
    """The query words with their synonyms, each once, in order."""
    out: list[str] = []
    for word in words:
        for w in (word, *synonyms.get(word, ())):
            if w not in out:
                out.append(w)
    return out


STRONG_FIELDS = ("title", "names", "category", "tags")


def build_query(text: str, synonyms: Mapping[str, Sequence[str]]) -> Query | None:
    """A query matching any of the shopper's words in any field, and their synonyms.

    The shopper's words (jieba's precise cut) are searched everywhere; synonyms count only
    in the title, item names, category and tags, so a supplier called "…饮用水…" does not
    match every search for water.
    """
    words = engine.query_words(text)
    extra = [w.lower() for w in expand(words, synonyms) if w not in words]
    clauses: list[Query] = []
    for word in words:
        clauses += [Term(field, word) for field in (*STRONG_FIELDS, "body")]
        if _ASCII_WORD.match(word):  # Latin letters may be pinyin: tzs, tongzhuangshui
            clauses.append(Term("py", word))
            if len(word) >= 3:
                clauses.append(Prefix("py", word))
    for word in extra:
        clauses += [Term(field, word) for field in STRONG_FIELDS]
    return Or(clauses) if clauses else None


@dataclass(frozen=True)
class Found:
    """One search hit: the bundle id, its score, its title and the title highlighted."""

    bundle_id: int
    score: float
    rank: int
    title: str
    title_html: str = ""


def search(
    text: str, *, synonyms: Mapping[str, Sequence[str]], visible: Iterable[str], limit: int = 20
) -> tuple[list[Found], bool]:
    """The best `limit` bundles for `text` among those offered to the `visible` segments.

    Ranked by text relevance, then by the suppliers' scorecard. Returns (hits, partial).
    Segments are checked on the stored field rather than with a Whoosh filter: a filter makes
    Whoosh score every match, while a plain top-N lets it skip blocks that cannot rank.
    """
    query = build_query(text, synonyms)
    allowed = set(visible)
    if query is None or not allowed:
        return [], False
    found: list[Found] = []
    partial = False
    for fetch in (limit * 2, limit * 20):
        results = index().search(query, limit=fetch)
        partial = results.partial
        found = [
            Found(
                int(hit.fields["id"]),
                hit.score,
                int(hit.fields.get("rank") or 0),
                hit.fields["title"],
            )
            for hit in results.hits
            if allowed & set(hit.fields.get("segments", "").split(","))
        ]
        if len(found) >= limit or len(results.hits) < fetch:
            break
    found.sort(key=lambda h: (-round(h.score, 4), -h.rank))
    return [
        Found(h.bundle_id, h.score, h.rank, h.title, highlight(text, h.title))
        for h in found[:limit]
    ], partial


def highlight(text: str, title: str) -> str:
    """The title with the words of `text` marked (<b class="match">), HTML-escaped."""
    words = set(engine.query_words(text))
    if not words:
        return str(escape(title))
    out, last = [], 0
    # Longest match first where jieba's search mode offers overlapping words.
    spans = sorted((s, -e) for w, s, e in engine.jieba_words(title) if w.lower() in words)
    spans = [(s, -e) for s, e in spans]
    for start, end in spans:
        if start < last:
            continue
        out += [str(escape(title[last:start])), f'<b class="match">{escape(title[start:end])}</b>']
        last = end
    out.append(str(escape(title[last:])))
    return "".join(out)


def rebuild(docs: Iterator[BundleDoc], progress: Callable[[int], None] | None = None) -> int:
    """Replace the index with these documents."""
    return index().rebuild((to_document(d) for d in docs), progress=progress)
