"""docs/api.md lists every operation of the OpenAPI document, with who may call it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _doc_module():
    spec = importlib.util.spec_from_file_location("api_doc", ROOT / "docs" / "api_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_api_reference_is_true_to_the_code(app):
    doc = _doc_module()
    wanted = doc.current(app)
    assert wanted == doc.DOC.read_text(encoding="utf-8"), "run `make api-doc`"


def test_every_operation_says_who_may_call_it(app):
    table = _doc_module().render(app)
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) > 80
    assert [r for r in rows if "| ? |" in r] == []


def test_the_process_tables_in_the_architecture_are_the_code_s(app):
    doc = _doc_module()
    with app.app_context():
        wanted = doc.current_architecture()
    assert doc.PROCESS_BEGIN in wanted and "| submitted | approve | approved_probation |" in wanted
    assert wanted == doc.ARCHITECTURE.read_text(encoding="utf-8"), "run `make api-doc`"


def test_every_list_is_a_page(app):
    """The conventions promise `{"items", "page", "per_page", "total"}` for every list: no
    read may answer a bare array, and every one that pages takes `page` and `per_page`.
    (29 answered arrays until 2026-12-07; this keeps the next one from doing so.)"""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    def resolve(schema):
        while "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    arrays, pages, unpaged = [], 0, []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method != "get":  # a write may answer with what it changed (a checklist)
                continue
            content = op.get("responses", {}).get("200", {}).get("content", {})
            schema = resolve(content.get("application/json", {}).get("schema", {}))
            if schema.get("type") == "array":
                arrays.append(f"{method.upper()} {path}")
            if {"items", "page", "per_page", "total"} <= set(schema.get("properties", {})):
                pages += 1
                query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
                if not {"page", "per_page"} <= query:
                    unpaged.append(f"{method.upper()} {path}")
    assert arrays == [], "lists that answer a bare array instead of a page"
    assert unpaged == [], "pages that do not take ?page= and ?per_page="
    assert pages >= 30
