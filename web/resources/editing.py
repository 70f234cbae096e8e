"""Staff keeping the directory up to date: check a form, write an entry in one transaction, keep every
change as a before/after snapshot, and undo any change from its history.

Who may change what (`Editor`): district admins change every entry; school admins change the entries of
their own schools only. District-wide entries (the national lines among them) serve every school, so
only the district changes them; school admins see them in the list but cannot open them for editing.

An entry is a `Service` with what hangs off it: its organization (found by name, or made), needs
(attributes linking Lantern's need terms), weekly hours (schedules), closed days (`ServiceClosure`),
phones, languages and one address (location + address + service_at_location). Archiving sets the HSDS
status to "inactive", which takes the entry off the public directory; restoring sets it "active" again.
"Last verified" is HSDS's `assured_date`.

A snapshot is the entry as plain JSON values (the same shape the form is read into, with ages as numbers
and empty text as null). `ResourceChange` keeps the snapshot before and after every change; undoing a
change writes its "before" snapshot back, and is itself a recorded change.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from piccolo.columns import Column

from web.db import write_transaction
from web.district.services import get_district
from web.district.tables import School
from web.i18n import AVAILABLE_LOCALES, N_
from web.resources import search_index
from web.resources.hours import ICAL_DAYS
from web.resources.links import is_web_address
from web.resources.tables import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    ResourceChange,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceClosure,
    Taxonomy,
    TaxonomyTerm,
)
from web.resources.taxonomy import NEEDS, TAXONOMY_NAME

PHONE_TYPES: tuple[tuple[str, str], ...] = (
    ("voice", N_("Call")),
    ("text", N_("Text")),
    ("cell", N_("Cell (call or text)")),
    ("textphone", N_("TTY")),
    ("fax", N_("Fax")),
)
# Empty rows shown under the filled ones, to add more without JavaScript.
SPARE_ROWS = 2
MAX_ROWS = 30
STALE_MONTHS = 6
SHOW_CHOICES: tuple[tuple[str, str], ...] = (
    ("all", N_("All entries")),
    ("mine", N_("My schools' entries")),
    ("district", N_("District-wide entries")),
    ("stale", N_("Needs verifying (not verified in 6 months)")),
    ("archived", N_("Archived")),
)
FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "organization": N_("Organization"),
    "description": N_("Description"),
    "needs": N_("Needs it helps with"),
    "hours": N_("Weekly hours"),
    "closures": N_("Closed days"),
    "phones": N_("Phones and text lines"),
    "website": N_("Website"),
    "address": N_("Address"),
    "languages": N_("Languages"),
    "minimum_age": N_("Youngest age served"),
    "maximum_age": N_("Oldest age served"),
    "eligibility": N_("Who it is for"),
    "fees": N_("Cost"),
    "school": N_("School"),
    "status": N_("Archived or in the directory"),
    "verified": N_("Last verified"),
}
ACTION_LABELS: dict[str, str] = {
    "created": N_("Created"),
    "changed": N_("Changed"),
    "archived": N_("Archived"),
    "restored": N_("Restored"),
    "verified": N_("Marked as verified"),
    "undone": N_("Undid an earlier change"),
}
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_PHONE = re.compile(r"[0-9+\-(). ]{3,30}")
_KEYWORD = re.compile(r"[A-Za-z0-9]{1,40}")
_LIMITS = {
    "name": 300,
    "organization": 300,
    "description": 5000,
    "website": 500,
    "eligibility": 2000,
    "fees": 2000,
}


class NotAllowed(Exception):
    """The editor may not see or change this entry (answered as "not found")."""


@dataclass(frozen=True)
class Editor:
    """Who is making a change, as the directory needs to know them."""

    id: int
    name: str
    role: str
    school_ids: frozenset[int]

    @property
    def district_wide(self) -> bool:
        return self.role == "district_admin"

    def may_edit(self, school_id: int | None) -> bool:
        if self.role == "district_admin":
            return True
        if self.role == "school_admin":
            return school_id is not None and school_id in self.school_ids
        return False

    def may_see(self, school_id: int | None) -> bool:
        return self.may_edit(school_id) or (self.role == "school_admin" and school_id is None)


# ---- the form --------------------------------------------------------------------------------------


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _many(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if str(v).strip()]


def read_form(data: dict[str, Any]) -> dict[str, Any]:
    """What was typed, as typed (strings), in the snapshot's shape; rows left empty are dropped."""
    form: dict[str, Any] = {
        name: _text(data, name)
        for name in (
            "name",
            "organization",
            "description",
            "website",
            "minimum_age",
            "maximum_age",
            "eligibility",
            "fees",
            "school",
            "languages_other",
        )
    }
    form["needs"] = _many(data, "needs")
    form["languages"] = _many(data, "languages")
    form["hours"] = []
    form["phones"] = []
    form["closures"] = []
    for i in range(MAX_ROWS):
        days = [d for d in _many(data, f"hours-{i}-days") if d in ICAL_DAYS]
        opens, closes = _text(data, f"hours-{i}-opens"), _text(data, f"hours-{i}-closes")
        if days or opens or closes:
            form["hours"].append({"days": days, "opens": opens, "closes": closes})
        phone = {k: _text(data, f"phone-{i}-{k}") for k in ("number", "type", "keyword", "description")}
        if phone["number"] or phone["keyword"] or phone["description"]:
            form["phones"].append(phone)
        closure = {"date": _text(data, f"closure-{i}-date"), "note": _text(data, f"closure-{i}-note")}
        if closure["date"] or closure["note"]:
            form["closures"].append(closure)
    form["address"] = {k: _text(data, f"address_{k}") for k in ("street", "city", "state", "postal_code")}
    return form


def form_from_snapshot(snapshot: dict[str, Any] | None) -> dict[str, Any]:
    """The form filled in from an entry (or empty, for a new one)."""
    snap = snapshot or empty_snapshot()
    return {
        **{
            k: snap[k] or ""
            for k in ("name", "organization", "description", "website", "eligibility", "fees")
        },
        "minimum_age": "" if snap["minimum_age"] is None else str(snap["minimum_age"]),
        "maximum_age": "" if snap["maximum_age"] is None else str(snap["maximum_age"]),
        "school": snap["school"] or "",
        "needs": list(snap["needs"]),
        "languages": [code for code in snap["languages"] if code in AVAILABLE_LOCALES],
        "languages_other": ", ".join(code for code in snap["languages"] if code not in AVAILABLE_LOCALES),
        "hours": [
            {"days": h["days"].split(","), "opens": h["opens"], "closes": h["closes"]} for h in snap["hours"]
        ],
        "phones": [
            {k: p[k] or "" for k in ("number", "type", "keyword", "description")} for p in snap["phones"]
        ],
        "closures": [{"date": c["date"], "note": c["note"] or ""} for c in snap["closures"]],
        "address": dict(snap["address"] or {"street": "", "city": "", "state": "", "postal_code": ""}),
    }


def empty_snapshot() -> dict[str, Any]:
    return {
        "name": "",
        "organization": "",
        "description": "",
        "needs": [],
        "hours": [],
        "closures": [],
        "phones": [],
        "website": None,
        "address": None,
        "languages": [],
        "minimum_age": None,
        "maximum_age": None,
        "eligibility": None,
        "fees": None,
        "school": None,
        "status": "active",
        "verified": None,
    }


def _known_language(code: str) -> bool:
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _age(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) <= 120 else None


def validate(form: dict[str, Any], editor: Editor, schools: dict[str, int]) -> dict[str, str]:
    """Field name → a kind message saying what to fix. Empty when the entry can be saved.
    `schools` maps the slugs of the schools the editor may choose to their ids."""
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = N_("Give the entry a name, as people would look for it.")
    if not form["organization"]:
        errors["organization"] = N_("Say which organization runs it.")
    for name, limit in _LIMITS.items():
        if len(form[name]) > limit and name not in errors:
            errors[name] = N_("This is longer than we can keep. Please make it shorter.")
    if not form["needs"]:
        errors["needs"] = N_("Choose at least one need this helps with.")
    elif not set(form["needs"]) <= {need.code for need in NEEDS}:
        errors["needs"] = N_("Choose needs from the list.")
    website = form["website"]
    if website and "website" not in errors:
        if (
            " " in website
            or "." not in website
            or not re.match(r"(https?://)?[^/]+\.[^/]+", website, re.IGNORECASE)
            or _OTHER_SCHEME.match(website)
            or not is_web_address(_with_scheme(website))
        ):
            errors["website"] = N_("Use a web address like https://example.org, or leave it empty.")
    for name in ("minimum_age", "maximum_age"):
        if form[name] and _age(form[name]) is None:
            errors[name] = N_("Use a whole number of years, or leave it empty.")
    low, high = _age(form["minimum_age"]), _age(form["maximum_age"])
    if low is not None and high is not None and low > high and "maximum_age" not in errors:
        errors["maximum_age"] = N_("The oldest age should not be below the youngest.")
    if form["school"]:
        if form["school"] not in schools:
            errors["school"] = N_("Choose one of your schools.")
    elif not editor.district_wide:
        errors["school"] = N_("Choose one of your schools. Only the district keeps district-wide entries.")
    for i, span in enumerate(form["hours"]):
        if not span["days"]:
            errors[f"hours-{i}"] = N_("Tick the days these hours are for, or clear the times.")
        elif not _TIME.fullmatch(span["opens"]) or not _TIME.fullmatch(span["closes"]):
            errors[f"hours-{i}"] = N_("Give the opening and closing times, like 09:00 and 17:30.")
        elif span["opens"] == span["closes"]:
            errors[f"hours-{i}"] = N_(
                "Opening and closing times are the same. For all day, use 00:00 to 23:59."
            )
    for i, phone in enumerate(form["phones"]):
        if not _PHONE.fullmatch(phone["number"]) or sum(c.isdigit() for c in phone["number"]) < 3:
            errors[f"phone-{i}"] = N_("Give the number in digits (spaces, dashes and brackets are fine).")
        elif phone["type"] not in {code for code, _label in PHONE_TYPES}:
            errors[f"phone-{i}"] = N_("Choose what kind of line this is.")
        elif phone["keyword"] and phone["type"] != "text":
            errors[f"phone-{i}"] = N_(
                "A keyword is only for text lines. Choose “Text”, or clear the keyword."
            )
        elif phone["keyword"] and not _KEYWORD.fullmatch(phone["keyword"]):
            errors[f"phone-{i}"] = N_("The keyword should be one word of letters or digits, like HOME.")
        elif len(phone["description"]) > 500:
            errors[f"phone-{i}"] = N_("This is longer than we can keep. Please make it shorter.")
    for i, closure in enumerate(form["closures"]):
        try:
            date.fromisoformat(closure["date"])
        except ValueError:
            errors[f"closure-{i}"] = N_("Give the date it is closed, like 2026-12-25.")
            continue
        if len(closure["note"]) > 200:
            errors[f"closure-{i}"] = N_("This is longer than we can keep. Please make it shorter.")
    address = form["address"]
    if any(address.values()):
        if not all(address.values()):
            errors["address"] = N_("Give the street, city, state and ZIP code, or leave all four empty.")
        elif (
            len(address["street"]) > 300
            or len(address["city"]) > 120
            or len(address["state"]) > 60
            or len(address["postal_code"]) > 20
        ):
            errors["address"] = N_("This is longer than we can keep. Please make it shorter.")
    others = [code for code in re.split(r"[\s,;]+", form["languages_other"]) if code]
    if not all(_known_language(code) for code in [*form["languages"], *others]):
        errors["languages"] = N_("Use language codes like es, so or vi, separated by commas.")
    return errors


# "javascript:", "data:", "ftp:" ... (a host with a port, "example.org:8080", is not a scheme).
_OTHER_SCHEME = re.compile(r"(?!https?:)[a-z][a-z0-9+-]*:(?!\d)", re.IGNORECASE)


def _with_scheme(website: str) -> str:
    return website if re.match(r"https?://", website, re.IGNORECASE) else f"https://{website}"


def snapshot_from_form(form: dict[str, Any], status: str, verified: str | None) -> dict[str, Any]:
    """A checked form as a snapshot (call only when `validate` found nothing)."""
    website = _with_scheme(form["website"]) if form["website"] else ""
    others = [code for code in re.split(r"[\s,;]+", form["languages_other"]) if code]
    closures: dict[str, str | None] = {}
    for closure in form["closures"]:
        closures[date.fromisoformat(closure["date"]).isoformat()] = closure["note"] or None
    address = form["address"]
    return {
        "name": form["name"],
        "organization": form["organization"],
        "description": form["description"],
        "needs": [need.code for need in NEEDS if need.code in form["needs"]],
        "hours": [
            {
                "days": ",".join(d for d in ICAL_DAYS if d in span["days"]),
                "opens": span["opens"],
                "closes": span["closes"],
            }
            for span in form["hours"]
        ],
        "closures": [{"date": day, "note": note} for day, note in sorted(closures.items())],
        "phones": [
            {
                "number": p["number"],
                "type": p["type"],
                "keyword": p["keyword"].upper() or None,
                "description": p["description"] or None,
            }
            for p in form["phones"]
        ],
        "website": website or None,
        "address": dict(address) if any(address.values()) else None,
        "languages": sorted({code.replace("_", "-") for code in [*form["languages"], *others]}),
        "minimum_age": _age(form["minimum_age"]),
        "maximum_age": _age(form["maximum_age"]),
        "eligibility": form["eligibility"] or None,
        "fees": form["fees"] or None,
        "school": form["school"] or None,
        "status": status,
        "verified": verified,
    }


# ---- reading entries -------------------------------------------------------------------------------


@dataclass
class Entry:
    id: uuid.UUID
    name: str
    organization: str
    school_id: int | None
    school_name: str | None
    status: str
    verified: date | None
    pinned: bool
    editable: bool
    stale: bool = False


def stale_before(today: date) -> date:
    """The day six months before today (the last day of a shorter month when needed)."""
    month = today.month - STALE_MONTHS
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in range(today.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(today.day, 28))


async def today() -> date:
    district = await get_district()
    return datetime.now(tz=ZoneInfo(district.timezone or "UTC")).date()


async def list_entries(editor: Editor, *, words: str = "", show: str = "all") -> list[Entry]:
    """The entries this editor may see, filtered; archived ones only when asked for."""
    rows = await Service.select(
        Service.id,
        Service.name,
        Service.status,
        Service.assured_date,
        Service.school,
        Service.pinned_rank,
        Service.organization.name.as_alias("organization_name"),
        Service.school.name.as_alias("school_name"),
    ).order_by(Service.name)
    cutoff = stale_before(await today())
    wanted = words.lower().split()
    entries = []
    for row in rows:
        if not editor.may_see(row["school"]):
            continue
        entry = Entry(
            id=row["id"],
            name=row["name"],
            organization=row["organization_name"],
            school_id=row["school"],
            school_name=row["school_name"],
            status=row["status"],
            verified=row["assured_date"],
            pinned=row["pinned_rank"] is not None,
            editable=editor.may_edit(row["school"]),
        )
        entry.stale = entry.verified is None or entry.verified < cutoff
        text = f"{entry.name} {entry.organization}".lower()
        if not all(word in text for word in wanted):
            continue
        archived = entry.status != "active"
        if (show == "archived") != archived:
            continue
        if show == "mine" and (entry.school_id is None or not entry.editable):
            continue
        if show == "district" and entry.school_id is not None:
            continue
        if show == "stale" and not (entry.stale and entry.editable):
            continue
        entries.append(entry)
    return entries


async def load_snapshot(service_id: uuid.UUID) -> dict[str, Any] | None:
    row = (
        await Service.select(
            *Service.all_columns(),
            Service.organization.name.as_alias("organization_name"),
            Service.school.slug.as_alias("school_slug"),
        )
        .where(Service.id == service_id)
        .first()
    )
    if row is None:
        return None
    key = str(service_id)
    need_codes = {
        term["code"]
        for term in await Attribute.select(Attribute.taxonomy_term.code.as_alias("code")).where(
            (Attribute.link_entity == "service") & (Attribute.link_id == key)
        )
    }
    schedules = await Schedule.select().where(Schedule.service == service_id).order_by(Schedule.id)
    phones = await Phone.select().where(Phone.service == service_id).order_by(Phone.id)
    languages = await Language.select(Language.code).where(Language.service == service_id)
    closures = (
        await ServiceClosure.select()
        .where(ServiceClosure.service == service_id)
        .order_by(ServiceClosure.closed_on)
    )
    address = None
    link = (
        await ServiceAtLocation.select(ServiceAtLocation.location)
        .where(ServiceAtLocation.service == service_id)
        .order_by(ServiceAtLocation.id)
        .first()
    )
    if link:
        found = (
            await Address.select().where(Address.location == link["location"]).order_by(Address.id).first()
        )
        if found:
            address = {
                "street": found["address_1"],
                "city": found["city"],
                "state": found["state_province"],
                "postal_code": found["postal_code"],
            }
    return {
        "name": row["name"],
        "organization": row["organization_name"],
        "description": row["description"],
        "needs": [need.code for need in NEEDS if need.code in need_codes],
        "hours": [
            {"days": s["byday"], "opens": (s["opens_at"] or "")[:5], "closes": (s["closes_at"] or "")[:5]}
            for s in schedules
            if s["opens_at"] and s["closes_at"]
        ],
        "closures": [{"date": c["closed_on"].isoformat(), "note": c["note"]} for c in closures],
        "phones": [
            {
                "number": p["number"],
                "type": p["type"],
                "keyword": p["text_keyword"],
                "description": p["description"],
            }
            for p in phones
        ],
        "website": row["url"],
        "address": address,
        "languages": sorted({lang["code"] for lang in languages if lang["code"]}),
        "minimum_age": row["minimum_age"],
        "maximum_age": row["maximum_age"],
        "eligibility": row["eligibility_description"],
        "fees": row["fees_description"],
        "school": row["school_slug"],
        "status": row["status"],
        "verified": row["assured_date"].isoformat() if row["assured_date"] else None,
    }


async def entry_school(service_id: uuid.UUID) -> tuple[bool, int | None]:
    """Whether the entry exists, and its school (None: district-wide)."""
    row = await Service.select(Service.school).where(Service.id == service_id).first()
    return (row is not None, row["school"] if row else None)


async def check_may_edit(editor: Editor, service_id: uuid.UUID) -> None:
    exists, school = await entry_school(service_id)
    if not exists or not editor.may_edit(school):
        raise NotAllowed()


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    if before is None:
        return []
    return [name for name in FIELD_LABELS if before.get(name) != after.get(name)]


@dataclass
class ChangeView:
    id: int
    action: str
    staff_name: str
    created_at: datetime
    fields: list[str] = field(default_factory=list)
    undoes: int | None = None
    undoable: bool = True


async def history(service_id: uuid.UUID) -> list[ChangeView]:
    """Every recorded change to the entry, newest first."""
    rows = (
        await ResourceChange.select()
        .where(ResourceChange.service == service_id)
        .order_by(ResourceChange.id, ascending=False)
    )
    views = []
    for row in rows:
        before = json.loads(row["before"]) if row["before"] else None
        views.append(
            ChangeView(
                id=row["id"],
                action=row["action"],
                staff_name=row["staff_name"],
                created_at=row["created_at"],
                fields=changed_fields(before, json.loads(row["after"])),
                undoes=row["undoes"],
            )
        )
    return views


# ---- writing ---------------------------------------------------------------------------------------


async def create(
    editor: Editor, form: dict[str, Any], schools: dict[str, int]
) -> tuple[uuid.UUID | None, dict[str, str]]:
    """A new entry from the form: (its id, {}) or (None, field → message)."""
    errors = validate(form, editor, schools)
    if errors:
        return None, errors
    snapshot = snapshot_from_form(form, "active", (await today()).isoformat())
    service_id = uuid.uuid4()
    async with write_transaction(Service._meta.db):
        await _apply(service_id, snapshot, None)
        await _record(editor, service_id, "created", None)
        await _after_change([service_id])
    return service_id, {}


async def update(
    editor: Editor, service_id: uuid.UUID, form: dict[str, Any], schools: dict[str, int]
) -> tuple[dict[str, str], bool]:
    """Save the form over the entry: (field → message, {} when saved; whether anything changed).
    An unchanged form writes and records nothing."""
    await check_may_edit(editor, service_id)
    errors = validate(form, editor, schools)
    if errors:
        return errors, False
    async with write_transaction(Service._meta.db):
        before = await load_snapshot(service_id)
        if before is None:
            raise NotAllowed()
        snapshot = snapshot_from_form(form, before["status"], before["verified"])
        if snapshot == before:
            return {}, False
        await _apply(service_id, snapshot, before)
        await _record(editor, service_id, "changed", before)
        await _after_change([service_id])
    return {}, True


async def set_archived(editor: Editor, service_id: uuid.UUID, archived: bool) -> None:
    await _change(
        editor,
        service_id,
        "archived" if archived else "restored",
        status="inactive" if archived else "active",
    )


async def mark_verified(editor: Editor, service_id: uuid.UUID) -> None:
    await _change(editor, service_id, "verified", verified=(await today()).isoformat())


async def _change(editor: Editor, service_id: uuid.UUID, action: str, **values: Any) -> None:
    await check_may_edit(editor, service_id)
    async with write_transaction(Service._meta.db):
        before = await load_snapshot(service_id)
        if before is None:
            raise NotAllowed()
        snapshot = {**before, **values}
        if snapshot == before and action != "verified":
            return
        await _apply(service_id, snapshot, before)
        await _record(editor, service_id, action, before)
        await _after_change([service_id])


async def undo(editor: Editor, service_id: uuid.UUID, change_id: int) -> None:
    """Put the entry back as it was before the change (undoing a creation archives the entry).
    The editor must be allowed to edit the entry both now and as it will be."""
    await check_may_edit(editor, service_id)
    change = (
        await ResourceChange.select()
        .where((ResourceChange.id == change_id) & (ResourceChange.service == service_id))
        .first()
    )
    if change is None:
        raise NotAllowed()
    async with write_transaction(Service._meta.db):
        current = await load_snapshot(service_id)
        if current is None:
            raise NotAllowed()
        target = json.loads(change["before"]) if change["before"] else {**current, "status": "inactive"}
        if target["school"] != current["school"]:
            school = await School.select(School.id).where(School.slug == (target["school"] or "")).first()
            if target["school"] and school is None:
                target = {**target, "school": None}
            if not editor.may_edit(school["id"] if school else None):
                raise NotAllowed()
        await _apply(service_id, target, current)
        await _record(editor, service_id, "undone", current, undoes=change_id)
        await _after_change([service_id])


async def _record(
    editor: Editor,
    service_id: uuid.UUID,
    action: str,
    before: dict[str, Any] | None,
    undoes: int | None = None,
) -> None:
    after = await load_snapshot(service_id)
    await ResourceChange.insert(
        ResourceChange(
            service=service_id,
            action=action,
            staff_id=editor.id,
            staff_name=editor.name,
            created_at=datetime.now(tz=UTC),
            before=json.dumps(before) if before is not None else None,
            after=json.dumps(after),
            undoes=undoes,
        )
    )


async def _after_change(service_ids: list[uuid.UUID]) -> None:
    """The one place to bring what is derived from the directory up to date after staff change it: the
    search index (web/resources/search_index.py), in the same transaction as the change."""
    await search_index.refresh(service_ids)


def _sorted_ids(count: int) -> list[uuid.UUID]:
    """Fresh ids in ascending order, so rows read back by id come in the order they were typed."""
    return sorted((uuid.uuid4() for _ in range(count)), key=lambda u: u.hex)


async def _apply(service_id: uuid.UUID, snap: dict[str, Any], before: dict[str, Any] | None) -> None:
    """Write a snapshot over the entry (inside the caller's transaction). Only the parts that differ from
    `before` (the entry as it is; None for a new one) are rewritten, so what the form does not show (a
    phone's extension, a schedule's note from an HSDS import) stays where nothing was changed."""
    current = await Service.select(Service.organization).where(Service.id == service_id).first()
    if current and before is not None and before["organization"] == snap["organization"]:
        organization = current["organization"]
    else:
        organization = await _organization(snap["organization"])
    school = None
    timezone = (await get_district()).timezone or "America/Chicago"
    if snap["school"]:
        found = await School.select(School.id, School.timezone).where(School.slug == snap["school"]).first()
        if found:
            school, timezone = found["id"], found["timezone"] or timezone
    existing_zone = (
        await Schedule.select(Schedule.timezone_name).where(Schedule.service == service_id).first()
    )
    if existing_zone:
        timezone = existing_zone["timezone_name"]
    values: dict[Column | str, Any] = {
        Service.organization: organization,
        Service.name: snap["name"],
        Service.description: snap["description"] or "",
        Service.url: snap["website"],
        Service.fees_description: snap["fees"],
        Service.eligibility_description: snap["eligibility"],
        Service.minimum_age: snap["minimum_age"],
        Service.maximum_age: snap["maximum_age"],
        Service.school: school,
        Service.status: snap["status"],
        Service.assured_date: date.fromisoformat(snap["verified"]) if snap["verified"] else None,
        Service.last_modified: datetime.now(tz=UTC),
    }
    if before is None:
        await Service.insert(Service(id=service_id, **_named(values)))
    else:
        await Service.update(values).where(Service.id == service_id)

    def changed(key: str) -> bool:
        return before is None or before.get(key) != snap[key]

    if changed("needs"):
        await _write_needs(service_id, snap["needs"])
    if changed("phones"):
        phone_ids = [row["id"] for row in await Phone.select(Phone.id).where(Phone.service == service_id)]
        if phone_ids:
            await Language.delete().where(Language.phone.is_in(phone_ids))
        await Phone.delete().where(Phone.service == service_id)
        phones = snap["phones"]
        if phones:
            await Phone.insert(
                *[
                    Phone(
                        id=pid,
                        service=service_id,
                        number=p["number"],
                        type=p["type"],
                        text_keyword=p["keyword"],
                        description=p["description"],
                    )
                    for pid, p in zip(_sorted_ids(len(phones)), phones, strict=True)
                ]
            )
    if changed("hours"):
        await Schedule.delete().where(Schedule.service == service_id)
        spans = snap["hours"]
        if spans:
            await Schedule.insert(
                *[
                    Schedule(
                        id=sid,
                        service=service_id,
                        freq="WEEKLY",
                        byday=s["days"],
                        opens_at=s["opens"],
                        closes_at=s["closes"],
                        timezone_name=timezone,
                    )
                    for sid, s in zip(_sorted_ids(len(spans)), spans, strict=True)
                ]
            )
    if changed("languages"):
        await Language.delete().where(Language.service == service_id)
        if snap["languages"]:
            await Language.insert(
                *[Language(id=uuid.uuid4(), service=service_id, code=code) for code in snap["languages"]]
            )
    if changed("closures"):
        await ServiceClosure.delete().where(ServiceClosure.service == service_id)
        if snap["closures"]:
            await ServiceClosure.insert(
                *[
                    ServiceClosure(
                        id=uuid.uuid4(),
                        service=service_id,
                        closed_on=date.fromisoformat(c["date"]),
                        note=c["note"],
                    )
                    for c in snap["closures"]
                ]
            )
    if changed("address"):
        await _write_address(service_id, organization, snap["name"], snap["address"])


async def _organization(name: str) -> uuid.UUID:
    """The organization of that name; a new one when there is none (renaming one entry's organization
    never renames it for the other entries it runs)."""
    found = (
        await Organization.select(Organization.id)
        .where(Organization.name == name)
        .order_by(Organization.id)
        .first()
    )
    if found:
        return found["id"]
    organization = uuid.uuid4()
    await Organization.insert(Organization(id=organization, name=name, description=""))
    return organization


async def _write_needs(service_id: uuid.UUID, codes: list[str]) -> None:
    terms = {
        row["code"]: row["id"]
        for row in await TaxonomyTerm.select(TaxonomyTerm.id, TaxonomyTerm.code).where(
            TaxonomyTerm.code.is_in([need.code for need in NEEDS])
        )
    }
    missing = [need for need in NEEDS if need.code in codes and need.code not in terms]
    if missing:
        taxonomy = await Taxonomy.select(Taxonomy.id).where(Taxonomy.name == TAXONOMY_NAME).first()
        taxonomy_id = taxonomy["id"] if taxonomy else uuid.uuid4()
        if taxonomy is None:
            await Taxonomy.insert(Taxonomy(id=taxonomy_id, name=TAXONOMY_NAME, description=""))
        for need in missing:
            terms[need.code] = uuid.uuid4()
            await TaxonomyTerm.insert(
                TaxonomyTerm(
                    id=terms[need.code],
                    code=need.code,
                    name=need.label,
                    description=need.label,
                    taxonomy=taxonomy_id,
                )
            )
    key = str(service_id)
    if terms:
        await Attribute.delete().where(
            (Attribute.link_entity == "service")
            & (Attribute.link_id == key)
            & Attribute.taxonomy_term.is_in(list(terms.values()))
        )
    if codes:
        await Attribute.insert(
            *[
                Attribute(
                    id=uuid.uuid4(),
                    link_id=key,
                    link_type="need",
                    link_entity="service",
                    taxonomy_term=terms[code],
                )
                for code in codes
            ]
        )


async def _write_address(
    service_id: uuid.UUID, organization: uuid.UUID, name: str, address: dict[str, str] | None
) -> None:
    links = (
        await ServiceAtLocation.select()
        .where(ServiceAtLocation.service == service_id)
        .order_by(ServiceAtLocation.id)
    )
    if address is None:
        for link in links:
            await ServiceAtLocation.delete().where(ServiceAtLocation.id == link["id"])
            await _drop_location_if_unused(link["location"])
        return
    values: dict[Column | str, Any] = {
        Address.address_1: address["street"],
        Address.city: address["city"],
        Address.state_province: address["state"],
        Address.postal_code: address["postal_code"],
    }
    if links:
        location = links[0]["location"]
        shared = await ServiceAtLocation.count().where(
            (ServiceAtLocation.location == location) & (ServiceAtLocation.service != service_id)
        )
        if not shared:
            found = (
                await Address.select(Address.id)
                .where(Address.location == location)
                .order_by(Address.id)
                .first()
            )
            if found:
                await Address.update(values).where(Address.id == found["id"])
            else:
                await Address.insert(Address(id=uuid.uuid4(), location=location, **_named(values)))
            return
        await ServiceAtLocation.delete().where(ServiceAtLocation.id == links[0]["id"])
    location = uuid.uuid4()
    await Location.insert(
        Location(id=location, organization=organization, location_type="physical", name=name)
    )
    await Address.insert(Address(id=uuid.uuid4(), location=location, country="US", **_named(values)))
    await ServiceAtLocation.insert(ServiceAtLocation(id=uuid.uuid4(), service=service_id, location=location))


def _named(values: dict[Column | str, Any]) -> dict[str, Any]:
    return {
        column if isinstance(column, str) else column._meta.name: value for column, value in values.items()
    }


async def _drop_location_if_unused(location: uuid.UUID) -> None:
    for table, column in (
        (ServiceAtLocation, ServiceAtLocation.location),
        (Phone, Phone.location),
        (Schedule, Schedule.location),
        (Language, Language.location),
    ):
        if await table.count().where(column == location):
            return
    await Address.delete().where(Address.location == location)
    await Location.delete().where(Location.id == location)
