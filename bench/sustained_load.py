"""Sustained load (issue 8): 300 open staff queues and 10 report submissions a second for 60 seconds,
on this machine with the embedded default. Zero errors, zero lost or doubled reports; p50/p95/p99 of
the submission and of the queue update.

Opens 300 server-sent-event streams (`/staff/events`, as 300 open queue pages), then starts a
submission every 100 ms (each its own task, each with its own idempotency key and a numbered
description), whatever the previous ones are doing. Afterwards it reads the database (through the
service layer, in a subprocess with the server's environment) to match each case id to its submission,
and checks: every submission answered 200, the database holds each exactly once, and each of the 300
streams received every case.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import free_port, start_server, write_section  # noqa: E402
from bench.queue_latency import percentile, sign_in  # noqa: E402

QUEUES = 300
RATE_PER_SECOND = 10
SECONDS = 60
SECTION = "# Sustained load: 300 queues, 10 reports a second"


async def listen(
    client: httpx.AsyncClient, url: str, cookie: str, seen: dict[str, float], hello: asyncio.Event
) -> None:
    async with client.stream("GET", url, headers={"Cookie": f"lantern_staff={cookie}"}) as response:
        event, data = "message", []
        async for line in response.aiter_lines():
            if line:
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "event":
                    event = value
                elif name == "data":
                    data.append(value)
                continue
            if event == "hello":
                hello.set()
            elif event == "queue" and data:
                payload = json.loads("\n".join(data))
                if payload.get("kind") == "new":
                    seen.setdefault(payload["case"], time.perf_counter())
            event, data = "message", []


async def run(base: str) -> dict[str, object]:
    limits = httpx.Limits(max_connections=QUEUES + 20, max_keepalive_connections=QUEUES + 20)
    async with (
        httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0, read=None, pool=60.0)) as sse,
        httpx.AsyncClient(timeout=60.0, limits=httpx.Limits(max_connections=200)) as forms,
    ):
        cookie = await sign_in(forms, base)
        seen = [dict[str, float]() for _ in range(QUEUES)]
        hellos = [asyncio.Event() for _ in range(QUEUES)]
        tasks = [
            asyncio.create_task(listen(sse, f"{base}/staff/events", cookie, s, h))
            for s, h in zip(seen, hellos, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(h.wait() for h in hellos)), 60)

        sent_at: dict[int, float] = {}
        answers: dict[int, tuple[int, float]] = {}
        keys = {n: secrets.token_urlsafe(24) for n in range(RATE_PER_SECOND * SECONDS)}

        async def submit(n: int) -> None:
            sent_at[n] = time.perf_counter()
            try:
                response = await forms.post(
                    f"{base}/report",
                    data={
                        "category": "bullying",
                        "danger_now": "no",
                        "place": "lincoln-hs",
                        "description": f"Load report {n}: someone is picked on at lunch.",
                        "idempotency_key": keys[n],
                    },
                )
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            answers[n] = (status, time.perf_counter() - sent_at[n])

        started = time.perf_counter()
        submits = []
        for n in range(RATE_PER_SECOND * SECONDS):
            await asyncio.sleep(max(0.0, started + n / RATE_PER_SECOND - time.perf_counter()))
            submits.append(asyncio.create_task(submit(n)))
        await asyncio.gather(*submits)
        await asyncio.sleep(3)  # the last events on their way
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {"seen": seen, "sent_at": sent_at, "answers": answers, "keys": keys}


def cases_by_submission(data_dir: str, keys: dict[int, str]) -> dict[str, int]:
    """Case id → submission number, through each report's idempotency key."""
    script = """
import asyncio, json
from web.cases.tables import Report
async def main():
    rows = await Report.select(Report.public_id, Report.idempotency_key)
    print(json.dumps({str(r["public_id"]): r["idempotency_key"] for r in rows}))
asyncio.run(main())
"""
    env = {**os.environ, "LANTERN_DATA_DIR": data_dir, "PICCOLO_CONF": "web.piccolo_conf"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    number = {key: n for n, key in keys.items()}
    stored: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return {case: number.get(key, -1) for case, key in stored.items()}


def main() -> int:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="lantern-load-") as data_dir:
        server = start_server(port, data_dir)
        try:
            result = asyncio.run(run(f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=30)
        cases = cases_by_submission(data_dir, result["keys"])  # type: ignore[arg-type]

    answers: dict[int, tuple[int, float]] = result["answers"]  # type: ignore[assignment]
    sent_at: dict[int, float] = result["sent_at"]  # type: ignore[assignment]
    seen: list[dict[str, float]] = result["seen"]  # type: ignore[assignment]
    total = RATE_PER_SECOND * SECONDS
    errors = sum(1 for status, _ in answers.values() if status != 200)
    numbers = [n for n in cases.values() if n >= 0]
    # Lost: acknowledged (200) but not stored. A submission that got no answer may or may not be stored;
    # its client would retry with the same key (tests/e2e/test_crash_safety.py shows that path).
    lost = sum(1 for n, (status, _) in answers.items() if status == 200 and n not in set(numbers))
    doubled = len(numbers) - len(set(numbers))
    submit_ms = sorted(seconds * 1000 for _, seconds in answers.values())
    update_ms = sorted(
        (at - sent_at[cases[case]]) * 1000
        for queue in seen
        for case, at in queue.items()
        if cases.get(case, -1) >= 0
    )
    missing = QUEUES * len(numbers) - len(update_ms)

    def row(label: str, values: list[float]) -> str:
        return (
            f"| {label} | {len(values)} | {percentile(values, 0.5):.0f} ms | {percentile(values, 0.95):.0f} ms | "
            f"{percentile(values, 0.99):.0f} ms |"
        )

    ok = errors == 0 and lost == 0 and doubled == 0 and missing == 0
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Command: `uv run python bench/sustained_load.py`. The server "
        "(one process, embedded SQLite) and the clients (one Python process) share the cores.",
        "",
        "| measure | samples | p50 | p95 | p99 |",
        "|---|---|---|---|---|",
        row("submission (POST /report answered)", submit_ms),
        row("queue update (submission sent → event in a queue)", update_ms),
        "",
        f"{total} submissions: {errors} not answered 200 in 60 s, {lost} acknowledged but lost, {doubled} doubled; "
        f"{missing} queue updates missing of {QUEUES * len(numbers)} for the stored reports. {'ok' if ok else 'NOT OK'}.",
    ]
    text = "\n".join(lines)
    print(text)
    write_section(SECTION, text)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
