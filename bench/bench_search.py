"""Search benchmark: both engines, side by side, on generated Chinese bundles.

Bundles are combined from the demo catalogue's vocabulary (brands, products, specifications,
categories, service words), never one row repeated. For each size the same documents go into
each engine (Whoosh; PostgreSQL in a database of its own on `--postgres`), and it prints the
build time, the index size and the query latency through the same code the storefront uses
(segmenting, synonyms, segment filter, tie-break, highlights): each distinct query once on a
new app (nothing cached), then a mix of `--queries` drawn from the usual queries, and as many
short ones (one character, two-letter initials: they match the most documents). Goals: p95
<= 50 ms at 10,000 bundles and <= 100 ms at 100,000, with at most 1 % of queries cut short.
First it prints each engine's quality on the judged queries of bench/search_judgements.py
(the demo catalogue), against their targets.

    .venv/bin/python bench/bench_search.py [--sizes 10000 100000] [--queries 300]
        [--engines whoosh postgres] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wsgi  # noqa: E402
from bench import search_judgements as judged  # noqa: E402
from bench.bench_ledger import create_database, drop_database  # noqa: E402
from bench.vocabulary import BRANDS, SERVICE_WORDS, SPECS  # noqa: E402
from shop.core import db  # noqa: E402
from suppliers.catalogue.services import search  # noqa: E402

GOALS_MS = {10_000: 50.0, 100_000: 100.0}
QUERIES = [
    "矿泉水",
    "桶装水",
    "tzs",
    "大米",
    "花生油",
    "保洁",
    "空调清洗",
    "鲜奶",
    "纸巾",
    "农夫山泉 矿泉水",
    "五常大米 5kg",
    "深度保洁",
    "洗衣",
    "维修",
    "dami",
    "kongtiao",
    "家政",
    "水果",
    "苹果",
    "酸奶",
    "生抽",
    "洗衣液",
    "开荒保洁",
    "油烟机",
    "关怀",
    "送货上楼",
    "饮用水",
    "冰箱 清洗",
    "上门 维修",
    "hxy",
]
SHORT_QUERIES = ["水", "米", "油", "奶", "虾", "灯", "bj", "kt", "pg", "tz"]


def vocabulary() -> list[dict[str, str]]:
    with (ROOT / "shop/console/data/demo_catalogue_zh.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def generate(n: int, seed: int = 11) -> list[search.BundleDoc]:
    rnd, rows = random.Random(seed), vocabulary()
    docs = []
    for i in range(n):
        row = rnd.choice(rows)
        product = row["name"].split(" ")[0]
        if row["kind"] == "goods":
            title = f"{rnd.choice(BRANDS)} {product} {rnd.choice(SPECS)}"
        else:
            title = f"{rnd.choice(SERVICE_WORDS)}{product} {rnd.choice(SPECS[-3:])}"
        docs.append(
            search.BundleDoc(
                id=i + 1,
                title=title,
                description=row["description"],
                category=row["category"],
                category_id=1,
                tags=[row["category"]],
                component_names=[title],
                supplier_names=[f"{rnd.choice(BRANDS)}配送有限公司"],
                segments=rnd.choice([["mass"], ["mass", "care"], ["premium"], ["care"]]),
                rank=rnd.randint(6000, 10000),
            )
        )
    return docs


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def quality(engine: str, postgres: str | None) -> None:
    """Recall and precision on the judged queries, next to the targets."""
    app = engine_app(engine, Path(tempfile.mkdtemp(prefix="shop-search-quality-")), postgres)
    with app.app_context():
        search.rebuild(iter(judged.demo_documents()))
        synonyms = judged.demo_synonyms()

        def titles(q: str) -> list[str]:
            with db.session_scope(write=False):
                found, _partial = search.search(q, synonyms=synonyms, visible=["mass"], limit=10)
            return [h.title for h in found]

        results = judged.run(titles)
    app.extensions["shop.db"].dispose()
    figures = judged.summary(results)
    print(f"{engine}: quality on {len(results)} judged queries (demo catalogue):")
    for name, value in figures.items():
        target = judged.TARGETS[name]
        verdict = "ok" if value >= target else "MISS"
        print(f"  {name:<12} {value:.3f}  target >= {target:.2f}: {verdict}")
    for j in results:
        if j.recall < 1 or j.r_precision < 1:
            print(f"  below 1: {j.query} recall {j.recall:.2f} R-precision {j.r_precision:.2f}")


@dataclass
class Figures:
    """One engine's figures at one size."""

    build_s: float
    size_mb: float
    cold: list[float]  # each distinct query once, on a fresh searcher
    mix: list[float]
    mix_partial: int
    short: list[float]
    short_partial: int


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(0.95 * len(ordered)) - 1)]


def engine_app(engine: str, folder: Path, postgres: str | None) -> Any:
    settings = {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "SEARCH_DIR": str(folder / "search"),
        "SEARCH_ENGINE": engine,
        "DATABASE_URL": postgres if engine == "postgres" else f"sqlite:///{folder / 'x.db'}",
    }
    app = wsgi.create_app(settings)
    wsgi.import_models()
    SQLModel.metadata.create_all(app.extensions["shop.db"])
    return app


def index_mb(app: Any, folder: Path) -> float:
    if app.config["SEARCH_ENGINE"] == "whoosh":
        return dir_size(folder / "search") / 1024 / 1024
    with app.extensions["shop.db"].connect() as conn:
        size = conn.execute(text("SELECT pg_total_relation_size('core_search_entry')")).scalar()
    return size / 1024 / 1024


def timed_queries(
    mix: list[str], count: int, synonyms: dict[str, list[str]]
) -> tuple[list[float], int]:
    rnd = random.Random(5)
    latencies, partial = [], 0
    for _ in range(count):
        q = rnd.choice(mix)
        t0 = time.perf_counter()
        with db.session_scope(write=False):
            _hits, cut = search.search(q, synonyms=synonyms, visible=VISIBLE, limit=20)
        latencies.append((time.perf_counter() - t0) * 1000)
        partial += cut
    return latencies, partial


VISIBLE = {"mass", "care"}
SYNONYMS = {"矿泉水": ["饮用水"], "饮用水": ["矿泉水"], "保洁": ["清洁"], "清洁": ["保洁"]}


def measure(
    engine: str, docs: list[search.BundleDoc], queries: int, postgres: str | None
) -> Figures:
    folder = Path(tempfile.mkdtemp(prefix=f"shop-search-{engine}-{len(docs)}-"))
    app = engine_app(engine, folder, postgres)
    with app.app_context():
        started = time.perf_counter()
        search.rebuild(iter(docs))
        build = time.perf_counter() - started
        size_mb = index_mb(app, folder)
    # A new app: its searcher and the Whoosh engine's postings are cold.
    app = engine_app(engine, folder, postgres)
    with app.app_context():
        cold = []
        for q in dict.fromkeys(QUERIES):
            t0 = time.perf_counter()
            with db.session_scope(write=False):
                search.search(q, synonyms=SYNONYMS, visible=VISIBLE, limit=20)
            cold.append((time.perf_counter() - t0) * 1000)
        mix, mix_partial = timed_queries(QUERIES, queries, SYNONYMS)
        short, short_partial = timed_queries(SHORT_QUERIES, queries, SYNONYMS)
    app.extensions["shop.db"].dispose()
    return Figures(build, size_mb, cold, mix, mix_partial, short, short_partial)


def report(size: int, results: dict[str, Figures], queries: int) -> None:
    goal = GOALS_MS[size]
    print(f"\n{size:,} bundles (goal: p95 <= {goal:.0f} ms, at most 1 % partial)")
    print(f"  {'':<34}" + "".join(f"{name:>14}" for name in results))
    rows = [
        ("build (s)", lambda f: f"{f.build_s:.1f}"),
        ("documents per second", lambda f: f"{size / f.build_s:,.0f}"),
        ("index (MB)", lambda f: f"{f.size_mb:.1f}"),
        ("each query once, cold: median ms", lambda f: f"{statistics.median(f.cold):.1f}"),
        ("each query once, cold: worst ms", lambda f: f"{max(f.cold):.1f}"),
        (f"mix of {queries}: median ms", lambda f: f"{statistics.median(f.mix):.1f}"),
        (f"mix of {queries}: p95 ms", lambda f: f"{p95(f.mix):.1f}"),
        ("mix: partial", lambda f: f"{f.mix_partial}/{len(f.mix)}"),
        (f"short of {queries}: median ms", lambda f: f"{statistics.median(f.short):.1f}"),
        (f"short of {queries}: p95 ms", lambda f: f"{p95(f.short):.1f}"),
        ("short: partial", lambda f: f"{f.short_partial}/{len(f.short)}"),
    ]
    for label, cell in rows:
        print(f"  {label:<34}" + "".join(f"{cell(f):>14}" for f in results.values()))
    for name, f in results.items():
        ok = p95(f.mix) <= goal and f.mix_partial <= len(f.mix) // 100
        print(f"  {name}: {'ok' if ok else 'MISS'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--engines", nargs="+", default=["whoosh", "postgres"])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args()
    name = url = None
    if "postgres" in args.engines:
        name, url = create_database(args.postgres)
    try:
        if not args.no_quality:
            for engine in args.engines:
                quality(engine, url)
        for size in args.sizes:
            docs = generate(size)
            results = {e: measure(e, docs, args.queries, url) for e in args.engines}
            report(size, results, args.queries)
    finally:
        if name:
            drop_database(args.postgres, name)


if __name__ == "__main__":
    main()
