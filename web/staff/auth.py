"""Staff sign-in: Argon2id passwords, server-side sessions with idle and absolute timeouts, and a
sign-in slowdown against guessing (counted in web/limits.py under keyed hashes, never written down)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from web import limits
from web.secrets_store import installation_secret
from web.settings import load_settings
from web.staff import audit
from web.staff.tables import StaffAccount, StaffSession

_hasher = PasswordHasher()
# Verifying against this keeps a wrong email as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only a timing stand-in")
# No address holds a longer one (RFC 5321); anything longer is refused before it is counted or audited.
MAX_EMAIL_LENGTH = 254
# Tries are counted per account *and* address: another address's failures never refuse a right
# password. After this many tries from one address for one email, each waits longer; past the ceiling,
# that address gets no more tries for that email until the window ends (a right password starts it
# afresh).
_FREE_TRIES = 3
_MAX_TRIES = 20
# Failures for one account from every address together only slow each try down, by a bounded pause:
# someone guessing from many addresses is slowed, and the counselor still signs in.
_ACCOUNT_FREE_FAILURES = 10
_ACCOUNT_PAUSE_SECONDS = 1.0
# A device that signed in to an account before carries a mark for it (a cookie): its tries for that
# account are counted apart from its address's, so a pupil failing a counselor's password on the school's
# network does not lock her out of her own computer there.
DEVICE_MARK_DAYS = 180
# Two-factor code tries (code_tries_left, below) are counted here, per account.
_failures: dict[str, deque[float]] = defaultdict(deque)
_WINDOW_SECONDS = 15 * 60


class SignInRefused(Exception):
    """Too many tries for this email from this address: wait before trying again."""


def _recent_failures(email: str) -> deque[float]:
    window = _failures[email]
    cutoff = time.monotonic() - _WINDOW_SECONDS
    while window and window[0] < cutoff:
        window.popleft()
    return window


def slowdown_seconds(tries_before: int, account_failures: int = 0) -> float:
    """The pause before checking a password, from this address's earlier tries for the account and the
    account's failures from everywhere."""
    own = 0.0 if tries_before < _FREE_TRIES else min(0.5 * 2 ** (tries_before - _FREE_TRIES), 8.0)
    shared = _ACCOUNT_PAUSE_SECONDS if account_failures >= _ACCOUNT_FREE_FAILURES else 0.0
    return max(own, shared)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _device_signature(email: str, nonce: str) -> str:
    secret = installation_secret("limits_secret", "LANTERN_LIMITS_SECRET")
    return hmac.new(secret, f"staff device\n{email}\n{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def device_mark(email: str, current: str | None = None) -> str:
    """The mark a device keeps after signing in to this account (the one it has, when still good)."""
    email = email.strip().lower()
    if current and _marked_device(email, current):
        return current
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_device_signature(email, nonce)}"


def _marked_device(email: str, mark: str | None) -> str | None:
    nonce, _, signature = (mark or "")[:100].partition(".")
    if nonce and hmac.compare_digest(signature, _device_signature(email, nonce)):
        return nonce
    return None


async def sign_in(email: str, password: str, address: str, device: str | None = None) -> StaffAccount | None:
    """The account for these credentials, or None. Every attempt is audited. `address` is the client's
    (counted under a keyed hash, never audited); `device` the device's mark for this account, if any."""
    email = email.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH:
        return None
    nonce = _marked_device(email, device)
    pair = f"{email}\ndevice\n{nonce}" if nonce else f"{email}\n{limits.address_of(address)}"
    # Counted before the pause and the check, so concurrent tries cannot all pass under the ceiling.
    tries = await limits.take(limits.SIGN_IN, pair, _MAX_TRIES)
    if tries is None:
        # Audited once per window: a script hammering a refused door does not grow the log.
        if await limits.take(limits.SIGN_IN_REFUSED, pair, 1):
            await audit.record("signin.refused", email=email, reason="too_many_tries")
        raise SignInRefused()
    await anyio.sleep(slowdown_seconds(tries - 1, await limits.peek(limits.SIGN_IN_ACCOUNT, email)))
    account = await StaffAccount.objects().where(StaffAccount.email == email).first()
    stored = account.password_hash if account else _DUMMY_HASH
    ok = await anyio.to_thread.run_sync(_verify, stored, password)
    if account is None or not ok or not account.active:
        await limits.add(limits.SIGN_IN_ACCOUNT, email)
        await audit.record("signin.failed", staff=account, email=email)
        return None
    await limits.forget(limits.SIGN_IN, pair)
    await audit.record("signin.ok", staff=account)
    return account


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(account: StaffAccount, *, second_factor_done: bool = False) -> str:
    """A new session; returns the token for the cookie (only its hash is stored). For an account with
    two-factor sign-in the session counts only once the code is given (`confirm_second_factor`), unless
    the district's provider already asked for it (single sign-on)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(tz=UTC)
    await StaffSession(
        token_hash=_digest(token),
        staff=account.id,
        created_at=now,
        last_seen_at=now,
        verified=second_factor_done or not account.totp_enabled,
    ).save()
    return token


async def confirm_second_factor(account: StaffAccount, session_id: int) -> str:
    """The code was right: the half-way session ends and a new, verified one begins (a new token, so a
    token seen before the code step is worth nothing)."""
    now = datetime.now(tz=UTC)
    await StaffSession.update({StaffSession.ended_at: now}).where(StaffSession.id == session_id)
    token = secrets.token_urlsafe(32)
    await StaffSession(
        token_hash=_digest(token), staff=account.id, created_at=now, last_seen_at=now, verified=True
    ).save()
    return token


@dataclass(frozen=True)
class SignedIn:
    account: StaffAccount
    session_id: int
    verified: bool


async def resume_session(token: str | None) -> SignedIn | None:
    """The signed-in staff member for a cookie token, or None when absent, ended or timed out."""
    if not token:
        return None
    session = await StaffSession.objects().where(StaffSession.token_hash == _digest(token)).first()
    if session is None or session.ended_at is not None:
        return None
    settings = load_settings()
    now = datetime.now(tz=UTC)
    idle_limit = timedelta(minutes=settings.staff_idle_minutes)
    absolute_limit = timedelta(hours=settings.staff_absolute_hours)
    if now - session.last_seen_at > idle_limit or now - session.created_at > absolute_limit:
        await StaffSession.update({StaffSession.ended_at: now}).where(StaffSession.id == session.id)
        return None
    account = await StaffAccount.objects().where(StaffAccount.id == session.staff).first()
    if account is None or not account.active:
        return None
    # Write the activity time at most once a minute: a queue tab polls often.
    if now - session.last_seen_at > timedelta(seconds=60):
        await StaffSession.update({StaffSession.last_seen_at: now}).where(StaffSession.id == session.id)
    return SignedIn(account=account, session_id=session.id, verified=session.verified)


async def end_session(token: str | None) -> None:
    if token:
        await StaffSession.update({StaffSession.ended_at: datetime.now(tz=UTC)}).where(
            StaffSession.token_hash == _digest(token)
        )
