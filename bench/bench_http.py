"""HTTP benchmark: the marketplace under gunicorn against a bare Flask app, same run.

Serves both with gunicorn (2 sync workers each, like a small production box), seeds the demo
community in a temporary SQLite database, then measures with 4 concurrent clients:
the resident's home page (logged in), the anonymous landing page and GET /api/v1/me with a
bearer token, next to the bare app's page and JSON. Prints medians, p95, throughput, the
ratio to the bare app and the target.

    .venv/bin/python bench/bench_http.py [--requests 400] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Median latency targets at 4 concurrent clients on this 2-core machine.
TARGETS_MS = {"home (resident)": 40.0, "landing (anonymous)": 30.0, "GET /api/v1/me": 30.0}
#: Storefront pages must keep at least this share of the bare app's requests per second.
TARGET_RPS_SHARE = {"shop list page": 0.40, "bundle page": 0.40}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    app: str, port: int, env: dict[str, str], workers: int = 2, threads: int = 1
) -> subprocess.Popen:
    """gunicorn serving `app`: sync workers, or gthread workers with `threads` > 1."""
    cmd = [
        str(BIN / "gunicorn"),
        "-w",
        str(workers),
        *(["--threads", str(threads)] if threads > 1 else []),
        "-b",
        f"127.0.0.1:{port}",
        "--preload",
        "--log-level",
        "warning",
        app,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{app} did not start")


def measure(url: str, n: int, concurrency: int, **kwargs: object) -> dict[str, float]:
    def one(session: requests.Session) -> float:
        start = time.perf_counter()
        response = session.get(url, timeout=10, **kwargs)
        response.raise_for_status()
        return (time.perf_counter() - start) * 1000

    sessions = [requests.Session() for _ in range(concurrency)]
    for s in sessions:
        if "cookies" in kwargs:
            s.cookies.update(kwargs.pop("cookies"))  # type: ignore[arg-type]
    for s in sessions:  # warm up every worker
        for _ in range(5):
            one(s)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(lambda i: one(sessions[i % concurrency]), range(n)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "median": statistics.median(latencies),
        "p95": latencies[int(0.95 * n) - 1],
        "rps": n / elapsed,
    }


def login_cookies(base: str) -> dict[str, str]:
    s = requests.Session()
    html = s.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    s.post(
        f"{base}/login",
        data={"login": "resident1@demo.local", "password": "demo1234", "csrf_token": token},
        timeout=10,
        allow_redirects=False,
    )
    return s.cookies.get_dict()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    env = {
        **os.environ,
        "SHOP_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "SHOP_SECRET_KEY": "bench",
        "SHOP_SEARCH_DIR": str(work / "search"),
    }
    env.pop("SHOP_REDIS_URL", None)
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    subprocess.run([*flask, "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    shop_port, bare_port = free_port(), free_port()
    shop = serve("wsgi:create_app()", shop_port, env)
    bare = serve("bench.bare_app:app", bare_port, env)
    try:
        base, bare_base = f"http://127.0.0.1:{shop_port}", f"http://127.0.0.1:{bare_port}"
        token = requests.post(
            f"{base}/api/v1/auth/token",
            timeout=10,
            json={"login": "resident1@demo.local", "password": "demo1234"},
        )
        bearer = {"Authorization": f"Bearer {token.json()['token']}"}
        n, c = args.requests, args.concurrency
        rows = [
            ("bare page", measure(f"{bare_base}/", n, c), None),
            ("bare JSON", measure(f"{bare_base}/me", n, c), None),
            (
                "home (resident)",
                measure(f"{base}/shop/", n, c, cookies=login_cookies(base)),
                "bare page",
            ),
            ("landing (anonymous)", measure(f"{base}/", n, c), "bare page"),
            ("GET /api/v1/me", measure(f"{base}/api/v1/me", n, c, headers=bearer), "bare JSON"),
            ("shop list page", measure(f"{base}/shop/categories/1", n, c), "bare page"),
            ("bundle page", measure(f"{base}/shop/bundles/1", n, c), "bare page"),
        ]
    finally:
        for proc in (shop, bare):
            proc.terminate()
            proc.wait(timeout=10)

    by_name = {name: figures for name, figures, _ in rows}
    print(f"\n{n} requests each, {c} concurrent clients, gunicorn 2 sync workers, SQLite")
    print(f"{'endpoint':<22}{'median ms':>10}{'p95 ms':>9}{'req/s':>8}{'x bare':>8}  target")
    for name, figures, baseline in rows:
        ratio = f"{figures['median'] / by_name[baseline]['median']:.1f}" if baseline else "-"
        target, share = TARGETS_MS.get(name), TARGET_RPS_SHARE.get(name)
        verdict = ""
        if target is not None:
            verdict = f"<{target:.0f} ms {'ok' if figures['median'] < target else 'MISS'}"
        elif share is not None and baseline:
            got = figures["rps"] / by_name[baseline]["rps"]
            verdict = f"{got:.0%} of bare rps (>= {share:.0%}) {'ok' if got >= share else 'MISS'}"
        print(
            f"{name:<22}{figures['median']:>10.1f}{figures['p95']:>9.1f}"
            f"{figures['rps']:>8.0f}{ratio:>8}  {verdict}"
        )


if __name__ == "__main__":
    main()
