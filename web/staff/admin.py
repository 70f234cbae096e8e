"""Administration rules: who may manage which staff accounts, schools and district settings.

School admins manage responders and school admins of their own schools and their schools' hours;
district admins manage everything. Every change is audited.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any
from zoneinfo import available_timezones

from web.cases.categories import CATEGORIES
from web.district.tables import District, School
from web.i18n import N_
from web.page_cache import forget_public_pages
from web.staff import access, audit
from web.staff.services import StaffError, add_staff, password_problem, require_new_password, reset_password
from web.staff.tables import ROLES, StaffAccount, StaffSchool, StaffSession

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# No letters or digits that read alike (0/o, 1/l/i): it is read aloud or copied from a screen.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_TEMPORARY_GROUPS = 5


class AdminError(ValueError):
    pass


def temporary_password() -> str:
    """Twenty random characters in groups of four (about 99 bits): strong enough to stand until its
    owner replaces it, which they must at their first sign-in."""
    while True:
        password = "-".join(
            "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(_TEMPORARY_GROUPS)
        )
        if password_problem(password) is None:
            return password


async def manageable_schools(admin: StaffAccount) -> list[School]:
    if admin.role == "district_admin":
        return await School.objects().order_by(School.sort_order, School.name)
    if admin.role == "school_admin":
        ids = await access.school_ids(admin)
        return await School.objects().where(School.id.is_in(ids or [-1])).order_by(School.name)
    return []


def grantable_roles(admin: StaffAccount) -> tuple[str, ...]:
    if admin.role == "district_admin":
        return ROLES
    if admin.role == "school_admin":
        return ("responder", "school_admin")
    return ()


async def may_manage(admin: StaffAccount, person: StaffAccount) -> bool:
    """Nobody manages their own account here (that is /staff/account, which asks for the password).
    School admins manage responders of their schools; other admins are the district's to manage."""
    if person.id == admin.id:
        return False
    if admin.role == "district_admin":
        return True
    if admin.role != "school_admin" or person.role != "responder":
        return False
    theirs = set(await access.school_ids(person))
    return bool(theirs) and theirs <= set(await access.school_ids(admin))


async def visible_staff(admin: StaffAccount) -> list[dict[str, Any]]:
    people = await StaffAccount.objects().order_by(StaffAccount.display_name)
    links = await StaffSchool.select(StaffSchool.staff, StaffSchool.school.name.as_alias("school_name"))
    schools_of: dict[int, list[str]] = {}
    for link in links:
        schools_of.setdefault(link["staff"], []).append(link["school_name"])
    return [
        {"account": person, "schools": sorted(schools_of.get(person.id, []))}
        for person in people
        if await may_manage(admin, person)
    ]


async def _check_grant(admin: StaffAccount, role: str, school_slugs: list[str]) -> None:
    if role not in grantable_roles(admin):
        raise AdminError(N_("You cannot give that role."))
    allowed = {school.slug for school in await manageable_schools(admin)}
    if not set(school_slugs) <= allowed:
        raise AdminError(N_("You can only choose your own schools."))
    if role in ("responder", "school_admin") and not school_slugs:
        raise AdminError(N_("Choose at least one school for this role."))


async def invite(admin: StaffAccount, *, email: str, name: str, role: str, school_slugs: list[str]) -> str:
    """Create an account; returns a temporary password to hand over (shown once, never stored)."""
    await _check_grant(admin, role, school_slugs)
    password = temporary_password()
    try:
        account = await add_staff(email, password, role, school_slugs, name.strip())
    except StaffError as error:
        raise AdminError(str(error)) from error
    await require_new_password(account.id)
    await audit.record("staff.invited", staff=admin, account=account.id, role=role, schools=school_slugs)
    return password


async def update_access(
    admin: StaffAccount, person: StaffAccount, *, role: str, school_slugs: list[str]
) -> None:
    if not await may_manage(admin, person) or person.id == admin.id:
        raise AdminError(N_("You cannot change this account."))
    await _check_grant(admin, role, school_slugs)
    schools = await School.objects().where(School.slug.is_in(school_slugs or ["-"]))
    await StaffAccount.update({StaffAccount.role: role}).where(StaffAccount.id == person.id)
    await StaffSchool.delete().where(StaffSchool.staff == person.id)
    for school in schools:
        await StaffSchool(staff=person.id, school=school.id).save()
    await audit.record(
        "staff.access_changed", staff=admin, account=person.id, role=role, schools=school_slugs
    )


async def set_active(admin: StaffAccount, person: StaffAccount, active: bool) -> None:
    """Deactivating ends every session of the account at once."""
    if not await may_manage(admin, person) or person.id == admin.id:
        raise AdminError(N_("You cannot change this account."))
    await StaffAccount.update({StaffAccount.active: active}).where(StaffAccount.id == person.id)
    if not active:
        await StaffSession.update({StaffSession.ended_at: datetime.now(tz=UTC)}).where(
            (StaffSession.staff == person.id) & StaffSession.ended_at.is_null()
        )
    await audit.record("staff.activated" if active else "staff.deactivated", staff=admin, account=person.id)


async def new_password_for(admin: StaffAccount, person: StaffAccount) -> str:
    if not await may_manage(admin, person):
        raise AdminError(N_("You cannot change this account."))
    password = temporary_password()
    await reset_password(person.email, password)
    await require_new_password(person.id)
    await audit.record("staff.password_set_by_admin", staff=admin, account=person.id)
    return password


_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_NUMBER = re.compile(r"[0-9+\-() ]{2,20}")
PROTOCOL_MAX = 1000


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on this colour (the header and buttons use white text)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (luminance + 0.05)


async def update_district(admin: StaffAccount, data: dict[str, Any], categories: list[str]) -> dict[str, str]:
    """Save district settings; returns field → problem (nothing is saved when there is any)."""
    if admin.role != "district_admin":
        raise AdminError(N_("Only district administrators change district settings."))
    problems: dict[str, str] = {}
    values = {key: str(data.get(key, "")).strip() for key in (
        "name", "short_name", "brand_color", "emergency_number", "crisis_text_number", "crisis_text_keyword",
        "lifeline_number", "timezone", "police_non_emergency_number", "life_safety_protocol",
    )}  # fmt: skip
    if not values["name"] or not values["short_name"]:
        problems["name"] = N_("The district needs a name and a short name.")
    if not _COLOUR.fullmatch(values["brand_color"]):
        problems["brand_color"] = N_("Use a color like #1d4e89.")
    elif contrast_with_white(values["brand_color"]) < 4.5:
        problems["brand_color"] = N_(
            "This color is too light: white text on it would be hard to read. Choose a darker one."
        )
    for key in ("emergency_number", "crisis_text_number", "lifeline_number"):
        if not _NUMBER.fullmatch(values[key]):
            problems[key] = N_("Use digits only (spaces, dashes and brackets are fine).")
    if values["police_non_emergency_number"] and not _NUMBER.fullmatch(values["police_non_emergency_number"]):
        problems["police_non_emergency_number"] = N_(
            "Use digits only (spaces, dashes and brackets are fine)."
        )
    if len(values["life_safety_protocol"]) > PROTOCOL_MAX:
        problems["life_safety_protocol"] = N_("Keep it under 1000 characters: staff read it in a hurry.")
    if not re.fullmatch(r"[A-Za-z]{2,20}", values["crisis_text_keyword"]):
        problems["crisis_text_keyword"] = N_("Use one word of letters.")
    if values["timezone"] not in available_timezones():
        problems["timezone"] = N_("Choose a time zone from the list.")
    # Retention (web/cases/retention.py): left out of the form, it stays as it is.
    retention_raw = str(data.get("retention_days", "")).strip()
    retention: dict[Any, Any] = {}
    if retention_raw:
        if not retention_raw.isdigit() or not (int(retention_raw) == 0 or 30 <= int(retention_raw) <= 36500):
            problems["retention_days"] = N_("Use a number of days from 30 up, or 0 to keep every case.")
        else:
            retention[District.retention_days] = int(retention_raw)
    known = {category.key for category in CATEGORIES}
    if not set(categories) <= known or not categories:
        problems["categories"] = N_("Keep at least one category.")
    if problems:
        return problems
    district = await District.objects().first()
    assert district is not None
    await District.update(
        {
            District.name: values["name"],
            District.short_name: values["short_name"],
            District.brand_color: values["brand_color"],
            District.emergency_number: values["emergency_number"],
            District.crisis_text_number: values["crisis_text_number"],
            District.crisis_text_keyword: values["crisis_text_keyword"].upper(),
            District.lifeline_number: values["lifeline_number"],
            District.timezone: values["timezone"],
            District.police_non_emergency_number: values["police_non_emergency_number"],
            District.life_safety_protocol: values["life_safety_protocol"],
            District.enabled_categories: categories,
            District.require_two_factor: str(data.get("require_two_factor", "")) == "yes",
            **retention,
        }
    ).where(District.id == district.id)
    forget_public_pages()  # they show the district's name, colour and numbers
    await audit.record("district.updated", staff=admin)
    return {}


async def update_school_hours(admin: StaffAccount, school: School, data: dict[str, Any]) -> dict[str, str]:
    """Weekly hours and time zone of a school the admin manages."""
    if school.id not in {s.id for s in await manageable_schools(admin)}:
        raise AdminError(N_("You cannot change this school."))
    problems: dict[str, str] = {}
    hours: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        opens, closes = str(data.get(f"{day}_opens", "")).strip(), str(data.get(f"{day}_closes", "")).strip()
        if not opens and not closes:
            continue
        if (
            not re.fullmatch(r"\d{2}:\d{2}", opens)
            or not re.fullmatch(r"\d{2}:\d{2}", closes)
            or opens >= closes
        ):
            problems[day] = N_("Give an opening time before the closing time, or leave both empty.")
        else:
            hours[day] = [opens, closes]
    timezone = str(data.get("timezone", "")).strip()
    if timezone not in available_timezones():
        problems["timezone"] = N_("Choose a time zone from the list.")
    officer = {
        key: str(data.get(key, "")).strip() for key in ("resource_officer_name", "resource_officer_phone")
    }
    if len(officer["resource_officer_name"]) > 100:
        problems["resource_officer_name"] = N_("Keep the name under 100 characters.")
    if officer["resource_officer_phone"] and not _NUMBER.fullmatch(officer["resource_officer_phone"]):
        problems["resource_officer_phone"] = N_("Use digits only (spaces, dashes and brackets are fine).")
    if problems:
        return problems
    await School.update(
        {
            School.hours: hours,
            School.timezone: timezone,
            School.resource_officer_name: officer["resource_officer_name"],
            School.resource_officer_phone: officer["resource_officer_phone"],
        }
    ).where(School.id == school.id)
    forget_public_pages()
    await audit.record("school.updated", staff=admin, school=school.slug)
    return {}
