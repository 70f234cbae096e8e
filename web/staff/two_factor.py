"""Two-factor sign-in with time-based one-time codes (RFC 6238, via pyotp), enrolled by QR code
(rendered with segno as an SVG data URI, so nothing leaves the server)."""

from __future__ import annotations

import time

import pyotp
import segno

from web.staff import audit
from web.staff.tables import StaffAccount

ISSUER = "Lantern"


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


async def start_enrolment(account: StaffAccount) -> str:
    secret = new_secret()
    await StaffAccount.update({StaffAccount.totp_secret: secret, StaffAccount.totp_enabled: False}).where(
        StaffAccount.id == account.id
    )
    return secret


async def confirm_enrolment(account: StaffAccount, code: str) -> bool:
    fresh = await StaffAccount.objects().where(StaffAccount.id == account.id).first()
    if fresh is None or not fresh.totp_secret:
        return False
    step = _accepted_step(fresh.totp_secret, code, None)
    if step is None:
        return False
    await StaffAccount.update({StaffAccount.totp_enabled: True, StaffAccount.totp_last_step: step}).where(
        StaffAccount.id == account.id
    )
    await audit.record("staff.two_factor_enabled", staff=account)
    return True


async def check_code(account: StaffAccount, code: str) -> bool:
    """A code at sign-in; each code works once."""
    fresh = await StaffAccount.objects().where(StaffAccount.id == account.id).first()
    if fresh is None or not fresh.totp_enabled or not fresh.totp_secret:
        return False
    step = _accepted_step(fresh.totp_secret, code, fresh.totp_last_step)
    if step is None:
        await audit.record("signin.second_factor_failed", staff=account)
        return False
    await StaffAccount.update({StaffAccount.totp_last_step: step}).where(StaffAccount.id == account.id)
    await audit.record("signin.second_factor_ok", staff=account)
    return True


async def turn_off(admin: StaffAccount, account: StaffAccount) -> None:
    """An administrator turns it off for someone who lost their device."""
    await StaffAccount.update(
        {StaffAccount.totp_enabled: False, StaffAccount.totp_secret: None, StaffAccount.totp_last_step: None}
    ).where(StaffAccount.id == account.id)
    await audit.record("staff.two_factor_reset", staff=admin, account=account.id)
