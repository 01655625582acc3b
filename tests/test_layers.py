"""The layer rules of DESIGN.md: import-linter contracts, and the public-surface rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
#: Packages whose insides are private: others may import only their api and signals.
#: suppliers.catalogue comes before suppliers: the first prefix that matches names the package.
PACKAGES = (
    "suppliers.catalogue",
    "suppliers",
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


def test_every_api_answers_with_frozen_values_not_table_rows():
    """The public functions of each package's api.py name no table model anywhere in their
    signatures, and none answers with `Any`."""
    import importlib
    import inspect

    from sqlmodel import SQLModel

    import wsgi

    wsgi.import_models()
    tables = {m.class_.__name__ for m in SQLModel._sa_registry.mappers}
    offenders = []
    for package in PACKAGES:
        try:
            module = importlib.import_module(f"{package}.api")
        except ModuleNotFoundError:
            continue
        for name, fn in vars(module).items():
            if (
                name.startswith("_")
                or not inspect.isfunction(fn)
                or fn.__module__ != module.__name__
            ):
                continue
            for part, annotation in fn.__annotations__.items():
                words = set(
                    str(annotation)
                    .replace("[", " ")
                    .replace("]", " ")
                    .replace(",", " ")
                    .replace("|", " ")
                    .split()
                )
                if words & tables or (part == "return" and "Any" in words):
                    offenders.append(f"{module.__name__}.{name} ({part}: {annotation})")
    assert offenders == []


#: The domain packages and their one anatomy (docs/architecture.md, "One anatomy").
DOMAIN_PACKAGES = ("suppliers", "suppliers/catalogue", "orders", "fulfilment")
REQUIRED = {
    "__init__.py",
    "api.py",
    "models.py",
    "queries.py",
    "services",
    "schemas.py",
    "http.py",
    "views.py",
    "jobs.py",
    "errors.py",
}
OPTIONAL = {
    "process.py",
    "rules.py",
    "labels.py",
    "cli.py",
    "handlers.py",
    "signals.py",
    "templates",
    "static",
    "__pycache__",
}


def _sources(package: str, name: str | None = None) -> list[Path]:
    root = ROOT / package
    paths = [p for p in root.rglob("*.py") if package != "suppliers" or "catalogue" not in p.parts]
    return [p for p in paths if name is None or p.name == name]


def test_every_domain_package_has_the_same_files():
    """The same files in every package; nothing else at its top but the optional few."""
    wrong = {}
    for package in DOMAIN_PACKAGES:
        names = {p.name for p in (ROOT / package).iterdir()} - {"catalogue"}
        missing, extra = REQUIRED - names, names - REQUIRED - OPTIONAL
        if missing or extra or not (ROOT / package / "services" / "__init__.py").exists():
            wrong[package] = {"missing": sorted(missing), "extra": sorted(extra)}
    assert wrong == {}


def test_signals_are_declared_in_signals_and_received_in_handlers():
    import re

    misplaced = []
    for package in DOMAIN_PACKAGES:
        for path in _sources(package):
            text = path.read_text(encoding="utf-8")
            if path.name != "handlers.py" and re.search(r"\.\w+\.connect\(", text):
                misplaced.append(f"{path.relative_to(ROOT)} connects a receiver")
            if path.name != "signals.py" and "Namespace(" in text:
                misplaced.append(f"{path.relative_to(ROOT)} declares signals")
    assert misplaced == []


def test_api_runs_no_sql_and_exports_its_errors():
    """api.py delegates: reads to queries, writes to services; its refusals come with it."""
    offenders = []
    for package in DOMAIN_PACKAGES:
        text = (ROOT / package / "api.py").read_text(encoding="utf-8")
        if "select(" in text or "db.session()" in text:
            offenders.append(f"{package}/api.py runs SQL")
        dotted = package.replace("/", ".")
        if f"from {dotted} import errors as errors" not in text:
            offenders.append(f"{package}/api.py does not export its errors")
    assert offenders == []


def test_refusals_are_classes_in_errors_not_codes_at_the_raise():
    """A domain package raises its own refusal classes; a code string lives in errors.py."""
    import re

    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in DOMAIN_PACKAGES
        for path in _sources(package)
        if path.name != "errors.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bcode=\"", line)
    ]
    assert offenders == []


def test_pages_read_forms_only_through_schemas():
    """Every posted form goes through a schema (`shop.core.web.posted` / `load_form`): no
    page reads `request.form` itself, so money and percents are converted in one place."""
    allowed = {"shop/core/web.py", "shop/core/boundary.py", "shop/core/ratelimit.py"}
    readers = [
        str(path.relative_to(ROOT))
        for package in ("shop", "suppliers", "orders", "fulfilment")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "request.form" in path.read_text(encoding="utf-8")
        and str(path.relative_to(ROOT)) not in allowed
    ]
    assert readers == []


def test_no_function_is_longer_than_fifty_lines_outside_the_demo_seed():
    """A function that needs more is two functions (the demo seed is a script of data)."""
    import ast

    long = []
    for package in ("shop", "suppliers", "orders", "fulfilment"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "demo.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > 50:
                        long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {length}")
    assert long == []
