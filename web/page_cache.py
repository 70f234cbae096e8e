"""Public help pages kept for a few seconds in this process's memory.

The home page, the directory (searches included), a resource, the counselor page and the offline and
install pages are the same for everyone who asks for them in the same language, so a school morning's
rush is answered from memory instead of rendering the same page again. Litestar's response cache does
the work (`cache=PAGE_SECONDS` on those handlers); this module gives it

- a key: the path and query, the language, whether htmx asked for a partial, whether the browser takes
  gzip (the answer is kept as sent), and a generation number;
- a store bounded in bytes, so searches with endless different words cannot grow memory without end;
- `forget_public_pages()`: every writer of what those pages show (district settings, schools, the
  directory) calls it, and the generation moves on. With several processes the news travels on the
  live-update channel (web/live.py); anything else (a direct database edit) shows within PAGE_SECONDS.

Never cached: forms (each carries its own idempotency key or proof-of-work challenge), anything about a
case, staff pages, and every page on a kiosk (its pages carry the kiosk's own settings).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from contextvars import ContextVar
from datetime import timedelta
from urllib.parse import urlencode

from litestar import Request
from litestar.channels import ChannelsPlugin
from litestar.stores.base import Store
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from web import i18n, live
from web.db import on_commit
from web.district.kiosks import kiosk_of

# Long enough to absorb a rush, short enough that "open now" and an edit made elsewhere show quickly.
PAGE_SECONDS = 20
STORE_NAME = "response_cache"  # the name Litestar's ResponseCacheConfig looks up
_KEY = "lantern.page_key"
logger = logging.getLogger(__name__)
_generation = [0]
_ORIGIN = secrets.token_hex(8)  # names this process in the news it sends
# The key this request is rendering for others, if any (set by the store, cleared by the middleware).
_rendering_here: ContextVar[str | None] = ContextVar("lantern_rendering_here", default=None)


def forget_public_pages() -> None:
    """What public pages show has changed: render them afresh, here and in every other process, as
    soon as the change is committed (a page rendered before then would be kept under the new key)."""
    on_commit(_changed)


def _changed() -> None:
    _generation[0] += 1
    live.publish_raw(live.PUBLIC_CHANNEL, _ORIGIN)


def page_key(request: Request) -> str:
    """The cache key, worked out once per request (Litestar asks again when it stores the answer)."""
    state = request.scope.setdefault("state", {})
    key = state.get(_KEY)
    if key is None:
        key = _key_for(request)
        state[_KEY] = key
    return key


def _key_for(request: Request) -> str:
    if kiosk_of(request.scope) is not None:
        return "kiosk:" + secrets.token_hex(8)  # a key nothing else has: never found, never stored
    locale, prefix = i18n.locale_of(request.scope, request.headers.get("accept-language"))
    query = urlencode(sorted(request.query_params.multi_items()))
    htmx = f"{request.headers.get('hx-request', '')}/{request.headers.get('hx-boosted', '')}"
    # The answer is kept as sent, compressed or not, so whether the browser takes gzip is part of the key.
    gzip = "gzip" in request.headers.get("accept-encoding", "")
    raw = "|".join(
        (
            str(_generation[0]),
            locale,
            prefix,
            htmx,
            str(gzip),
            request.headers.get("host", ""),
            request.url.path,
            query,
        )
    )
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def keep_answer(scope: HTTPScope, status_code: int) -> bool:
    """Store only a plain success for a visitor who is not on a kiosk."""
    return status_code == 200 and kiosk_of(scope) is None


def release_unfinished(app: ASGIApp) -> ASGIApp:
    """When a request that was rendering a page for others ends without storing it (an error page,
    a redirect, a dropped connection), wake those waiting so that they render it themselves."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        token = _rendering_here.set(None)
        try:
            await app(scope, receive, send)
        finally:
            key = _rendering_here.get()
            _rendering_here.reset(token)
            if key is not None:
                store = scope["litestar_app"].stores.get(STORE_NAME)
                if isinstance(store, BoundedMemoryStore):
                    store.release(key)

    return middleware


class BoundedMemoryStore(Store):
    """An in-memory store that drops its oldest entries past a size in bytes, and lets one request
    render a missing page while the others asking for it wait.

    Used from one event loop only, with no await between reading and changing, so it needs no lock."""

    __slots__ = ("_bytes", "_entries", "_rendering", "max_bytes", "wait_seconds")

    def __init__(self, max_bytes: int = 32 * 1024 * 1024, wait_seconds: float = 2.0) -> None:
        self.max_bytes = max_bytes
        self.wait_seconds = wait_seconds
        self._rendering: dict[str, asyncio.Event] = {}
        self._entries: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self._bytes = 0

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        if len(data) > self.max_bytes // 4:
            self.release(key)
            return
        self._drop(key)
        seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
        self._entries[key] = (data, time.monotonic() + seconds if seconds else None)
        self._bytes += len(data)
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))
        self.release(key)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        """The stored page; or, when another request is already rendering it, that one's result.

        Without the wait, every visitor arriving in the same instant (a class opening the page
        together, or the moment an entry expires) would render the same page at once."""
        value = self._fresh(key)
        if value is not None:
            return value
        rendering = self._rendering.get(key)
        if rendering is None:
            self._rendering[key] = asyncio.Event()  # this caller renders; later ones wait for it
            _rendering_here.set(key)
            return None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(rendering.wait(), self.wait_seconds)
        return self._fresh(key)  # None if it was not stored (then this caller renders too)

    def release(self, key: str) -> None:
        """The page for key was stored, or will not be: wake whoever waits for it."""
        rendering = self._rendering.pop(key, None)
        if rendering is not None:
            rendering.set()

    def _fresh(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] is not None and time.monotonic() >= entry[1]:
            self._drop(key)
            return None
        return entry[0]

    async def delete(self, key: str) -> None:
        self._drop(key)

    async def delete_all(self) -> None:
        self._entries.clear()
        self._bytes = 0

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        entry = self._entries.get(key)
        return None if entry is None or entry[1] is None else int(entry[1] - time.monotonic())

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._bytes

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[0])


async def _follow(plugin: ChannelsPlugin) -> None:
    while True:
        try:
            async with plugin.start_subscription([live.PUBLIC_CHANNEL]) as subscriber:
                async for event in subscriber.iter_events():
                    if event.decode() != _ORIGIN:  # this process moved on when it made the change
                        _generation[0] += 1
        except asyncio.CancelledError:
            raise
        except Exception:
            # Until it listens again, pages changed elsewhere show here after PAGE_SECONDS at most.
            logger.warning("not hearing other processes' page changes; trying again", exc_info=True)
        _generation[0] += 1  # anything missed meanwhile: render afresh
        await asyncio.sleep(1)


class Follower:
    """Listens for other processes' changes (only when the channel reaches other processes)."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self, plugin: ChannelsPlugin) -> None:
        self._task = asyncio.create_task(_follow(plugin), name="public-page-cache")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
