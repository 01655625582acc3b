"""Search benchmark: build indexes of generated Chinese bundles and time queries.

Bundles are combined from the demo catalogue's vocabulary (brands, products, specifications,
categories, service words), never one row repeated. For each size it prints the build time,
the index size and the query latency (median, p95) over a fixed mix of queries through the
same code the storefront uses (segmenting, synonyms, segment filter, highlights), next to
the goals: p95 <= 50 ms at 10,000 bundles and <= 150 ms at 100,000. Short queries (one
character, two-letter initials) are timed apart: they match the most documents. First it
prints the quality figures on the judged queries of bench/search_judgements.py (the demo
catalogue), against their targets.

    .venv/bin/python bench/bench_search.py [--sizes 10000 100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wsgi  # noqa: E402
from bench import search_judgements as judged  # noqa: E402
from bench.vocabulary import BRANDS, SERVICE_WORDS, SPECS  # noqa: E402
from suppliers.catalogue.services import search  # noqa: E402

GOALS_MS = {10_000: 50.0, 100_000: 150.0}
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


def quality() -> None:
    """Recall and precision on the judged queries, next to the targets."""
    folder = Path(tempfile.mkdtemp(prefix="shop-search-quality-"))
    app = wsgi.create_app(
        {"DATABASE_URL": "sqlite://", "SECRET_KEY": "bench", "SEARCH_DIR": str(folder)}
    )
    with app.app_context():
        search.rebuild(iter(judged.demo_documents()))
        synonyms = judged.demo_synonyms()
        results = judged.run(
            lambda q: [
                h.title for h in search.search(q, synonyms=synonyms, visible=["mass"], limit=10)[0]
            ]
        )
    figures = judged.summary(results)
    print(f"quality on {len(results)} judged queries (demo catalogue):")
    for name, value in figures.items():
        target = judged.TARGETS[name]
        verdict = "ok" if value >= target else "MISS"
        print(f"  {name:<12} {value:.3f}  target >= {target:.2f}: {verdict}")
    for j in results:
        if j.recall < 1 or j.r_precision < 1:
            print(f"  below 1: {j.query} recall {j.recall:.2f} R-precision {j.r_precision:.2f}")


def run(size: int, queries: int, mix: list[str], label: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"shop-search-{size}-"))
    app = wsgi.create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'x.db'}",
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SEARCH_DIR": str(folder / "search"),
        }
    )
    synonyms = {"矿泉水": ["饮用水"], "饮用水": ["矿泉水"], "保洁": ["清洁"], "清洁": ["保洁"]}
    with app.app_context():
        docs = generate(size)
        started = time.perf_counter()
        search.rebuild(iter(docs))
        build = time.perf_counter() - started
        size_mb = dir_size(folder / "search") / 1024 / 1024
        visible = {"mass", "care"}
        search.search("预热", synonyms=synonyms, visible=visible)  # open the searcher once
        rnd = random.Random(5)
        latencies, partial = [], 0
        for _ in range(queries):
            q = rnd.choice(mix)
            t0 = time.perf_counter()
            _hits, cut = search.search(q, synonyms=synonyms, visible=visible, limit=20)
            latencies.append((time.perf_counter() - t0) * 1000)
            partial += cut
    latencies.sort()
    p50, p95 = statistics.median(latencies), latencies[int(0.95 * len(latencies)) - 1]
    goal = GOALS_MS.get(size) if mix is QUERIES else None
    verdict = (
        "" if goal is None else f"  goal p95 <= {goal:.0f} ms: {'ok' if p95 <= goal else 'MISS'}"
    )
    print(
        f"{size:>7} bundles {label:<5} build {build:6.1f} s ({size / build:,.0f}/s)"
        f"  index {size_mb:5.1f} MB"
        f"  query median {p50:5.1f} ms  p95 {p95:5.1f} ms  time-boxed {partial}/{queries}"
        f"{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    quality()
    for size in args.sizes:
        run(size, args.queries, QUERIES, "mix")
        run(size, args.queries, SHORT_QUERIES, "short")


if __name__ == "__main__":
    main()
