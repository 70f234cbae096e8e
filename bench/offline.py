"""Offline budgets (kiosk and installed app): precached shell size, pages opened from the cache with
no network, and the kiosk reset.

Starts Lantern with the demo district on a throwaway data directory, then in Chromium:
- sums the bytes of every file the service worker precaches (raw and gzip);
- after one online visit, goes offline and opens 20 resource pages and the counselor page from the
  cache, timing each navigation (Navigation Timing: startTime → domContentLoadedEventEnd);
- enrols a kiosk and times "Start over now" → the kiosk home drawn again (10 runs), the reset
  clearing session/local storage, IndexedDB and caches on the way.

Budgets (issue 5): shell ≤ 300 KiB; offline resource pages open in < 200 ms; kiosk reset < 1 s.
"""

from __future__ import annotations

import gzip
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, sync_playwright

from bench.pages import CHROMIUM_ARGS, free_port, start_server, write_section
from tests.e2e.navigators.device import waits_until_kept_offline

SHELL_BUDGET = 300 * 1024
OFFLINE_BUDGET_MS = 200.0
RESET_BUDGET_MS = 1000.0


def shell_bytes(data_dir: str) -> tuple[int, int, int]:
    """(files, raw bytes, gzip bytes) of what the service worker precaches."""
    script = (
        "from web.help.app_shell import shell_urls; from web.settings import PROJECT_ROOT\n"
        "for url in shell_urls(): print(PROJECT_ROOT / 'static' / url.split('?')[0].removeprefix('/static/'))"
    )
    env = {**os.environ, "LANTERN_DATA_DIR": data_dir}
    paths = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    files = [Path(line) for line in paths.stdout.split()]
    raw = sum(p.stat().st_size for p in files)
    packed = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
    return len(files), raw, packed


def warm_bytes(base: str) -> tuple[int, int]:
    """(pages, gzip bytes on the wire) of one language's offline copy, fetched in the background once
    per language and then at most every 6 hours."""
    import httpx

    with httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}) as client:
        pages = client.get("/offline/pages").json()["pages"]
        return len(pages), sum(client.get(p).num_bytes_downloaded for p in pages)


def navigation_ms(page: Page) -> float:
    return float(
        page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n.domContentLoadedEventEnd - n.startTime; })()"
        )
    )


def offline_timings(page: Page, base: str) -> list[float]:
    page.goto(f"{base}/")
    page.evaluate("navigator.serviceWorker.ready")
    waits_until_kept_offline(page, "/offline/pages", timeout_s=60)
    links = page.evaluate("fetch('/offline/pages').then((r) => r.json()).then((j) => j.pages)")
    resources = [*[p for p in links if p.startswith("/resources/")][:20], "/counselor", "/resources"]
    page.context.set_offline(True)
    timings = []
    for path in resources:
        page.goto(f"{base}{path}")
        timings.append(navigation_ms(page))
    page.context.set_offline(False)
    return timings


def kiosk_link(data_dir: str) -> str:
    script = (
        "import asyncio\nfrom web.district import kiosks\nfrom web.district.tables import School\n"
        "async def main():\n"
        "    school = await School.objects().where(School.slug == 'lincoln-hs').first()\n"
        "    print(await kiosks.create(school, 'Bench', 60, 'en'))\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "LANTERN_DATA_DIR": data_dir, "PICCOLO_CONF": "web.piccolo_conf"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return f"/kiosk/enrol/{done.stdout.split()[-1]}"


def reset_timings(page: Page, base: str, link: str, runs: int = 10) -> list[float]:
    page.goto(f"{base}{link}")
    page.get_by_test_id("kiosk-enrol").click()
    page.wait_for_url(f"{base}/kiosk")
    page.evaluate("navigator.serviceWorker.ready")
    timings = []
    for _ in range(runs):
        page.goto(f"{base}/report")
        page.locator("#description").fill("words to be cleared")
        page.evaluate("sessionStorage.setItem('x', 'y'); localStorage.setItem('x', 'y')")
        page.locator("[data-kiosk-countdown]").evaluate("(d) => { d.hidden = false; }")
        started = time.perf_counter()
        page.get_by_test_id("kiosk-reset").click()
        page.wait_for_url(f"{base}/kiosk", wait_until="domcontentloaded")
        page.get_by_test_id("paths").wait_for()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as data_dir:
        server = start_server(port, data_dir)
        try:
            files, raw, packed = shell_bytes(data_dir)
            link = kiosk_link(data_dir)
            warm_pages, warm_size = warm_bytes(base)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                offline = offline_timings(browser.new_context().new_page(), base)
                reset = reset_timings(browser.new_context().new_page(), base, link)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)

    lines = [
        "# Offline app and kiosk",
        "",
        f"Measured {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Chromium headless. Command: `uv run python bench/offline.py`.",
        "",
        "| Figure | Value | Budget |",
        "|---|---|---|",
        f"| Precached shell ({files} files) | {raw / 1024:.0f} KiB raw, {packed / 1024:.0f} KiB gzip "
        f"| ≤ {SHELL_BUDGET // 1024} KiB |",
        f"| One language's offline copy, in the background ({warm_pages} pages) | {warm_size / 1024:.0f} KiB gzip | |",
        f"| Offline page from the cache, p50 / p95 / max ({len(offline)} pages) | {statistics.median(offline):.0f} / "
        f"{percentile(offline, 0.95):.0f} / {max(offline):.0f} ms | < {OFFLINE_BUDGET_MS:.0f} ms |",
        f"| Kiosk reset to home drawn, p50 / max ({len(reset)} runs) | {statistics.median(reset):.0f} / "
        f"{max(reset):.0f} ms | < {RESET_BUDGET_MS:.0f} ms |",
    ]
    text = "\n".join(lines)
    print(text)
    write_section(lines[0], text)
    within = raw <= SHELL_BUDGET and max(offline) < OFFLINE_BUDGET_MS and max(reset) < RESET_BUDGET_MS
    print("within budget" if within else "OVER BUDGET")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
