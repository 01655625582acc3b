"""What residents type, and which demo bundles each query should find (recall and precision).

The catalogue is the demo's (shop/console/data/demo_catalogue_zh.csv, one bundle per row) with
the demo's synonym groups. Both tests/catalogue/test_search_quality.py (which fails below the
targets) and bench/bench_search.py (which prints the figures) read this one list.

Each entry: the query and the titles that are relevant to it (as the catalogue names them,
matched by prefix). Recall is measured in the top 10, precision over the hits returned in the
top 10, and R-precision in the top R, where R is the number of relevant bundles.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "shop" / "console" / "data" / "demo_catalogue_zh.csv"

WATER = ("百岁山", "景田", "恒大冰泉", "娃哈哈")
CLEANING = ("钟点工保洁", "全屋深度保洁", "玻璃擦窗", "新房开荒保洁")
REPAIRS = ("水龙头更换", "灯具安装", "墙面补漆", "门锁维修", "热水器不出热水")

JUDGEMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("水", WATER),
    ("饮用水", WATER),
    ("矿泉水", WATER),  # the operator's synonym group: 矿泉水 = 饮用水 = 纯净水
    ("纯净水", WATER),
    ("桶装水", ("景田",)),
    ("cjs", ("景田", "娃哈哈")),
    ("tz", ("景田",)),
    ("water", WATER),
    ("大米", ("福临门",)),
    ("米", ("福临门",)),
    ("dami", ("福临门",)),
    ("rice", ("福临门",)),
    ("花生油", ("鲁花",)),
    ("油", ("鲁花", "李锦记")),
    ("食用油", ("鲁花",)),
    ("面粉", ("香满园",)),
    ("生抽", ("海天",)),
    ("酱油", ("海天",)),
    ("挂面", ("挂面",)),
    ("鸡胸肉", ("新鲜鸡胸肉",)),
    ("苹果", ("红富士",)),
    ("pg", ("红富士",)),
    ("脐橙", ("赣南脐橙",)),
    ("蔬菜", ("本地时令蔬菜",)),
    ("水饺", ("冷冻水饺",)),
    ("虾", ("鲜活基围虾",)),
    ("鲜奶", ("巴氏鲜奶",)),
    ("牛奶", ("巴氏鲜奶",)),
    ("milk", ("巴氏鲜奶",)),
    ("酸奶", ("原味酸奶",)),
    ("奶", ("巴氏鲜奶", "原味酸奶")),
    ("抽纸", ("清风",)),
    ("洗洁精", ("立白",)),
    ("垃圾袋", ("加厚垃圾袋",)),
    ("牙膏", ("云南白药",)),
    ("纸尿裤", ("帮宝适",)),
    ("沐浴露", ("舒肤佳",)),
    ("保洁", (*CLEANING, "新房开荒清洁套装")),
    ("bj", CLEANING),
    ("cleaning", (*CLEANING, "新房开荒清洁套装")),
    ("钟点工", ("钟点工保洁",)),
    ("深度保洁", ("全屋深度保洁",)),
    ("擦玻璃", ("玻璃擦窗",)),
    ("开荒", ("新房开荒保洁", "新房开荒清洁套装")),
    ("空调清洗", ("中央空调清洗",)),
    ("kt", ("中央空调清洗",)),
    ("ktqx", ("中央空调清洗",)),
    ("洗空调", ("中央空调清洗",)),
    ("冰箱", ("冰箱深度清洗",)),
    ("洗衣机清洗", ("滚筒洗衣机",)),
    ("热水器", ("燃气热水器清洗", "热水器不出热水")),
    ("水龙头", ("水龙头更换",)),
    ("灯", ("灯具安装",)),
    ("修门锁", ("门锁维修",)),
    ("维修", REPAIRS),
    ("repair", REPAIRS),
    ("陪诊", ("老人陪诊",)),
    ("老人", ("老人陪诊", "独居老人")),
    ("理发", ("上门理发",)),
    ("搬家", ("搬家",)),
    ("家具组装", ("拎包入住",)),
    ("干洗", ("羽绒服干洗",)),
    ("窗帘", ("窗帘拆洗",)),
    ("遛狗", ("上门遛狗",)),
    ("育儿嫂", ("育儿嫂",)),
    ("空气检测", ("室内空气检测",)),
    ("花草", ("阳台花草",)),
)

TARGETS = {"recall": 0.95, "precision": 0.85, "r_precision": 0.9}


@dataclass(frozen=True)
class Judged:
    """One query's figures."""

    query: str
    found: tuple[str, ...]
    recall: float
    precision: float
    r_precision: float


def catalogue_rows() -> list[dict[str, str]]:
    """The demo catalogue, one row per bundle."""
    with CATALOGUE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _relevant(title: str, expected: Sequence[str]) -> bool:
    return any(title.startswith(prefix) for prefix in expected)


def judge(query: str, expected: Sequence[str], found: Sequence[str]) -> Judged:
    """Recall in the top 10, precision of what was returned, R-precision."""
    top = list(found[:10])
    rows = catalogue_rows()
    relevant = [r["name"] for r in rows if _relevant(r["name"], expected)]
    assert len(relevant) >= len(expected), f"{query}: a prefix matches no demo bundle"
    hits = [t for t in top if _relevant(t, expected)]
    r = len(relevant)
    return Judged(
        query=query,
        found=tuple(top),
        recall=len(set(hits)) / r,
        precision=len(hits) / len(top) if top else 0.0,
        r_precision=sum(_relevant(t, expected) for t in top[:r]) / r,
    )


def run(search: Callable[[str], Sequence[str]]) -> list[Judged]:
    """Every judged query through `search` (query -> titles, best first)."""
    return [judge(q, expected, search(q)) for q, expected in JUDGEMENTS]


def summary(judged: Sequence[Judged]) -> dict[str, float]:
    """The means of the figures."""
    return {
        "recall": statistics.fmean(j.recall for j in judged),
        "precision": statistics.fmean(j.precision for j in judged),
        "r_precision": statistics.fmean(j.r_precision for j in judged),
    }


def demo_documents() -> list:
    """The demo catalogue as index documents, with the demo's suppliers (whose names say 饮用水)."""
    from suppliers.catalogue.services.search import BundleDoc

    suppliers = {"goods": "清泉饮用水配送有限公司", "service": "邻里家政服务有限公司"}
    return [
        BundleDoc(
            id=i,
            title=row["name"],
            description=row["description"],
            category=row["category"],
            category_id=0,
            tags=(),
            component_names=(row["name"],),
            supplier_names=(suppliers[row["kind"]],),
            segments=("mass",),
            rank=0,
        )
        for i, row in enumerate(catalogue_rows(), start=1)
    ]


def demo_synonyms() -> dict[str, list[str]]:
    """The demo's synonym groups as the search reads them (each word to the others)."""
    from shop.console.demo import SYNONYMS

    return {w: [o for o in group if o != w] for group in SYNONYMS for w in group}
