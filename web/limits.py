"""The one place that counts: every per-address and per-account limit (reports a minute, community
reports without a proof-of-work, /check tries, staff sign-in tries, used proof-of-work challenges).

Each counter starts with the first try and forgets everything when its window ends. Counting is
atomic: the try is counted before anything slow happens, so concurrent tries cannot all slip under
the ceiling together. Where the counters live follows the installation:

- the embedded default: this process's memory, bounded (the oldest counters make room for new ones);
- `REDIS_URL`: Redis, shared by every process and server, each key expiring with its window;
- PostgreSQL without Redis: an UNLOGGED table (not written to the WAL, emptied after a crash, left out
  of backups), shared by every process; expired rows are deleted as they are met and once a minute.

Nothing plain is kept: a counter's key is an HMAC of what it counts (an address, an email) under an
installation secret, so neither memory nor Redis nor the table ever holds a client address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from web.per_loop import PerLoop
from web.secrets_store import installation_secret
from web.settings import Settings, load_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    seconds: float


REPORTS = Limit("reports", 60)  # reports per address, any form (LANTERN_REPORT_RATE_PER_MINUTE)
UNSOLVED = Limit("unsolved", 600)  # community reports without a proof-of-work per address
CHECK = Limit("check", 60)  # /check tries per address (LANTERN_CHECK_RATE_PER_MINUTE)
SIGN_IN = Limit("sign-in", 15 * 60)  # staff sign-in tries per account and address
SIGN_IN_ACCOUNT = Limit("sign-in-account", 15 * 60)  # failed sign-ins per account, from anywhere
SIGN_IN_REFUSED = Limit("sign-in-refused", 15 * 60)  # one audit line per refused account and address
POW_USED = Limit("pow-used", 3 * 3600)  # a solved challenge sends one report (as long as it is fresh)
PHOTO_KIB = Limit("photo-kib", 600)  # photo kibibytes per address, counted before decoding

# Someone in danger right now is never the one told to wait: their reports count, but are refused only
# far past the limit (a script sending nothing else is still bounded).
LIFE_SAFETY_FACTOR = 5
# Counters one process keeps in memory per window length, at most (about 330 bytes each, so some 16 MB;
# there are four window lengths).
MEMORY_KEYS = 50_000
UNLIMITED = 2**31 - 1


def address_of(host: str) -> str:
    """What the limits count by: the address, or for IPv6 its /64 (one home or device often holds a
    whole /64, and could otherwise take a fresh address for every try)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_address(connection: Any) -> str:
    """What the limits count a request by: its client's address (the visitor's, behind a trusted
    proxy), an IPv6 /64 as one."""
    client = connection.client
    return address_of(client.host if client else "unknown")


class _Counters(Protocol):
    async def take(self, key: str, seconds: float, ceiling: int, amount: int = 1) -> int | None: ...
    async def peek(self, key: str) -> int: ...
    async def forget(self, key: str) -> None: ...
    async def forget_all(self) -> None: ...


class _Memory:
    """One process's counters. Per window length, counters are kept in the order they started, which
    is also the order they end in: the expired ones are always at the front."""

    def __init__(self, max_keys: int = MEMORY_KEYS) -> None:
        self.max_keys = max_keys
        self._windows: dict[float, OrderedDict[str, list[float]]] = {}

    def _live(self, seconds: float, now: float) -> OrderedDict[str, list[float]]:
        entries = self._windows.setdefault(seconds, OrderedDict())
        while entries:
            key, (_hits, ends) = next(iter(entries.items()))
            if ends > now:
                break
            del entries[key]
        return entries

    async def take(self, key: str, seconds: float, ceiling: int, amount: int = 1) -> int | None:
        # No await in here: within one event loop this runs whole, so it is atomic.
        now = time.monotonic()
        entries = self._live(seconds, now)
        entry = entries.get(key)
        if entry is None:
            if len(entries) >= self.max_keys:
                entries.popitem(last=False)  # the oldest counter makes room: memory stays bounded
            entries[key] = [amount, now + seconds]
            return amount
        if entry[0] + amount > ceiling:
            return None
        entry[0] += amount
        return int(entry[0])

    async def peek(self, key: str) -> int:
        now = time.monotonic()
        for entries in self._windows.values():
            entry = entries.get(key)
            if entry is not None and entry[1] > now:
                return int(entry[0])
        return 0

    async def forget(self, key: str) -> None:
        for entries in self._windows.values():
            entries.pop(key, None)

    async def forget_all(self) -> None:
        self._windows.clear()


# Count one unless the ceiling is reached; the first count sets the key's expiry. One script, so atomic.
_REDIS_TAKE = """
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[3])
if hits > 0 and hits + amount > tonumber(ARGV[2]) then return -1 end
hits = redis.call('INCRBY', KEYS[1], amount)
if hits == amount then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return hits
"""
_REDIS_PREFIX = "lantern:limit:"


class _Redis:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        # A Redis client belongs to the event loop it first ran on.
        self._clients: PerLoop[Any] = PerLoop(lambda: Redis.from_url(url))

    async def take(self, key: str, seconds: float, ceiling: int, amount: int = 1) -> int | None:
        client = self._clients.get()
        hits = await client.eval(_REDIS_TAKE, 1, _REDIS_PREFIX + key, int(seconds * 1000), ceiling, amount)
        return None if int(hits) < 0 else int(hits)

    async def peek(self, key: str) -> int:
        return int(await self._clients.get().get(_REDIS_PREFIX + key) or 0)

    async def forget(self, key: str) -> None:
        await self._clients.get().delete(_REDIS_PREFIX + key)

    async def forget_all(self) -> None:
        client = self._clients.get()
        async for key in client.scan_iter(match=_REDIS_PREFIX + "*"):
            await client.delete(key)


_PG_TABLE = """
CREATE UNLOGGED TABLE IF NOT EXISTS lantern_limit (
    key text PRIMARY KEY,
    hits integer NOT NULL,
    ends_at timestamptz NOT NULL
)"""
# A counter whose window ended starts again at one; a live one counts on only below the ceiling
# (no row comes back when it is reached). One statement under the row's lock, so atomic.
_PG_TAKE = """
INSERT INTO lantern_limit AS t (key, hits, ends_at)
VALUES ({}, {}, clock_timestamp() + make_interval(secs => {}))
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN t.ends_at <= clock_timestamp() THEN excluded.hits ELSE t.hits + excluded.hits END,
    ends_at = CASE WHEN t.ends_at <= clock_timestamp() THEN excluded.ends_at ELSE t.ends_at END
WHERE t.ends_at <= clock_timestamp() OR t.hits + excluded.hits <= {}
RETURNING hits"""
_PG_SWEEP_SECONDS = 60


class _Postgres:
    def __init__(self) -> None:
        self._ready = False
        self._swept_at = 0.0

    async def _raw(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        from web.district.tables import District

        if not self._ready:
            try:
                await District.raw(_PG_TABLE)
            except Exception:
                # Two processes creating it at the same moment: one of them wins, which is all we need.
                logger.info("limit table made by another process")
            self._ready = True
        return list(await District.raw(sql, *args))

    async def take(self, key: str, seconds: float, ceiling: int, amount: int = 1) -> int | None:
        rows = await self._raw(_PG_TAKE, key, amount, float(seconds), ceiling)
        if time.monotonic() - self._swept_at > _PG_SWEEP_SECONDS:
            self._swept_at = time.monotonic()
            await self._raw("DELETE FROM lantern_limit WHERE ends_at <= clock_timestamp()")
        return int(rows[0]["hits"]) if rows else None

    async def peek(self, key: str) -> int:
        rows = await self._raw(
            "SELECT hits FROM lantern_limit WHERE key = {} AND ends_at > clock_timestamp()", key
        )
        return int(rows[0]["hits"]) if rows else 0

    async def forget(self, key: str) -> None:
        await self._raw("DELETE FROM lantern_limit WHERE key = {}", key)

    async def forget_all(self) -> None:
        await self._raw("DELETE FROM lantern_limit")


_stores: dict[tuple[str, bool], _Counters] = {}


def _store(settings: Settings) -> _Counters:
    kind = (settings.redis_url, settings.uses_postgres)
    if kind not in _stores:
        if settings.redis_url:
            _stores[kind] = _Redis(settings.redis_url)
        elif settings.uses_postgres:
            _stores[kind] = _Postgres()
        else:
            _stores[kind] = _Memory()
    return _stores[kind]


def _key(limit: Limit, what: str) -> str:
    secret = installation_secret("limits_secret", "LANTERN_LIMITS_SECRET")
    return hmac.new(secret, f"{limit.name}\n{what}".encode(), hashlib.sha256).hexdigest()[:32]


# While the shared store cannot be reached, this process counts alone rather than refuse a report or
# answer with an error page: the limits hold per process for that time.
_fallback = _Memory()


def _unreachable() -> tuple[type[BaseException], ...]:
    from asyncpg.exceptions import PostgresConnectionError
    from redis.exceptions import ConnectionError as RedisDown
    from redis.exceptions import TimeoutError as RedisSlow

    return (OSError, TimeoutError, RedisDown, RedisSlow, PostgresConnectionError)


async def _counted(call: str, key: str, *args: Any) -> Any:
    store = _store(load_settings())
    if isinstance(store, _Memory):
        return await getattr(store, call)(key, *args)
    try:
        return await getattr(store, call)(key, *args)
    except _unreachable() as error:
        logger.warning("limit counters unreachable (%s); counting in this process", type(error).__name__)
        return await getattr(_fallback, call)(key, *args)


async def take(limit: Limit, what: str, ceiling: int, amount: int = 1) -> int | None:
    """Count `amount` more of `what` (an address, an account) unless that takes it past `ceiling` in
    its window: the count with this one, or None when refused (a refused try is not counted). The
    first count of a window is always taken, so one item larger than the ceiling still goes through once."""
    hits: int | None = await _counted("take", _key(limit, what), limit.seconds, ceiling, amount)
    return hits


async def add(limit: Limit, what: str) -> int:
    """Count one, with no ceiling."""
    return await take(limit, what, UNLIMITED) or UNLIMITED


async def peek(limit: Limit, what: str) -> int:
    """How many were counted in the window under way (0 when none is)."""
    return int(await _counted("peek", _key(limit, what)))


async def forget(limit: Limit, what: str) -> None:
    await _counted("forget", _key(limit, what))


async def forget_all() -> None:
    """Every counter of this installation (tests start from nothing)."""
    await _fallback.forget_all()
    await _store(load_settings()).forget_all()


async def report_allowed(address: str, *, life_safety: bool = False) -> bool:
    """One more report from this address this minute (any form)."""
    limit = load_settings().report_rate_per_minute
    return await take(REPORTS, address, limit * LIFE_SAFETY_FACTOR if life_safety else limit) is not None


async def unsolved_allowed(address: str) -> bool:
    """One more community report without a solved proof-of-work from this address in ten minutes."""
    return await take(UNSOLVED, address, load_settings().community_unsolved_limit) is not None


async def check_allowed(address: str) -> bool:
    """One more /check try from this address this minute."""
    return await take(CHECK, address, load_settings().check_rate_per_minute) is not None


async def photo_bytes_allowed(address: str, size: int) -> bool:
    """Photo bytes from one address in 10 minutes, counted (in KiB) before any is decoded."""
    budget = load_settings().photo_mb_per_address * 1024
    return await take(PHOTO_KIB, address, budget, amount=max(1, -(-size // 1024))) is not None


async def first_use(token: str) -> bool:
    """Whether this is the first time `token` (a solved challenge) is used within its lifetime."""
    return await take(POW_USED, token, 1) is not None
