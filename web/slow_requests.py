"""Bounds on how slowly a client may send a request, and how much it may send.

A slow client holds a connection (and memory) for as long as it trickles: a few of them at a byte a
second keep the server busy. The headers must be complete within `header_seconds` of the connection
opening, or of the previous answer on a kept-alive connection (uvicorn only times out a connection
that sends nothing at all). A body gets `body_seconds`, plus a second for every `body_min_rate` bytes
it has sent, so a large photo on a slow school network still arrives while a trickle does not. A
request body nobody reads (an early refusal) ends the connection instead of being waited for.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anyio
from litestar.exceptions import ClientException
from litestar.status_codes import HTTP_408_REQUEST_TIMEOUT, HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from web.settings import load_settings

CLOSE = {"Connection": "close"}
SMALL = 16 * 1024
# Forms that carry no photo take far less than the app-wide limit (which allows six photos).
SMALL_BODIES: dict[str, int] = {
    "/check": SMALL,
    "/check/signal": SMALL,
    "/check/signal/off": SMALL,
    "/kiosk/enrol/": SMALL,  # and the token after it
}
# The largest header block read; a larger one is answered 400 and the connection closed.
MAX_HEADER_BYTES = 16 * 1024


class BodyTooSlow(ClientException):
    status_code = HTTP_408_REQUEST_TIMEOUT
    detail = "The request took too long to arrive"


class BodyTooLarge(ClientException):
    status_code = HTTP_413_REQUEST_ENTITY_TOO_LARGE
    detail = "Request Entity Too Large"


def body_limit(path: str) -> int | None:
    for prefix, limit in SMALL_BODIES.items():
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return limit
    return None


def _declared_length(scope: Scope) -> int | None:
    """The Content-Length, 0 for a request without a body, None when chunked (or unreadable)."""
    headers = dict(scope["headers"])
    if b"transfer-encoding" in headers:
        return None
    try:
        return int(headers.get(b"content-length", b"0"))
    except ValueError:
        return None


class BodyDeadlineMiddleware:
    """Wraps `receive`: the body must keep coming at a minimum rate and stay under the route's limit.
    Runs after the language prefix is taken off, so the limits name routes as they are declared."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = load_settings()
        limit = body_limit(scope["path"])
        declared = _declared_length(scope)
        if limit is not None and declared is not None and declared > limit:
            await _refuse(send, HTTP_413_REQUEST_ENTITY_TOO_LARGE, BodyTooLarge.detail)
            return
        started = time.monotonic()
        received = 0
        finished = declared == 0

        async def receive_in_time() -> ReceiveMessage:
            nonlocal received, finished
            if finished:
                return await receive()
            allowed = settings.body_seconds + received / settings.body_min_rate
            message: ReceiveMessage | None = None
            with anyio.move_on_after(started + allowed - time.monotonic()):
                message = await receive()
            if message is None:
                raise BodyTooSlow(headers=CLOSE)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if limit is not None and received > limit:
                    raise BodyTooLarge(headers=CLOSE)
                finished = not message.get("more_body", False)
            return message

        await self.app(scope, receive_in_time, send)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = f'{{"status_code":{status},"detail":"{detail}"}}'.encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    start: Any = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (the faster of its two parsers) with a deadline for each request's
    headers and a bound on their size, which httptools itself does not set: an endless header block
    would otherwise be read for as long as it comes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_seconds = load_settings().header_seconds
        self.header_deadline: asyncio.TimerHandle | None = None
        self.in_head = True
        self.head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.in_head:
            self.head_bytes += len(data)
        super().data_received(data)
        # Still in the head after this chunk: every byte so far was request line and headers.
        if self.in_head and self.head_bytes > MAX_HEADER_BYTES and not self.transport.is_closing():
            self.send_400_response("Request headers too large.")

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        if self.cycle is not None and self.cycle.more_body and not self.transport.is_closing():
            # Answered before its body was read: waiting for the rest would let it trickle on.
            self.transport.close()
            return
        super().on_response_complete()
        if not self.transport.is_closing():
            self.in_head, self.head_bytes = True, 0
            self._arm_header_deadline()  # for the next request on this connection

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self.header_deadline = self.loop.call_later(self.header_seconds, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_too_slow(self) -> None:
        self.header_deadline = None
        if self.in_head and not self.transport.is_closing():
            self.transport.close()
