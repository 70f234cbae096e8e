"""Student-page budgets: bytes transferred (gzip) and requests on a first visit, and server time.

Starts Lantern with the demo district on a throwaway data directory, loads each public page in a
fresh Chromium context (nothing cached) to list every request it makes, fetches each of those with
gzip to count the bytes on the wire, and times the home page over loopback. Writes bench/results.md.

Budgets (foundation issue): ≤ 60 KiB per first visit, zero third-party requests, home page under
20 ms server time.
"""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/resources", "/resources?need=food", "/counselor", "/report", "/community", "/check"]
BUDGET_BYTES = 60 * 1024
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, data_dir: str, **settings: str) -> subprocess.Popen[bytes]:
    """`lantern serve --demo` on this port and data directory, with LANTERN_* settings if given."""
    # Every benchmark client comes from 127.0.0.1: lift the per-address limit on reports.
    env = {
        **os.environ,
        "LANTERN_DATA_DIR": data_dir,
        "LANTERN_REPORT_RATE_PER_MINUTE": "1000000",
        **settings,
    }
    lantern = str(Path(sys.executable).with_name("lantern"))
    process = subprocess.Popen(
        [lantern, "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("Lantern did not start")


def page_weights(base: str) -> list[tuple[str, int, int, int]]:
    """(page, requests, gzip bytes, third-party requests) per page, on a cold cache."""
    rows = []
    executable = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    with sync_playwright() as playwright, httpx.Client(headers={"Accept-Encoding": "gzip"}) as client:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for path in PAGES:
            context = browser.new_context()
            everything: list[str] = []
            urls: list[str] = []
            # Third-party checks count every request, the service worker's included; the page's weight
            # counts what the page itself loads (the worker's offline copy of the directory is fetched
            # in the background and measured by bench/offline.py).
            context.on("request", lambda request, seen=everything: seen.append(request.url))
            page = context.new_page()
            page.on("request", lambda request, urls=urls: urls.append(request.url))
            page.goto(base + path, wait_until="networkidle")
            context.close()
            third_party = [u for u in everything if urlparse(u).hostname not in ("127.0.0.1", "localhost")]
            total = 0
            for url in urls:
                if url in third_party:
                    continue
                response = client.get(url)
                total += response.num_bytes_downloaded + sum(
                    len(k) + len(v) + 4 for k, v in response.headers.items()
                )
            rows.append((path, len(urls), total, len(third_party)))
        browser.close()
    return rows


def home_server_time(base: str, rounds: int = 300) -> tuple[float, float]:
    """Median and p95 milliseconds for GET / over loopback, after a warm-up."""
    with httpx.Client() as client:
        for _ in range(20):
            client.get(base + "/")
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            client.get(base + "/")
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def write_section(heading: str, text: str) -> None:
    """Add or replace one `# heading` section of bench/results.md, keeping the others."""
    path = ROOT / "bench" / "results.md"
    lines = path.read_text().splitlines() if path.exists() else []
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("# ")), len(lines))
        before, after = lines[:start], lines[end:]
    else:
        before, after = lines, []
    while before and not before[-1].strip():
        before.pop()
    parts = ["\n".join(before)] if before else []
    parts.append(text.rstrip("\n"))
    if after:
        parts.append("\n".join(after).rstrip("\n"))
    path.write_text("\n\n".join(parts) + "\n")


def main() -> int:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as data_dir:
        server = start_server(port, data_dir)
        try:
            base = f"http://127.0.0.1:{port}"
            weights = page_weights(base)
            median_ms, p95_ms = home_server_time(base)
        finally:
            server.terminate()
            server.wait(timeout=10)
    lines = [
        "# Student page budgets",
        "",
        f"Measured {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}) by `make bench`.",
        "",
        "| page | requests | transferred (gzip, with headers) | budget 60 KiB | third-party requests |",
        "|---|---|---|---|---|",
    ]
    ok = True
    for path, requests, total, third in weights:
        within = total <= BUDGET_BYTES and third == 0
        ok &= within
        lines.append(
            f"| `{path}` | {requests} | {total / 1024:.1f} KiB | {'ok' if within else 'OVER'} | {third} |"
        )
    within_time = median_ms < 20
    ok &= within_time
    lines += [
        "",
        f"Home page over loopback (300 sequential requests, includes HTTP): median {median_ms:.2f} ms, "
        f"p95 {p95_ms:.2f} ms — budget 20 ms: {'ok' if within_time else 'OVER'}.",
    ]
    report = "\n".join(lines) + "\n"
    write_section(lines[0], report)
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
