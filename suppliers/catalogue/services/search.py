"""What the catalogue puts in the search index, and how a shopper's words are searched.

Documents are published bundles: the title, category, tags and component names in Chinese
(jieba), descriptions and supplier names in a body field, and pinyin tokens (full and
initials, so `tzs` finds 桶装水 and `ktqx` 空调清洗 inside 中央空调清洗). Short queries have
fields of their own: two-letter initials (`bj` 保洁) and single characters, where the last
character of a word counts most (水 is the head of 矿泉水, not of 水饺). Synonym groups expand
the query, not the index, so the operator's edits apply at once. The body is searched only
when the strong fields find nothing, so a supplier called "…饮用水…" does not turn every
search for water into its whole catalogue. Only the id, the title (for highlights), the
segments (the filter), the ranking figure (the tie-break) and the category are stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from pypinyin import Style, lazy_pinyin

from shop.core import search as engine
from shop.core.search import AnyOf, Field, Fields, Kind, Term

INDEX = "bundles"
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")


def fields() -> Fields:
    """The bundle index's fields."""
    return Fields(
        (
            Field("id", Kind.KEY),
            Field("title", Kind.TEXT, stored=True, boost=3.0),
            Field("names", Kind.TEXT, boost=2.0),
            Field("body", Kind.TEXT),
            Field("category", Kind.TEXT, boost=2.0),
            Field("tags", Kind.KEYWORDS, commas=True, boost=2.0),
            Field("py", Kind.LETTERS),
            Field("py_short", Kind.KEYWORDS),
            Field("chars", Kind.KEYWORDS),
            Field("heads", Kind.KEYWORDS),
            Field("segments", Kind.KEYWORDS, commas=True, stored=True),
            Field("rank", Kind.NUMBER),
            Field("category_id", Kind.STORED),
        )
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


_MAX_SPAN = 8  # characters: longer stretches of a title are not typed as initials


def _spans(run: str) -> list[tuple[int, int]]:
    """The stretches of a run of Chinese that start and end on jieba's word boundaries.

    "中央空调清洗" -> 中央, 空调, 清洗, 中央空调, 空调清洗, 中央空调清洗, ... (as offsets)
    """
    words = engine.jieba_words(run)
    starts = sorted({s for _w, s, _e in words})
    ends = sorted({e for _w, _s, e in words})
    spans = {(a, b) for a in starts for b in ends if 1 < b - a <= _MAX_SPAN}
    spans |= {(s, e) for _w, s, e in words}
    if len(run) <= _MAX_SPAN:
        spans.add((0, len(run)))
    return sorted(spans)


def pinyin_tokens(text: str) -> tuple[list[str], list[str]]:
    """(full pinyin and initials of 3+ characters, initials of two-character words).

    "桶装水" -> tongzhuangshui, tzs; "中央空调清洗" gives ktqx too, "保洁" gives bj, kept
    apart because two-letter initials (整箱 "zx", 自行 "zx") collide: they count only for a
    two-letter query. Each run is romanised once; its stretches are slices of that.
    """
    long: list[str] = []
    short: list[str] = []
    for run in _HAN.findall(text):
        syllables = lazy_pinyin(run)
        letters = lazy_pinyin(run, style=Style.FIRST_LETTER)
        if len(syllables) != len(run) or len(letters) != len(run):  # never for pure Han
            continue
        for a, b in _spans(run):
            long.append("".join(syllables[a:b]))
            (long if b - a >= 3 else short).append("".join(letters[a:b]))
    return list(dict.fromkeys(long)), list(dict.fromkeys(short))


def char_tokens(text: str) -> tuple[list[str], list[str]]:
    """(every Chinese character, the head characters: the last of each word, and 1-char words)."""
    chars = list(dict.fromkeys(ch for run in _HAN.findall(text) for ch in run))
    heads: list[str] = []
    for run in _HAN.findall(text):
        for word in engine.precise_words(run):
            if _HAN.fullmatch(word) and word[-1] not in heads:
                heads.append(word[-1])
    return chars, heads


def to_document(doc: BundleDoc) -> dict[str, Any]:
    """The index document of a bundle."""
    names = " ".join(doc.component_names)
    strong = f"{doc.title} {doc.category} {names} {' '.join(doc.tags)}"
    py, py_short = pinyin_tokens(strong)
    chars, heads = char_tokens(f"{doc.title} {names}")  # not the category: 粮油 is no oil
    return {
        "id": str(doc.id),
        "title": doc.title,
        "names": names,
        "body": " ".join([doc.description, *doc.supplier_names]),
        "category": doc.category,
        "tags": ",".join(doc.tags),
        "py": " ".join(py),
        "py_short": " ".join(py_short),
        "chars": " ".join(chars),
        "heads": " ".join(heads),
        "segments": ",".join(doc.segments),
        "rank": doc.rank,
        "category_id": doc.category_id,
    }


def index() -> engine.SearchIndex:
    """The bundle index (of this process, on Whoosh; the shared one, on PostgreSQL)."""
    return engine.get_index(INDEX, fields())


def expand(words: Iterable[str], synonyms: Mapping[str, Sequence[str]]) -> list[str]:
    """The query words with their synonyms, each once, in order."""
    out: list[str] = []
    for word in words:
        for w in (word, *synonyms.get(word, ())):
            if w not in out:
                out.append(w)
    return out


STRONG_FIELDS = ("title", "names", "category", "tags")


def build_query(
    text: str, synonyms: Mapping[str, Sequence[str]], *, body: bool = False
) -> AnyOf | None:
    """A query matching any of the shopper's words in the strong fields, and their synonyms.

    The shopper's words (jieba's precise cut) are searched in the title, item names, category
    and tags, and with `body` in descriptions and supplier names too; synonyms count only in
    the strong fields. A single Chinese character also matches inside words (the head of a
    word first); Latin letters may be pinyin (`tzs`, `tongzhuangshui`, two-letter `bj`).
    """
    words = engine.query_words(text)
    extra = [w.lower() for w in expand(words, synonyms) if w not in words]
    fields = (*STRONG_FIELDS, "body") if body else STRONG_FIELDS
    clauses: list[Term] = []
    for word in words:
        clauses += [Term(field, word) for field in fields]
        if len(word) == 1 and _HAN.fullmatch(word):
            clauses += [Term("heads", word, boost=2.0), Term("chars", word, boost=0.5)]
        if _ASCII_WORD.match(word):  # Latin letters may be pinyin: tzs, tongzhuangshui
            clauses.append(Term("py", word))
            if len(word) == 2:
                clauses.append(Term("py_short", word))
            if len(word) >= 3:
                clauses.append(Term("py", word, prefix=True))
    for word in words:  # 桶装水 also finds "…纯净水 18.9L 桶装": the parts count for less
        if len(word) >= 3 and _HAN.fullmatch(word):
            parts = {w for w, _s, _e in engine.jieba_words(word) if 1 < len(w) < len(word)}
            clauses += [
                Term(field, part, boost=0.5) for part in sorted(parts) for field in STRONG_FIELDS
            ]
    for word in extra:
        clauses += [Term(field, word) for field in STRONG_FIELDS]
    return AnyOf(tuple(clauses)) if clauses else None


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
    """
    allowed = set(visible)
    if not allowed:
        return [], False
    found, partial = _top(build_query(text, synonyms), allowed, limit)
    if not found:  # nothing in the strong fields: descriptions and supplier names
        found, partial = _top(build_query(text, synonyms, body=True), allowed, limit)
    return [
        Found(h.bundle_id, h.score, h.rank, h.title, highlight(text, h.title))
        for h in found[:limit]
    ], partial


def _top(query: AnyOf | None, allowed: set[str], limit: int) -> tuple[list[Found], bool]:
    """The best `limit` hits of `query` offered to one of the `allowed` segments, ranked."""
    if query is None:
        return [], False
    within = AnyOf(tuple(Term("segments", s) for s in sorted(allowed)))
    results = index().search(query, limit=limit, within=within, then_by="rank")
    found = [
        Found(int(h.fields["id"]), h.score, int(h.fields.get("rank") or 0), h.fields["title"])
        for h in results.hits
    ]
    return found, results.partial


def highlight(text: str, title: str) -> str:
    """The title with the words of `text` marked (<b class="match">), HTML-escaped."""
    words = set(engine.query_words(text))
    if not words:
        return str(escape(title))
    out, last = [], 0
    # Longest match first where jieba's search mode offers overlapping words.
    marks = [(s, -e) for w, s, e in engine.jieba_words(title) if w.lower() in words]
    marks += [  # a single character is marked wherever it stands: 水 in 纯净水
        (i, -(i + 1)) for i, ch in enumerate(title) if ch in words and _HAN.fullmatch(ch)
    ]
    spans = sorted(marks)
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
