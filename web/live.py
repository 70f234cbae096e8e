"""Live updates for staff pages: events published through Litestar channels, read as server-sent
events.

One process (the embedded default): the in-memory backend. Several processes (`lantern serve
--workers N`, or several servers): PostgreSQL LISTEN/NOTIFY when DATABASE_URL is PostgreSQL, or Redis
pub/sub when REDIS_URL is set (CockroachDB has no LISTEN/NOTIFY: use Redis there)."""

from __future__ import annotations

import json
import logging
from typing import Any

from litestar.channels import ChannelsBackend, ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

from web.settings import Settings, load_settings

CHANNEL = "cases"
# "Public pages changed": every process renders them afresh (web/page_cache.py).
PUBLIC_CHANNEL = "public-pages"
logger = logging.getLogger(__name__)
_plugin: list[ChannelsPlugin] = []


def build_channels(settings: Settings | None = None) -> ChannelsPlugin:
    return ChannelsPlugin(backend=_backend(settings or load_settings()), channels=[CHANNEL, PUBLIC_CHANNEL])


def _backend(settings: Settings) -> ChannelsBackend:
    if settings.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    if settings.uses_postgres:
        from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend

        return AsyncPgChannelsBackend(dsn=settings.database_url)
    return MemoryChannelsBackend(history=0)


def fans_out(settings: Settings) -> bool:
    """Whether an event published in one process reaches pages served by another."""
    return bool(settings.redis_url) or settings.uses_postgres


def activate(plugin: ChannelsPlugin) -> None:
    """Called when the app has started: from now on, changes are published through this plugin."""
    _plugin[:] = [plugin]


def deactivate(plugin: ChannelsPlugin) -> None:
    if _plugin and _plugin[0] is plugin:
        _plugin.clear()


def publish(kind: str, *, case: str, school_id: int | None, life_safety: bool = False) -> None:
    """Tell open staff pages a case changed. Carries no case content: ids and a kind only."""
    event: dict[str, Any] = {"kind": kind, "case": case, "school": school_id, "life_safety": life_safety}
    publish_raw(CHANNEL, json.dumps(event))


def publish_raw(channel: str, data: str) -> None:
    if not _plugin:
        return
    try:
        _plugin[0].publish(data, channels=[channel])
    except RuntimeError:
        # A live update is a courtesy: the change is stored, and pages re-sync when they reconnect.
        logger.warning("live update not published", exc_info=True)
