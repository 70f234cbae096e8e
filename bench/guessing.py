"""Receipt-code guessing: how many guesses a minute one address gets through `/check`, with the
defaults (10 lookups per address per minute, counted in memory; every failed lookup takes at least
1 s). With 10^15 possible codes (15 random digits and a check digit; a guesser would try only codes
whose check digit fits), that is the figure that matters; the Argon2id hash behind it makes a
stolen database no shortcut either (about 19 MiB and 2 passes per guess).

Runs 60 s of wrong guesses from one address with 10 concurrent connections, counts answers that were
real lookups (422, "not found") and refusals (429), and writes its section of bench/results.md.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import free_port, start_server, write_section  # noqa: E402

SECONDS = 60.0
CONNECTIONS = 10


async def guess(base: str) -> tuple[int, int, int]:
    lookups = refused = other = 0
    stop = time.monotonic() + SECONDS

    async def one() -> None:
        nonlocal lookups, refused, other
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            n = 0
            while time.monotonic() < stop:
                n += 1
                response = await client.post("/check", data={"code": f"{n:016d}"})
                if response.status_code == 422:
                    lookups += 1
                elif response.status_code == 429:
                    refused += 1
                else:
                    other += 1

    await asyncio.gather(*(one() for _ in range(CONNECTIONS)))
    return lookups, refused, other


def main() -> int:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="lantern-guess-") as data_dir:
        # The shipped defaults, whatever the calling environment says.
        server = start_server(
            port, data_dir, LANTERN_CHECK_RATE_PER_MINUTE="10", LANTERN_CHECK_MIN_SECONDS="1.0"
        )
        try:
            lookups, refused, other = asyncio.run(guess(f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=15)
    per_minute = lookups * 60 / SECONDS
    # A guesser tries only codes whose check digit fits: 10^15 of them.
    years = 10**15 / 2 / per_minute / 60 / 24 / 365
    lines = [
        "# Receipt-code guessing",
        "",
        f"Measured {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores. "
        f"Command: `uv run python bench/guessing.py` ({CONNECTIONS} connections from one address, {SECONDS:.0f} s).",
        "",
        "| figure | value |",
        "|---|---|",
        f"| lookups answered (wrong code) | {lookups} ({per_minute:.0f} per minute) |",
        f"| refused (429, wait a minute) | {refused} |",
        f"| anything else | {other} |",
        f"| expected time to hit one given code from one address | {years:.1e} years |",
        "",
        "The limit counts in fixed one-minute windows, so a run spanning a window boundary gets up to 20.",
    ]
    text = "\n".join(lines)
    print(text)
    write_section(lines[0], text)
    # The limit counts in fixed one-minute windows: a run that spans a window boundary can get two.
    return 0 if other == 0 and per_minute <= 20 else 1


if __name__ == "__main__":
    raise SystemExit(main())
