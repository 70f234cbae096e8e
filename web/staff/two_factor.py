"""Two-factor sign-in with time-based one-time codes (RFC 6238, via pyotp), enrolled by QR code
(rendered with segno as an SVG data URI, so nothing leaves the server)."""

from __future__ import annotations

import enum
import time
from datetime import UTC, datetime, timedelta

import pyotp
import segno

from web.cases import sealing
from web.db import write_transaction
from web.staff import audit
from web.staff.tables import StaffAccount

ISSUER = "Lantern"
# Tries at a one-time code per account in a window; then the half-signed-in session ends.
CODE_TRIES = 5
CODE_WINDOW = timedelta(minutes=15)


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_qr(account: StaffAccount, secret: str, district_name: str) -> str:
    """The otpauth:// URI as a QR code, as an SVG data URI for an <img>."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=f"{ISSUER} ({district_name})")
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _accepted_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step a code belongs to if it is valid now (±1 step) and newer than the last one used."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code) and (
            last_step is None or step > last_step
        ):
            return step
    return None


def _secret(account: StaffAccount) -> str | None:
    return sealing.open_value(StaffAccount, "totp_secret", account.totp_secret)


async def pending_secret(account: StaffAccount) -> str:
    """The secret to show on the enrolment page: the one begun before, or a new one."""
    fresh = await StaffAccount.objects().where(StaffAccount.id == account.id).first()
    secret = _secret(fresh) if fresh is not None else None
    return secret or await start_enrolment(account)


async def start_enrolment(account: StaffAccount) -> str:
    secret = new_secret()
    await StaffAccount.update(
        {
            StaffAccount.totp_secret: sealing.seal(StaffAccount, "totp_secret", secret),
            StaffAccount.totp_enabled: False,
        }
    ).where(StaffAccount.id == account.id)
    return secret


async def confirm_enrolment(account: StaffAccount, code: str) -> bool:
    fresh = await StaffAccount.objects().where(StaffAccount.id == account.id).first()
    secret = _secret(fresh) if fresh is not None else None
    if fresh is None or not secret:
        return False
    step = _accepted_step(secret, code, None)
    if step is None:
        return False
    await StaffAccount.update({StaffAccount.totp_enabled: True, StaffAccount.totp_last_step: step}).where(
        StaffAccount.id == account.id
    )
    await audit.record("staff.two_factor_enabled", staff=account)
    return True


class CodeOutcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"  # no tries left in this window: start again with the password, later


async def _claim_try(account: StaffAccount, now: datetime) -> StaffAccount | None:
    """Count a try before the code is looked at, in one write transaction: a conditional UPDATE, so
    however many requests arrive together, no more than CODE_TRIES get past it in a window."""
    async with write_transaction(StaffAccount._meta.db):
        mine = StaffAccount.id == account.id
        await StaffAccount.update(
            {StaffAccount.code_failures: 0, StaffAccount.code_failures_since: None}
        ).where(mine & (StaffAccount.code_failures_since < now - CODE_WINDOW))
        claimed = await (
            StaffAccount.update({StaffAccount.code_failures: StaffAccount.code_failures + 1})
            .where(mine & (StaffAccount.code_failures < CODE_TRIES))
            .returning(StaffAccount.id)
        )
        if not claimed:
            return None
        await StaffAccount.update({StaffAccount.code_failures_since: now}).where(
            mine & StaffAccount.code_failures_since.is_null()
        )
        return await StaffAccount.objects().where(mine).first()


async def try_code(account: StaffAccount, code: str) -> CodeOutcome:
    """A code at sign-in. Each try counts before it is checked; a right code clears the count. Each
    code works once, also when the same one arrives twice at the same moment."""
    fresh = await _claim_try(account, datetime.now(tz=UTC))
    if fresh is None:
        return CodeOutcome.LOCKED
    secret = _secret(fresh)
    step = _accepted_step(secret, code, fresh.totp_last_step) if fresh.totp_enabled and secret else None
    if step is not None:
        used = await (
            StaffAccount.update(
                {
                    StaffAccount.totp_last_step: step,
                    StaffAccount.code_failures: 0,
                    StaffAccount.code_failures_since: None,
                }
            )
            .where(
                (StaffAccount.id == account.id)
                & (StaffAccount.totp_last_step.is_null() | (StaffAccount.totp_last_step < step))
            )
            .returning(StaffAccount.id)
        )
        if used:
            await audit.record("signin.second_factor_ok", staff=account)
            return CodeOutcome.ACCEPTED
    await audit.record("signin.second_factor_failed", staff=account)
    return CodeOutcome.WRONG


async def turn_off(admin: StaffAccount, account: StaffAccount) -> None:
    """An administrator turns it off for someone who lost their device."""
    await StaffAccount.update(
        {
            StaffAccount.totp_enabled: False,
            StaffAccount.totp_secret: None,
            StaffAccount.totp_last_step: None,
            StaffAccount.code_failures: 0,
            StaffAccount.code_failures_since: None,
        }
    ).where(StaffAccount.id == account.id)
    await audit.record("staff.two_factor_reset", staff=admin, account=account.id)
