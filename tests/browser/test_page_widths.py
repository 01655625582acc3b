"""No key page is wider than a 390 px phone: tables, checklists and forms stay on screen.

Each page is also saved as a zh screenshot when SHOP_SCREENSHOTS names a folder (CI does)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.browser.steps import log_in, log_out

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOP_SCREENSHOTS")
#: (login, pages) for each role; the pages that role uses every day.
ROLES = (
    ("resident1@demo.local", ("/shop/", "/shop/basket", "/shop/orders", "/shop/search?q=水")),
    # care: large type, the butler's button
    ("resident6@demo.local", ("/shop/", "/shop/basket", "/shop/orders", "/my-butler", "/requests")),
    ("staff1@demo.local", ("/staff", "/staff/wallet")),
    ("manager@demo.local", ("/manager",)),
    (
        "supplier1@demo.local",
        (
            "/supplier/",
            "/supplier/items",
            "/supplier/items/1",
            "/supplier/statements",
            "/supplier/prepare",
        ),
    ),
    (
        "operator@demo.local",
        (
            "/console/",
            "/console/orders",
            "/console/staff-money",
            "/console/phase",
            "/console/touchpoints",
            "/console/audit",
            "/console/compounds",
            "/console/compounds/1/units",
            "/console/suppliers/",
            "/console/suppliers/3",
            "/console/catalogue/categories",
        ),
    ),
)


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "_").replace("?", "_").replace("=", "_") or "home"


def test_the_machine_renders_chinese_with_a_real_font():
    """Without a CJK font Chinese shows as boxes and a screenshot proves nothing."""
    if not shutil.which("fc-list"):
        pytest.skip("fontconfig is not installed")
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    assert found.strip(), "install fonts-noto-cjk (the README and .ci/run do)"


@pytest.mark.parametrize(("login", "paths"), ROLES, ids=[r[0].split("@")[0] for r in ROLES])
def test_no_key_page_is_wider_than_a_phone(
    app, live_server, browser_page, login, paths, demo_snapshot
):
    demo_snapshot.seed(app)
    page = browser_page
    log_in(page, live_server, login, "demo1234")
    too_wide = {}
    for path in paths:
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
        if SHOTS:
            page.screenshot(
                path=f"{SHOTS}/{login.split('@')[0]}_{_slug(path)}_zh.png", full_page=True
            )
    log_out(page)
    assert too_wide == {}
