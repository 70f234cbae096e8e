"""Several app processes on one database: a live event published by one process reaches an SSE client
of another, and a change saved in one shows at once on public pages the other keeps in memory; through
PostgreSQL LISTEN/NOTIFY, or through Redis (REDIS_URL) for processes sharing the embedded database. And
`lantern serve --workers N` refuses the embedded database without Redis, where events could not cross.

The cross-process stories need PostgreSQL and Redis: they run in the suite's PostgreSQL pass (`make test`
starts both there, scripts/with-postgres.sh and scripts/with-redis.sh), and are skipped, with the reason,
in the SQLite pass."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.e2e.support import free_port
from tests.integration.staff_support import DISTRICT, signed_in_cookies
from web.cli import main

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LANTERN = Path(sys.executable).parent / "lantern"


def test_several_workers_refuse_the_embedded_database(monkeypatch: pytest.MonkeyPatch) -> None:
    from web.settings import load_settings

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    load_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    finally:
        monkeypatch.undo()
        load_settings.cache_clear()
    assert result.exit_code != 0
    assert "Several workers need PostgreSQL" in result.output


@contextmanager
def serving_two(kind: str, **overrides: str) -> Iterator[tuple[str, str]]:
    """Two app processes sharing one database: PostgreSQL with LISTEN/NOTIFY between them, or the embedded
    SQLite file with Redis pub/sub between them (REDIS_URL)."""
    data_dir = tempfile.mkdtemp(prefix="lantern-two-")  # shared: both servers use the same secrets
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env.pop("DATABASE_URL", None)
    env.update(LANTERN_DATA_DIR=data_dir, PICCOLO_CONF="web.piccolo_conf", LANTERN_RUN_WORKER="0")
    env.update(overrides)
    if kind == "postgresql":
        if not os.environ.get("LANTERN_TEST_DATABASE_URL"):
            pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of make test")
        env["DATABASE_URL"] = os.environ["LANTERN_TEST_DATABASE_URL"]
    else:
        if not os.environ.get("LANTERN_TEST_REDIS_URL"):
            pytest.skip("needs Redis: runs in the PostgreSQL pass of make test (scripts/with-redis.sh)")
        env["REDIS_URL"] = os.environ["LANTERN_TEST_REDIS_URL"]
    processes, bases = [], []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [str(LANTERN), "serve", "--demo", "--port", str(port)],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
            deadline = time.monotonic() + 60  # the first start migrates and seeds the shared database
            while True:
                try:
                    if httpx.get(f"{bases[-1]}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "a server did not start"
                time.sleep(0.2)
        yield bases[0], bases[1]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)


@pytest.fixture(params=["postgresql", "redis"])
def two_servers(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    with serving_two(request.param) as bases:
        yield bases


def save_short_name(base: str, short_name: str) -> None:
    """The district admin saves the district settings with a new short name."""
    with httpx.Client(base_url=base, cookies=signed_in_cookies(base)) as client:
        page = client.get("/staff/admin/district")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        form = {
            "_csrf_token": token, "name": "Prairie River Public Schools (demo)", "short_name": short_name,
            "brand_color": "#1d4e89", "emergency_number": "911", "crisis_text_number": "741741",
            "crisis_text_keyword": "HOME", "lifeline_number": "988", "timezone": "America/Chicago",
            "categories": ["bullying", "food", "self_harm", "weapon"],
        }  # fmt: skip
        assert client.post("/staff/admin/district", data=form).status_code == 200


def test_a_change_saved_in_one_process_shows_at_once_on_pages_kept_by_another(
    two_servers: tuple[str, str],
) -> None:
    from web.page_cache import PAGE_SECONDS

    first, second = two_servers
    assert "Prairie River Schools" in httpx.get(f"{second}/counselor").text  # now kept by the second
    save_short_name(first, "River Valley")
    try:
        saved = time.monotonic()
        while "River Valley" not in httpx.get(f"{second}/counselor").text:
            assert time.monotonic() - saved < 5, "the second process still shows the old name"
            time.sleep(0.1)
        # Well within the time a page is kept for, so the news travelled (LISTEN/NOTIFY).
        assert time.monotonic() - saved < PAGE_SECONDS / 2
    finally:
        save_short_name(first, "Prairie River Schools")


def test_an_event_from_one_process_reaches_a_page_served_by_another(two_servers: tuple[str, str]) -> None:
    first, second = two_servers
    cookies = signed_in_cookies(second)  # sessions live in the shared database
    events: list[dict[str, object]] = []
    ready = threading.Event()

    def listen() -> None:
        with httpx.Client(base_url=second, cookies=cookies, timeout=30) as client:
            with client.stream("GET", "/staff/events") as stream:
                for line in stream.iter_lines():
                    if line.startswith("event: hello"):
                        ready.set()
                    if line.startswith("data: ") and '"kind"' in line:
                        events.append(json.loads(line[len("data: ") :]))
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert ready.wait(15), "the event stream did not open"
    sent = httpx.post(
        f"{first}/report",
        data={
            "category": "weapon",
            "danger_now": "no",
            "place": "lincoln-hs",
            "description": "Seen with a knife near the gym.",
            "idempotency_key": secrets.token_urlsafe(24),
        },
        timeout=30,
    )
    assert sent.status_code == 200
    listener.join(15)
    assert events and events[0]["kind"] == "new" and events[0]["life_safety"] is True


LIMITED = {
    "LANTERN_CHECK_RATE_PER_MINUTE": "4",
    "LANTERN_CHECK_MIN_SECONDS": "0",
    "LANTERN_REPORT_RATE_PER_MINUTE": "2",
    "LANTERN_COMMUNITY_UNSOLVED_LIMIT": "1",
}


@pytest.fixture(params=["postgresql", "redis"])
def two_limited_servers(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    with serving_two(request.param, **LIMITED) as (first, second):
        yield request.param, first, second


def _report(base: str, path: str) -> int:
    fields = {
        "category": "bullying", "danger_now": "no", "place": "lincoln-hs",
        "description": "Someone keeps taking a kid's lunch.", "idempotency_key": secrets.token_urlsafe(24),
    }  # fmt: skip
    return httpx.post(f"{base}{path}", data=fields, timeout=30).status_code


def _wrong_sign_in(base: str) -> int:
    with httpx.Client(base_url=base, timeout=60) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/staff/sign-in").text)
        data = {"email": DISTRICT, "password": "a wrong guess", "_csrf_token": token.group(1)}  # type: ignore[union-attr]
        return client.post("/staff/sign-in", data=data).status_code


def _stored_counters(kind: str) -> list[tuple[str, str, float]]:
    """Every counter the shared store holds: its key, its value, and the seconds it has left."""
    if kind == "redis":
        from redis import Redis

        store = Redis.from_url(os.environ["LANTERN_TEST_REDIS_URL"])
        return [
            (key.decode(), store.get(key).decode(), store.pttl(key) / 1000)  # type: ignore[union-attr,operator]
            for key in store.scan_iter(match="lantern:limit:*")
        ]
    import asyncio

    import asyncpg

    async def rows() -> list[tuple[str, str, float]]:
        connection = await asyncpg.connect(os.environ["LANTERN_TEST_DATABASE_URL"])
        try:
            assert await connection.fetchval(
                "SELECT relpersistence::text FROM pg_class WHERE relname = 'lantern_limit'"
            ) == "u", "the counters must not be written to the WAL"  # fmt: skip
            found = await connection.fetch(
                "SELECT key, hits, extract(epoch FROM ends_at - clock_timestamp()) AS left FROM lantern_limit"
            )
            return [(r["key"], str(r["hits"]), float(r["left"])) for r in found]
        finally:
            await connection.close()

    return asyncio.run(rows())


def test_every_limit_counts_across_processes(two_limited_servers: tuple[str, str, str]) -> None:
    kind, first, second = two_limited_servers
    # /check tries alternate between the two processes: four in all, not four each.
    checks = [
        httpx.post(f"{base}/check", data={"code": "0000 0000 0000 0000"}, timeout=30).status_code
        for base in [first, second] * 3
    ]
    assert checks == [422] * 4 + [429] * 2
    # One community report without a proof-of-work, then two reports a minute, whichever process.
    assert _report(first, "/community") == 200
    assert _report(second, "/community") == 429
    assert _report(second, "/report") == 200
    assert _report(first, "/report") == 429
    # Sign-in tries from one address, at once, half on each process: 20 passwords checked in all.
    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(_wrong_sign_in, [first, second] * 12))
    assert answers.count(422) == 20 and answers.count(429) == 4
    # Shared, but never a plain address or email, and every counter ends with its window.
    counters = _stored_counters(kind)
    assert counters
    for key, value, seconds_left in counters:
        assert "127.0.0.1" not in key + value and DISTRICT not in key + value
        assert 0 < seconds_left <= 3 * 3600
