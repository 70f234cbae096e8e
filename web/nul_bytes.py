"""No NUL byte reaches a handler: it is never meaningful in text here, and PostgreSQL refuses it.

A `%00` in a search, a school filter or a typed name would otherwise reach a query and fail there
(PostgreSQL text cannot hold NUL), losing what was typed. It is taken out once, for every route: from
the query string and from url-encoded form bodies as they stream in here, and from the text parts of
multipart forms where they are read (web/help/forms.py).
"""

from __future__ import annotations

import re

from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

ENCODED_NUL = re.compile(rb"%00|\x00")
URL_ENCODED = b"application/x-www-form-urlencoded"


def without_nul(raw: bytes) -> bytes:
    # Again until none is left: taking "%00" out of "%%0000" leaves another.
    while ENCODED_NUL.search(raw):
        raw = ENCODED_NUL.sub(b"", raw)
    return raw


def _held_back(data: bytes) -> int:
    """How many bytes at the end wait for the next chunk: its "%00" could start in any of them (and
    taking one out can join a "%" before it to "00" after it), so the whole run of "%" and "0"."""
    return len(data) - len(data.rstrip(b"%0"))


def nul_free(app: ASGIApp) -> ASGIApp:
    """`app`, seeing no NUL in the query string nor in a url-encoded body."""

    async def without_nul_bytes(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if b"%00" in query or b"\x00" in query:
                scope = {**scope, "query_string": without_nul(query)}  # type: ignore[assignment]
            content_type = dict(scope["headers"]).get(b"content-type", b"")
            if content_type.split(b";")[0].strip().lower() == URL_ENCODED:
                receive = _nul_free_receive(receive)
        await app(scope, receive, send)

    return without_nul_bytes


def _nul_free_receive(receive: Receive) -> Receive:
    carried = b""

    async def receive_nul_free() -> ReceiveMessage:
        nonlocal carried
        message = await receive()
        if message["type"] != "http.request":
            return message
        data = without_nul(carried + message.get("body", b""))
        keep = _held_back(data) if message.get("more_body", False) else 0
        carried = data[len(data) - keep :]
        return {**message, "body": data[: len(data) - keep]}

    return receive_nul_free
