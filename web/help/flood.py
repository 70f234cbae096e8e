"""Blunting floods on the public community page, without knowing who anyone is.

The form carries a challenge signed by the server; the browser spends about a second finding a number
whose SHA-256 with the challenge starts with enough zero bits (static/js/pow-worker.js, in a Web
Worker, while the person types). A report with a solved challenge goes through as any other. One
without (no JavaScript, or a script flooding the page) still goes through, but only a few per address in
a short while: addresses are counted in memory only and never written anywhere.

Every report form (the students' too) also has a generous limit per address and minute
(LANTERN_REPORT_RATE_PER_MINUTE, 60 by default): far above what one school's network sends on its worst
day, but it keeps one machine from flooding the server, which would slow every other child's report.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import deque

from web.secrets_store import installation_secret
from web.settings import load_settings

DIFFICULTY_BITS = 18  # about 260,000 hashes: roughly a second on a school Chromebook
CHALLENGE_SECONDS = 3 * 3600
WINDOW_SECONDS = 600
REPORT_WINDOW_SECONDS = 60  # LANTERN_REPORT_RATE_PER_MINUTE counts over this

_used: dict[str, float] = {}


# Someone in danger right now is never the one told to wait: their reports count, but are refused
# only far past the limit (a script sending nothing else is still bounded).
LIFE_SAFETY_FACTOR = 5


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


class PerAddress:
    """How often each address did something in the last `seconds`, in memory only."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._times: dict[str, deque[float]] = {}
        self._pruned_at = 0.0

    def allow(self, address: str, limit: int, now: float | None = None) -> bool:
        """Count one more for address, unless it already reached limit in the window."""
        now = now or time.monotonic()
        if len(self._times) > 10_000 and now - self._pruned_at > self.seconds:
            # Many addresses: forget those quiet for the whole window (at most once a window).
            self._pruned_at = now
            for quiet in [a for a, t in self._times.items() if not t or now - t[-1] > self.seconds]:
                del self._times[quiet]
        recent = self._times.setdefault(address, deque())
        while recent and now - recent[0] > self.seconds:
            recent.popleft()
        if len(recent) >= limit:
            return False
        recent.append(now)
        return True

    def clear(self) -> None:
        self._times.clear()


class BytesPerAddress:
    """How many bytes each address sent in the last `seconds`, in memory only."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._sent: dict[str, deque[tuple[float, int]]] = {}
        self._pruned_at = 0.0

    def allow(self, address: str, size: int, budget: int, now: float | None = None) -> bool:
        """Count size more bytes for address, unless that would take it past budget in the window."""
        now = now or time.monotonic()
        if len(self._sent) > 10_000 and now - self._pruned_at > self.seconds:
            self._pruned_at = now
            for quiet in [a for a, s in self._sent.items() if not s or now - s[-1][0] > self.seconds]:
                del self._sent[quiet]
        recent = self._sent.setdefault(address, deque())
        while recent and now - recent[0][0] > self.seconds:
            recent.popleft()
        if sum(n for _at, n in recent) + size > budget:
            return False
        recent.append((now, size))
        return True

    def clear(self) -> None:
        self._sent.clear()


_unsolved = PerAddress(WINDOW_SECONDS)
_reports = PerAddress(REPORT_WINDOW_SECONDS)
_photo_bytes = BytesPerAddress(WINDOW_SECONDS)


def _sign(text: str) -> str:
    return hmac.new(
        installation_secret("pow_secret", "LANTERN_POW_SECRET"), text.encode(), hashlib.sha256
    ).hexdigest()[:24]


def new_challenge(now: float | None = None) -> str:
    text = f"{int(now or time.time())}.{secrets.token_hex(8)}.{DIFFICULTY_BITS}"
    return f"{text}.{_sign(text)}"


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def solved(challenge: str, nonce: str, now: float | None = None) -> bool:
    """A genuine, fresh, unused challenge with a nonce that meets its difficulty."""
    now = now or time.time()
    parts = challenge.split(".") if isinstance(challenge, str) else []
    if len(parts) != 4 or not hmac.compare_digest(_sign(".".join(parts[:3])), parts[3]):
        return False
    if not (parts[0].isdigit() and parts[2].isdigit()) or now - int(parts[0]) > CHALLENGE_SECONDS:
        return False
    if not (isinstance(nonce, str) and nonce.isdigit() and len(nonce) <= 12):
        return False
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    if leading_zero_bits(digest) < int(parts[2]):
        return False
    for old in [c for c, at in _used.items() if now - at > CHALLENGE_SECONDS]:
        del _used[old]
    if challenge in _used:
        return False  # each solved challenge sends one report
    _used[challenge] = now
    return True


def unsolved_allowed(address: str, now: float | None = None) -> bool:
    """A few reports without a solved challenge per address per window (in memory only)."""
    return _unsolved.allow(address, load_settings().community_unsolved_limit, now)


def report_allowed(address: str, *, life_safety: bool = False, now: float | None = None) -> bool:
    """One more report from this address this minute (any form; in memory only)."""
    limit = load_settings().report_rate_per_minute
    return _reports.allow(address, limit * LIFE_SAFETY_FACTOR if life_safety else limit, now)


def photo_bytes_allowed(address: str, size: int, now: float | None = None) -> bool:
    """Photo bytes from one address in 10 minutes, counted before any is decoded (in memory only)."""
    return _photo_bytes.allow(address, size, load_settings().photo_mb_per_address * 1024 * 1024, now)
