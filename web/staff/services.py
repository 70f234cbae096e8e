"""Staff accounts: creating them (demo seed, `lantern staff add`). Sign-in arrives with the console."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from web.district.tables import School
from web.i18n import N_
from web.staff import audit
from web.staff.tables import ROLES, StaffAccount, StaffSchool, StaffSession

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
_COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt.gz"


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new staff password is not good enough, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("The password must have at least 12 characters")
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.rstrip("0123456789!?.") in _common_passwords():
        return N_("That password is on the list of commonly used passwords; choose another")
    if len(set(password)) < 4:
        return N_("That password repeats too few characters; choose another")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        return N_("The password must not contain your email name")
    return None


class StaffError(ValueError):
    pass


async def add_staff(
    email: str, password: str, role: str, school_slugs: list[str], display_name: str = ""
) -> StaffAccount:
    """Create an account with an Argon2id password hash, linked to the schools it works for."""
    email = email.strip().lower()
    if "@" not in email:
        raise StaffError(f"Not an email address: {email!r}")
    if role not in ROLES:
        raise StaffError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}")
    problem = password_problem(password, email)
    if problem:
        raise StaffError(problem)
    if await StaffAccount.exists().where(StaffAccount.email == email):
        raise StaffError(f"An account for {email} already exists")
    schools = await School.objects().where(School.slug.is_in(school_slugs)) if school_slugs else []
    missing = set(school_slugs) - {s.slug for s in schools}
    if missing:
        raise StaffError(f"Unknown school: {', '.join(sorted(missing))}")
    account = StaffAccount(
        email=email,
        display_name=display_name or email.split("@")[0],
        password_hash=_hasher.hash(password),
        role=role,
        active=True,
        created_at=datetime.now(tz=UTC),
    )
    await account.save()
    for school in schools:
        await StaffSchool(staff=account.id, school=school.id).save()
    return account


async def reset_password(email: str, password: str) -> None:
    """Set a new password (by an administrator or `lantern staff reset-password`); ends every session
    of that account, so a stolen session stops working too."""
    email = email.strip().lower()
    account = await StaffAccount.objects().where(StaffAccount.email == email).first()
    if account is None:
        raise StaffError(f"No account for {email}")
    problem = password_problem(password, email)
    if problem:
        raise StaffError(problem)
    now = datetime.now(tz=UTC)
    await StaffAccount.update({StaffAccount.password_hash: _hasher.hash(password)}).where(
        StaffAccount.id == account.id
    )
    await StaffSession.update({StaffSession.ended_at: now}).where(
        (StaffSession.staff == account.id) & (StaffSession.ended_at.is_null())
    )
    await audit.record("staff.password_reset", staff=account)


async def require_new_password(account_id: int) -> None:
    """After a temporary password from an administrator: every staff page leads to choosing a new one."""
    await StaffAccount.update({StaffAccount.must_change_password: True}).where(StaffAccount.id == account_id)


async def change_own_password(
    account: StaffAccount, current: str, new: str, *, keep_session: int | None = None
) -> None:
    """A staff member sets their own password (knowing the current one); every other session ends."""
    try:
        ok = bool(_hasher.verify(account.password_hash, current))
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise StaffError(N_("The current password is not right."))
    problem = password_problem(new, account.email)
    if problem:
        raise StaffError(problem)
    if new == current:
        raise StaffError(N_("Choose a password other than the one you have now."))
    await StaffAccount.update(
        {StaffAccount.password_hash: _hasher.hash(new), StaffAccount.must_change_password: False}
    ).where(StaffAccount.id == account.id)
    others = (StaffSession.staff == account.id) & StaffSession.ended_at.is_null()
    if keep_session is not None:
        others &= StaffSession.id != keep_session
    await StaffSession.update({StaffSession.ended_at: datetime.now(tz=UTC)}).where(others)
    if account.must_change_password:
        await audit.record("staff.password_changed", staff=account, replaced_temporary=True)
    else:
        await audit.record("staff.password_changed", staff=account)
