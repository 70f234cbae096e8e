"""Staff accounts: creating them (demo seed, `lantern staff add`). Sign-in arrives with the console."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher

from web.district.tables import School
from web.staff.tables import ROLES, StaffAccount, StaffSchool

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters")
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
