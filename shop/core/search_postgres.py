"""The PostgreSQL engine: one index in the database, shared by every web node.

Each document is a row of `core_search_entry`: its terms as a tsvector of `field:term`
lexemes (the words `search.tokens` gives, so jieba segments the text here, not PostgreSQL's
parser, which knows no Chinese), with a GIN index, and its stored fields as JSON. A query
is one statement: the GIN index finds the documents with any of the terms, each is checked
for each term, the terms' document frequencies are counted over those same documents, and
the score is `search.clause_score` summed, as the Whoosh engine scores. At most `cap`
documents are scored per query; past that the answer is flagged partial.

Updates go through the caller's unit of work (the index job commits them); a rebuild
replaces an index in one transaction of its own, so searches see the old index until then.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import text

from shop.core import db, search
from shop.core.search import AnyOf, Fields, Hit, Kind, Results, Term

#: Terms longer than this (in bytes) are not indexed: tsvector lexemes stop at 2 KB.
MAX_TERM_BYTES = 500
_BATCH = 500
#: How long a process trusts its count of an index's documents (the N of the IDF).
COUNT_TTL_SECONDS = 60.0

_UPSERT = text(
    "INSERT INTO core_search_entry (index_name, key, terms, stored) "
    "VALUES (:ix, :key, array_to_tsvector(CAST(:terms AS text[])), CAST(:stored AS jsonb)) "
    "ON CONFLICT (index_name, key) DO UPDATE "
    "SET terms = excluded.terms, stored = excluded.stored"
)
_DELETE = text("DELETE FROM core_search_entry WHERE index_name = :ix AND key = ANY(:keys)")
_CLEAR = text("DELETE FROM core_search_entry WHERE index_name = :ix")
_COUNT = text("SELECT count(*) FROM core_search_entry WHERE index_name = :ix")


def lexeme(field: str, term: str) -> str:
    """The tsvector lexeme of a term in a field."""
    return f"{field}:{term}"


def tsquery(terms: Iterable[Term]) -> str:
    """A tsquery in PostgreSQL's input syntax matching any of `terms` (quoted verbatim)."""
    parts = []
    for t in terms:
        quoted = lexeme(t.field, t.text).replace("\\", "\\\\").replace("'", "''")
        parts.append(f"'{quoted}'" + (":*" if t.prefix else ""))
    return " | ".join(parts)


class PostgresIndex:
    """One index in `core_search_entry`."""

    def __init__(self, name: str, fields: Fields, *, cap: int = 20_000) -> None:
        self.name = name
        self.fields = fields
        self.cap = cap  # bounds a query (the Whoosh engine's time box does not apply here)
        self._count: tuple[int, float] | None = None

    def _row(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        terms: list[str] = []
        for name, value in doc.items():
            f = self.fields.get(name)
            for t in search.tokens(f, value):
                item = lexeme(name, t)
                if len(item.encode()) <= MAX_TERM_BYTES:
                    terms.append(item)
        stored = {
            f.name: _stored_value(f.kind, doc.get(f.name))
            for f in self.fields.stored()
            if f.name in doc
        }
        return {
            "ix": self.name,
            "key": str(doc[self.fields.key]),
            "terms": list(dict.fromkeys(terms)),
            "stored": json.dumps(stored, ensure_ascii=False),
        }

    def update(self, docs: Iterable[Mapping[str, Any]], *, delete: Iterable[Any] = ()) -> None:
        """Add or replace `docs` and delete the keys in `delete`, in the caller's transaction."""
        s = db.session()
        keys = [str(k) for k in delete]
        if keys:
            s.execute(_DELETE, {"ix": self.name, "keys": keys})
        rows = [self._row(d) for d in docs]
        if rows:
            s.execute(_UPSERT, rows)
        self._count = None

    def rebuild(
        self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
    ) -> int:
        """Replace the whole index with `docs` in one transaction of its own."""
        count = 0
        with db.engine().begin() as conn:
            conn.execute(_CLEAR, {"ix": self.name})
            batch: list[dict[str, Any]] = []
            for doc in docs:
                batch.append(self._row(doc))
                count += 1
                if len(batch) >= _BATCH:
                    conn.execute(_UPSERT, batch)
                    batch = []
                if progress:
                    progress(count)
            if batch:
                conn.execute(_UPSERT, batch)
            # Fresh statistics, or the planner scans the key index instead of the GIN one.
            conn.execute(text("ANALYZE core_search_entry"))
        self._count = None
        return count

    def search(
        self,
        query: AnyOf,
        *,
        limit: int = 20,
        within: AnyOf | None = None,
        then_by: str | None = None,
    ) -> Results:
        """The best `limit` hits of `query` among documents matching `within`, in one query."""
        search.check_within(self.fields, within, then_by)
        terms = query.merged(self.fields)
        if not terms or limit <= 0:
            return Results(hits=[], partial=False)
        sql, params = self._statement(terms, within, then_by, limit)
        session = db.session()
        # The planner guesses an OR of words that go together (a category and its tag) as
        # matching a third of the table, and then reads all of it (150 ms at 100,000 rows,
        # 48 ms through the GIN index): this statement always goes through the index.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        try:
            rows = session.execute(text(sql), params).all()
        finally:
            session.execute(text("SET LOCAL enable_seqscan = on"))
        hits = [Hit(fields=dict(r.stored), score=float(r.score)) for r in rows if r.ok]
        return Results(hits=hits, partial=bool(rows) and rows[0].found >= self.cap)

    def _statement(
        self, terms: list[Term], within: AnyOf | None, then_by: str | None, limit: int
    ) -> tuple[str, dict[str, Any]]:
        """The one statement of a search and its parameters (see the module's docstring)."""
        params: dict[str, Any] = {
            "ix": self.name,
            "anyq": tsquery(terms),
            "cap": self.cap,
            "limit": limit,
            "then_by": then_by or "",
        }
        checks, idfs, scores = [], [], []
        for i, t in enumerate(terms):
            field = self.fields.get(t.field)
            params[f"q{i}"] = tsquery([t])
            params[f"w{i}"] = search.clause_score(field, t, idf_value=1.0)
            checks.append(f"(terms @@ CAST(:q{i} AS tsquery))::int AS m{i}")
            if field.kind in search.SCORED and not t.prefix:
                # search.idf: log(N / (df + 1)) + 1, df counted over the same candidates.
                idfs.append(f"ln(:n / (sum(m{i}) + 1.0::float8)) + 1 AS f{i}")
                scores.append(f"m{i} * :w{i} * f{i}")
            else:
                scores.append(f"m{i} * :w{i}")
        params["n"] = float(self._live_count())
        if within is not None and within.terms:
            params["within"] = tsquery(within.merged(self.fields))
            ok = "(terms @@ CAST(:within AS tsquery))::int"
        else:
            ok = "1"
        sql = (
            "WITH c AS MATERIALIZED ("  # noqa: S608  (placeholders and numbered names only)
            f"SELECT key, stored, {ok} AS ok, {', '.join(checks)} FROM core_search_entry "
            "WHERE index_name = :ix AND terms @@ CAST(:anyq AS tsquery) LIMIT :cap), "
            f"d AS MATERIALIZED (SELECT {', '.join(['count(*) AS found', *idfs])} FROM c), "
            # Every candidate comes back ordered, those outside `within` last (and dropped by
            # the caller): so a query whose candidates all fall outside still says whether
            # the cap cut it short.
            f"s AS (SELECT key, stored, ok, found, {' + '.join(scores)} AS score "
            "FROM c CROSS JOIN d) "
            "SELECT key, stored, ok, found, score FROM s "
            "ORDER BY ok DESC, round(score * 10000) DESC, "
            "CASE WHEN :then_by = '' THEN 0 ELSE (stored->>:then_by)::bigint END DESC "
            "NULLS LAST, length(key), key LIMIT :limit"
        )
        return sql, params

    def doc_count(self) -> int:
        """Number of documents in the index."""
        return int(db.session().execute(_COUNT, {"ix": self.name}).scalar_one())

    def _live_count(self) -> int:
        """The document count for the inverse document frequency, read once a minute.

        Counting 100,000 rows on every query would cost more than the query.
        """
        now = time.monotonic()
        if self._count is None or now - self._count[1] > COUNT_TTL_SECONDS:
            self._count = (self.doc_count(), now)
        return self._count[0]

    def close(self) -> None:
        """Nothing is held open: the index lives in the database."""


def _stored_value(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind is Kind.KEY:
        return str(value)
    if kind is Kind.NUMBER:
        return int(value)
    return value
