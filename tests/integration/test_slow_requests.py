"""Slow clients cannot hold connections open (issue 16, finding 2): against a real `lantern serve`,
raw sockets that trickle their headers or their body, or send nothing, are closed within a bound."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.e2e.support import FIRST_PARTY_HOST, LanternServer

HEADER_SECONDS = 1.0
BODY_SECONDS = 1.0
# A connection must be gone well before the attack's 45 s, and soon after its deadline.
BOUND = 6.0
TRICKLE = 0.2  # seconds between the attacker's bytes


@pytest.fixture(scope="module")
def server() -> Iterator[LanternServer]:
    lantern = LanternServer.fresh(
        LANTERN_HEADER_SECONDS=str(HEADER_SECONDS),
        LANTERN_BODY_SECONDS=str(BODY_SECONDS),
        LANTERN_BODY_MIN_RATE="8192",
    ).start()
    yield lantern
    lantern.stop()
    lantern.remove_data()


def connect(server: LanternServer) -> socket.socket:
    sock = socket.create_connection((FIRST_PARTY_HOST, server.port), timeout=BOUND)
    sock.setblocking(False)
    return sock


def closed_by_server(sock: socket.socket) -> bytes | None:
    """What the server sent before closing, or None while it is still open."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return None
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def trickle_until_closed(socks: list[socket.socket], pieces: Iterator[bytes]) -> tuple[float, list[bytes]]:
    """Send one piece to every open socket each TRICKLE seconds until the server has closed them all."""
    started = time.monotonic()
    answers: dict[int, bytes] = {}
    while len(answers) < len(socks) and time.monotonic() - started < BOUND * 3:
        piece = next(pieces)
        for index, sock in enumerate(socks):
            if index in answers:
                continue
            answer = closed_by_server(sock)
            if answer is not None:
                answers[index] = answer
                continue
            try:
                sock.send(piece)
            except (BrokenPipeError, ConnectionResetError):
                answers[index] = b""
        time.sleep(TRICKLE)
    elapsed = time.monotonic() - started
    for sock in socks:
        sock.close()
    assert len(answers) == len(socks), (
        f"{len(socks) - len(answers)} connections still open after {elapsed:.1f}s"
    )
    return elapsed, [answers[i] for i in range(len(socks))]


def header_lines() -> Iterator[bytes]:
    yield b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    number = 0
    while True:
        number += 1
        yield f"X-Wait-{number}: a\r\n".encode()


def body_bytes(path: str, length: int) -> Iterator[bytes]:
    yield (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    while True:
        yield b"description=aaaaaaaaaa"


def test_six_connections_trickling_headers_are_closed(server: LanternServer) -> None:
    elapsed, _answers = trickle_until_closed([connect(server) for _ in range(6)], header_lines())
    assert elapsed < BOUND


def test_a_header_block_past_16_kb_is_refused_at_once(server: LanternServer) -> None:
    sock = connect(server)
    sock.settimeout(BOUND)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 64 * 1024)
    answer = b""
    while chunk := sock.recv(65536):  # closed after the answer; an old server kept reading
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


def test_a_connection_that_sends_nothing_is_closed(server: LanternServer) -> None:
    elapsed, answers = trickle_until_closed([connect(server)], iter(lambda: b"", None))
    assert elapsed < BOUND and answers == [b""]


def test_a_report_body_trickled_towards_60_mb_is_closed_with_a_408(server: LanternServer) -> None:
    elapsed, [answer] = trickle_until_closed([connect(server)], body_bytes("/report", 60 * 1024 * 1024))
    assert elapsed < BOUND
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"content-security-policy" in answer.lower()


def test_headers_trickled_after_a_first_answer_are_closed_too(server: LanternServer) -> None:
    sock = connect(server)
    sock.settimeout(BOUND)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    sock.setblocking(False)
    lines = header_lines()
    elapsed, _answers = trickle_until_closed([sock], lines)
    assert elapsed < BOUND


def test_a_small_form_refuses_a_large_body_before_reading_it(server: LanternServer) -> None:
    sock = connect(server)
    sock.settimeout(BOUND)  # an old server that waits for the body fails here, not hangs
    sock.sendall(
        b"POST /check/signal HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000\r\n\r\n{"
    )
    answer = b""
    while chunk := sock.recv(65536):  # the server closes after answering
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"content-security-policy" in answer.lower()


def test_a_photo_arriving_at_a_slow_but_steady_pace_still_sends(server: LanternServer) -> None:
    """Faster than the minimum rate, slower than the first deadline: the body is read and answered."""
    body = b"category=bullying&danger_now=no&place=lincoln-hs&description=" + b"a" * 60_000
    sock = connect(server)
    sock.settimeout(BOUND)
    sock.sendall(
        b"POST /report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    for start in range(0, len(body), 4096):  # 20 kB/s for 3 s: past BODY_SECONDS, above the rate
        sock.sendall(body[start : start + 4096])
        time.sleep(TRICKLE)
    answer = sock.recv(65536)
    sock.close()
    # A long description is the form's own error (kept as typed), not a timeout.
    assert answer.startswith((b"HTTP/1.1 200", b"HTTP/1.1 422")), answer[:200]
