"""Staff sign-in: Argon2id passwords, server-side sessions with idle and absolute timeouts, and a
sign-in slowdown against guessing (counted in memory, never written down)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from web.settings import load_settings
from web.staff import audit
from web.staff.tables import StaffAccount, StaffSession

_hasher = PasswordHasher()
# Verifying against this keeps a wrong email as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only a timing stand-in")
# After this many failures for one email in the window, each try waits longer; past the ceiling, no tries.
_FREE_TRIES = 3
_MAX_TRIES = 20
_WINDOW_SECONDS = 15 * 60
_failures: dict[str, deque[float]] = defaultdict(deque)


class SignInRefused(Exception):
    """Too many failed tries for this email: wait before trying again."""


def _recent_failures(email: str) -> deque[float]:
    window = _failures[email]
    cutoff = time.monotonic() - _WINDOW_SECONDS
    while window and window[0] < cutoff:
        window.popleft()
    return window


def slowdown_seconds(email: str) -> float:
    count = len(_recent_failures(email))
    return 0.0 if count < _FREE_TRIES else min(0.5 * 2 ** (count - _FREE_TRIES), 8.0)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def sign_in(email: str, password: str) -> StaffAccount | None:
    """The account for these credentials, or None. Every attempt is audited."""
    email = email.strip().lower()
    if len(_recent_failures(email)) >= _MAX_TRIES:
        await audit.record("signin.refused", email=email, reason="too_many_tries")
        raise SignInRefused()
    await anyio.sleep(slowdown_seconds(email))
    account = await StaffAccount.objects().where(StaffAccount.email == email).first()
    stored = account.password_hash if account else _DUMMY_HASH
    ok = await anyio.to_thread.run_sync(_verify, stored, password)
    if account is None or not ok or not account.active:
        _failures[email].append(time.monotonic())
        await audit.record("signin.failed", staff=account, email=email)
        return None
    _failures.pop(email, None)
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


_CODE_TRIES = 5


def code_tries_left(account: StaffAccount) -> int:
    return _CODE_TRIES - len(_recent_failures(f"code:{account.id}"))


def code_failed(account: StaffAccount) -> None:
    _failures[f"code:{account.id}"].append(time.monotonic())


async def confirm_second_factor(account: StaffAccount, session_id: int) -> str:
    """The code was right: the half-way session ends and a new, verified one begins (a new token, so a
    token seen before the code step is worth nothing)."""
    _failures.pop(f"code:{account.id}", None)
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
