"""The layer rules of DESIGN.md: import-linter contracts, and the public-surface rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
#: Packages whose insides are private: others may import only their api and signals.
PACKAGES = (
    "suppliers",
    "shop.catalogue",
    "orders",
    "fulfilment",
    "shop.storefront",
    "shop.console",
)
PUBLIC = ("api", "signals")


def test_the_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _package_of(module: str) -> str | None:
    return next((p for p in PACKAGES if module == p or module.startswith(p + ".")), None)


def test_across_packages_only_api_and_signals_are_imported():
    graph = grimp.build_graph("shop", "suppliers", "orders", "fulfilment", cache_dir=None)
    offences = []
    for importer in sorted(graph.modules):
        source = _package_of(importer)
        for imported in graph.find_modules_directly_imported_by(importer):
            target = _package_of(imported)
            if target is None or target == source:
                continue
            if imported not in {f"{target}.{name}" for name in PUBLIC}:
                offences.append(f"{importer} -> {imported}")
    assert offences == []


def test_no_package_acts_on_an_error_code_string():
    """A refusal another package acts on is a class exported by its api (orders.errors)."""
    import re

    matches = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in ("shop", "suppliers", "orders", "fulfilment")
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bexc\w*\.code\s*(==|!=|in\b)", line)
    ]
    assert matches == []
