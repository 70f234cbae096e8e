"""What `lantern serve` prints never unmasks anyone: no client address (direct or behind a trusted
proxy), no query string, no token in a path, nothing from a form and no receipt code, at the most
talkative log level; the request lines it does print name the route template only. An uncaught
exception is logged by type and place, never by its message."""

from __future__ import annotations

import io
import logging
import os
import secrets
import socket

import httpx
from litestar import Litestar, get
from litestar.testing import TestClient

from tests.e2e.support import LanternServer, receipt_code_in
from web.logs import AppLogging, PrivateFormatter

CLIENT = "127.0.0.2"  # a loopback address of its own, so it cannot be mistaken for the server's
VISITOR = "203.0.113.77"  # the real visitor, as the trusted proxy tells it


def _raw_bad_request(server: LanternServer, marker: str) -> None:
    with socket.create_connection(("127.0.0.1", server.port), source_address=(CLIENT, 0)) as sock:
        sock.sendall(f"GET /resources?q={marker} HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n".encode())
        sock.settimeout(5)
        sock.recv(4096)


def test_the_server_output_holds_no_address_query_token_or_form_content() -> None:
    overrides = {"LANTERN_LOG_LEVEL": "debug", "LANTERN_TRUSTED_PROXIES": CLIENT}
    if os.environ.get("LANTERN_TEST_DATABASE_URL"):  # the PostgreSQL pass
        overrides["DATABASE_URL"] = os.environ["LANTERN_TEST_DATABASE_URL"]
    server = LanternServer.fresh(**overrides)
    server.log_path.unlink(missing_ok=True)
    kiosk_token = secrets.token_urlsafe(24)
    key = secrets.token_urlsafe(24)
    description = f"Marker-{secrets.token_hex(6)} my dad hits me when he drinks"
    secret_words = [
        "dad",
        "60601",
        kiosk_token,
        key,
        description,
        "Nowhere-Secret",
        "probe-query",
        "raw-marker",
    ]
    server.start()
    try:
        transport = httpx.HTTPTransport(local_address=CLIENT)
        with httpx.Client(base_url=server.url, transport=transport, timeout=30) as client:
            assert client.get("/resources?q=my+dad+hits+me&near=60601").status_code == 200
            assert client.get(f"/kiosk/enrol/{kiosk_token}").status_code == 404
            assert client.post(f"/kiosk/enrol/{kiosk_token}").status_code == 404
            assert client.post("/check", data={"code": "1111 2222 3333 4444"}).status_code == 422
            sent = client.post(
                "/report",
                data={"category": "bullying", "danger_now": "no", "place": "lincoln-hs",
                      "description": description, "idempotency_key": key},
                headers={"X-Forwarded-For": VISITOR},
            )  # fmt: skip
            assert sent.status_code == 200
            code = receipt_code_in(sent.text)
            secret_words.append(code)
            assert (
                client.post("/check", data={"code": code}, headers={"X-Forwarded-For": VISITOR}).status_code
                == 200
            )
            assert client.get("/Nowhere-Secret?probe-query=1").status_code == 404
        _raw_bad_request(server, "raw-marker")
    finally:
        server.stop()
    output = server.log_path.read_text(errors="replace")
    server.remove_data()
    for address in (CLIENT, VISITOR):
        assert address not in output
    for word in secret_words:
        assert word not in output, f"{word!r} reached the server's output"
    # The debug log does speak, in route templates.
    assert "GET /kiosk/enrol/{token} 404" in output
    assert "POST /check 422" in output
    assert "POST /report 200" in output
    assert "GET (no route) 404" in output


@get("/boom/{token:str}")
async def boom(token: str, q: str = "") -> str:
    raise ValueError(f"could not use {token} for {q}")


def test_an_uncaught_exception_is_logged_without_its_message_path_or_query() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PrivateFormatter("%(name)s: %(message)s"))
    errors = logging.getLogger("web.errors")
    errors.addHandler(handler)
    try:
        with TestClient(Litestar([boom], logging_config=AppLogging())) as client:
            assert client.get("/boom/tok-Secret-123?q=my+dad+hits+me").status_code == 500
    finally:
        errors.removeHandler(handler)
    logged = stream.getvalue()
    assert "Uncaught ValueError in GET /boom/{token}" in logged
    assert "builtins.ValueError (its message is not logged)" in logged
    assert "test_logs.py" in logged  # where it was raised
    for word in ("tok-Secret-123", "dad", "could not use"):
        assert word not in logged
