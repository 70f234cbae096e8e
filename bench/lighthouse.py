"""Lighthouse (npm, pinned in bench/lighthouse/package.json) against the system Chromium, mobile preset,
on the home, resources, report and counselor pages of the demo district.

Targets (issue 9): performance ≥ 95, accessibility 100, best practices 100. Writes its section of
bench/results.md. `make lighthouse` installs the pinned Lighthouse (npm ci) and runs this.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import free_port, start_server, write_section  # noqa: E402

PAGES = ["/", "/resources", "/report", "/counselor"]
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run --disable-quic"
)
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}


def audit(url: str, out_dir: Path, attempts: int = 3) -> dict[str, int]:
    report = out_dir / "report.json"
    for attempt in range(1, attempts + 1):
        run = subprocess.run(
            [
                str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
                f"--chrome-flags={CHROME_FLAGS}", "--only-categories=performance,accessibility,best-practices",
            ],
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
            timeout=180,
        )  # fmt: skip
        if run.returncode == 0:
            break
        # Lighthouse itself sometimes loses the trace of a page load (NO_NAVSTART) and asks to run again.
        if attempt == attempts:
            raise RuntimeError(f"Lighthouse failed {attempts} times on {url}")
    categories = json.loads(report.read_text())["categories"]
    return {name: round(categories[name]["score"] * 100) for name in TARGETS}


def main() -> int:
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: run `make lighthouse` (it runs npm ci in bench/lighthouse).")
        return 2
    port = free_port()
    rows: list[tuple[str, dict[str, int]]] = []
    with tempfile.TemporaryDirectory(prefix="lantern-lh-") as data_dir:
        server = start_server(port, data_dir)
        try:
            for path in PAGES:
                with tempfile.TemporaryDirectory() as out:
                    rows.append((path, audit(f"http://127.0.0.1:{port}{path}", Path(out))))
        finally:
            server.terminate()
            server.wait(timeout=15)
    lines = [
        "# Lighthouse (mobile preset)",
        "",
        f"Measured {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        "Lighthouse 12.8.2 with the system Chromium. Command: `make lighthouse`.",
        "",
        "| page | performance | accessibility | best practices |",
        "|---|---|---|---|",
        *[f"| `{p}` | {s['performance']} | {s['accessibility']} | {s['best-practices']} |" for p, s in rows],
        "",
        "Targets: performance ≥ 95, accessibility 100, best practices 100.",
    ]
    text = "\n".join(lines)
    print(text)
    write_section(lines[0], text)
    within = all(scores[name] >= target for _p, scores in rows for name, target in TARGETS.items())
    print("within targets" if within else "BELOW TARGET")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
