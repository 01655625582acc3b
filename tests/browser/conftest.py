"""Headless Chromium (Debian's package) driven by Playwright against the app on loopback."""

from __future__ import annotations

import os
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def buffered(app: Any) -> Any:
    """The app with each response read whole and closed at once.

    Werkzeug's development server skips closing a response (an open static file) when the
    browser drops the connection mid-way, and the leaked file would surface as a warning.
    """

    def wsgi(environ: dict, start_response: Any) -> list[bytes]:
        result = app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            if hasattr(result, "close"):
                result.close()

    return wsgi


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served on 127.0.0.1 on a free port, for the length of one test."""
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def browser_page(tmp_path: Path):
    """A fresh page in headless Chromium (390×844, a phone)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("SHOP_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing but SHOP_REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        yield page
        context.close()
        browser.close()


@pytest.fixture
def paying_server(app_factory, localstripe_url):
    """The app on loopback, paying through localstripe, which sends it signed webhooks."""
    app = app_factory(STRIPE_API_BASE=localstripe_url, JOBS_RAISE=False)
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    body = urllib.parse.urlencode(
        {
            "url": f"{base}/api/v1/payments/stripe/webhook",
            "secret": app.config["STRIPE_WEBHOOK_SECRET"],
        }
    ).encode()
    urllib.request.urlopen(  # noqa: S310  (loopback test server)
        urllib.request.Request(  # noqa: S310
            f"{localstripe_url}/_config/webhooks/browser-test", data=body, method="POST"
        ),
        timeout=5,
    ).close()
    yield app, base
    server.shutdown()
    thread.join()
    server.server_close()
