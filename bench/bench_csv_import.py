"""CSV import benchmark: 5,000 realistic item rows, previewed and imported all-or-nothing.

Builds the rows from the demo catalogue's vocabulary (brands, products, specifications and
service words combined, not one row repeated), then times, on a fresh database each round:
the preview (parse and validate, nothing saved) and the real import (validate, insert items
and their stock movements, commit). Prints the median of the rounds next to the target.

    .venv/bin/python bench/bench_csv_import.py [--rows 5000] [--rounds 3] [--database URL]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import suppliers.api  # noqa: E402
import wsgi  # noqa: E402
from bench.vocabulary import BRANDS, SERVICE_WORDS, SPECS  # noqa: E402
from shop.core import accounts, db, migrate  # noqa: E402
from suppliers.services import items  # noqa: E402

TARGET_SECONDS = 10.0  # a 5,000-row import should finish well within a page's patience


def vocabulary() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with (ROOT / "shop/console/data/demo_catalogue_zh.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if r["kind"] == "goods"], [r for r in rows if r["kind"] == "service"]


def make_csv(n: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    goods, services = vocabulary()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(suppliers.api.ITEM_CSV_COLUMNS)
    for i in range(n):
        if rnd.random() < 0.8:
            base = rnd.choice(goods)
            name = f"{rnd.choice(BRANDS)} {base['name'].split(' ')[0]} {rnd.choice(SPECS)}"
            writer.writerow(
                [
                    f"G{i:06d}",
                    "goods",
                    base["category"],
                    name,
                    base["description"],
                    base["unit"],
                    rnd.randint(300, 30_000),
                    rnd.randint(0, 500),
                    base["staff_role"],
                    "",
                    "",
                    "",
                ]
            )
        else:
            base = rnd.choice(services)
            name = f"{rnd.choice(SERVICE_WORDS)}{base['name']}"
            writer.writerow(
                [
                    f"S{i:06d}",
                    "service",
                    base["category"],
                    name,
                    base["description"],
                    base["unit"],
                    rnd.randint(3_000, 60_000),
                    "",
                    base["staff_role"],
                    base["duration_minutes"] or 60,
                    "09:00|14:00|19:00",
                    rnd.randint(1, 4),
                ]
            )
    return out.getvalue()


def one_round(url: str, text: str) -> tuple[float, float]:
    app = wsgi.create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    migrate.upgrade(app)
    with app.app_context(), db.session_scope() as s:
        member = accounts.create_user(
            email="bench@supplier.test",
            password="bench-password",  # noqa: S106
            display_name="bench",
            roles=["supplier_member"],
        )
        supplier = suppliers.api.register_supplier(
            name="压测供应商",
            kind="channel_partner",
            licence_no="BENCH0000001",
            member_user_id=member.id,
            status="active",
        )
        s.commit()
        started = time.perf_counter()
        report = items.import_items(
            supplier_id=supplier.id, actor_id=member.id, text=text, dry_run=True
        )
        preview = time.perf_counter() - started
        assert report.error_rows == 0, report.rows[:3]
        started = time.perf_counter()
        report = items.import_items(
            supplier_id=supplier.id, actor_id=member.id, text=text, dry_run=False
        )
        s.commit()
        full = time.perf_counter() - started
        assert report.created == len(report.rows)
    migrate.downgrade(app, "base")
    app.extensions["shop.db"].dispose()
    return preview, full


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    text = make_csv(args.rows)
    print(f"{args.rows} rows, {len(text.encode()) / 1024:.0f} KiB of CSV")
    previews, imports = [], []
    for n in range(args.rounds):
        url = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench-{n}.db"
        preview, full = one_round(url, text)
        previews.append(preview)
        imports.append(full)
    backend = "PostgreSQL" if args.database else "SQLite"
    p, f = statistics.median(previews), statistics.median(imports)
    print(f"{backend}, median of {args.rounds} rounds")
    print(f"  preview (parse + validate): {p:6.2f} s  ({args.rows / p:,.0f} rows/s)")
    print(
        f"  import (validate + save):   {f:6.2f} s  ({args.rows / f:,.0f} rows/s)"
        f"   target < {TARGET_SECONDS:.0f} s: {'ok' if f < TARGET_SECONDS else 'MISS'}"
    )


if __name__ == "__main__":
    main()
