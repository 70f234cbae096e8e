"""The live-update streams of the staff pages: the queue page's stream carries one `queue` event per
change, a case page's stream (`?case=ID`) only its own case's changes, and neither carries content."""

from __future__ import annotations

import json
import queue
import secrets
import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.support import LanternServer, post_report, receipt_code_in
from tests.integration.staff_support import signed_in_cookies

QUIET_SECONDS = 1.5


@pytest.fixture(scope="module")
def server() -> Iterator[LanternServer]:
    server = LanternServer.fresh().start()
    yield server
    server.stop()


class Stream:
    """One open /staff/events stream, read in a thread: (event name, data) pairs in a queue."""

    def __init__(self, server: LanternServer, path: str) -> None:
        self.events: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        self._ready = threading.Event()
        self._cookies = signed_in_cookies(server.url)
        threading.Thread(target=self._read, args=(server.url, path), daemon=True).start()
        assert self._ready.wait(15), "the stream did not open"

    def _read(self, base: str, path: str) -> None:
        name = ""
        with httpx.Client(base_url=base, cookies=self._cookies, timeout=60) as client:
            try:
                with client.stream("GET", path) as stream:
                    for line in stream.iter_lines():
                        if line.startswith("event: "):
                            name = line[len("event: ") :]
                            if name == "hello":
                                self._ready.set()
                        elif line.startswith("data: ") and name != "hello":
                            self.events.put((name, json.loads(line[len("data: ") :])))
            except httpx.HTTPError:
                return  # the server stopped at the end of the module

    def next(self, timeout: float = 10) -> tuple[str, dict[str, object]]:
        return self.events.get(timeout=timeout)

    def stays_quiet(self) -> bool:
        try:
            self.events.get(timeout=QUIET_SECONDS)
        except queue.Empty:
            return True
        return False


def _report(server: LanternServer, description: str) -> str:
    answer = post_report(server, secrets.token_urlsafe(24), description=description)
    assert answer.status_code == 200
    return receipt_code_in(answer.text)


def test_queue_and_case_streams_each_carry_what_their_page_needs(server: LanternServer) -> None:
    queue_page = Stream(server, "/staff/events")
    code = _report(server, "Someone writes mean things about me on the bus every day.")
    name, first = queue_page.next()
    assert name == "queue" and first["kind"] == "new"
    assert set(first) == {"kind", "case", "school", "life_safety"}  # ids and a kind, never content
    assert queue_page.stays_quiet(), "more than one event for one new report"

    case_page = Stream(server, f"/staff/events?case={first['case']}")
    _report(server, "A different report about the lunch line.")
    assert queue_page.next()[0] == "queue"
    assert case_page.stays_quiet(), "a case page heard about another case"

    reply = httpx.post(
        f"{server.url}/check/reply",
        data={"code": code, "body": "It happened again today.", "reply_key": secrets.token_urlsafe(24)},
        timeout=30,
    )
    assert reply.status_code == 200
    name, change = case_page.next()
    assert name == f"case-{first['case']}" and change["kind"] == "reply"
    assert queue_page.next() == ("queue", change)
    assert case_page.stays_quiet() and queue_page.stays_quiet()
