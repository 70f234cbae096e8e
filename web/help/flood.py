"""Blunting floods on the public community page, without knowing who anyone is.

The form carries a challenge signed by the server; the browser spends about a second finding a number
whose SHA-256 with the challenge starts with enough zero bits (static/js/pow-worker.js, in a Web
Worker, while the person types). A report with a solved challenge goes through as any other. One
without (no JavaScript, or a script flooding the page) still goes through, but only a few per address in
a short while (counted in web/limits.py, under a keyed hash of the address, never stored with a report).

Every report form (the students' too) also has a generous limit per address and minute
(LANTERN_REPORT_RATE_PER_MINUTE, 60 by default): far above what one school's network sends on its worst
day, but it keeps one machine from flooding the server, which would slow every other child's report.
Both limits are counted in web/limits.py, which the report controller asks.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from web import limits
from web.secrets_store import installation_secret

DIFFICULTY_BITS = 18  # about 260,000 hashes: roughly a second on a school Chromebook
CHALLENGE_SECONDS = 3 * 3600


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


async def solved(challenge: str, nonce: str, now: float | None = None) -> bool:
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
    # Each solved challenge sends one report, in whichever process it arrives.
    return await limits.first_use(challenge)
