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
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.e2e.support import free_port
from tests.integration.staff_support import signed_in_cookies
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


@pytest.fixture(params=["postgresql", "redis"])
def two_servers(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """Two app processes sharing one database: PostgreSQL with LISTEN/NOTIFY between them, or the embedded
    SQLite file with Redis pub/sub between them (REDIS_URL)."""
    data_dir = tempfile.mkdtemp(prefix="lantern-two-")  # shared: both servers use the same secrets
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env.pop("DATABASE_URL", None)
    env.update(LANTERN_DATA_DIR=data_dir, PICCOLO_CONF="web.piccolo_conf", LANTERN_RUN_WORKER="0")
    if request.param == "postgresql":
        if not os.environ.get("LANTERN_TEST_DATABASE_URL"):
            pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of make test")
        env["DATABASE_URL"] = os.environ["LANTERN_TEST_DATABASE_URL"]
    else:
        if not os.environ.get("LANTERN_TEST_REDIS_URL"):
            pytest.skip("needs Redis: runs in the PostgreSQL pass of make test (scripts/with-redis.sh)")
        env["REDIS_URL"] = os.environ["LANTERN_TEST_REDIS_URL"]
    processes, bases = [], []
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
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{bases[-1]}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "a server did not start"
            time.sleep(0.2)
    yield bases[0], bases[1]
    for process in processes:
        process.terminate()
        process.wait(timeout=15)


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
