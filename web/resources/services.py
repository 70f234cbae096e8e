"""Reading the directory: resources as people see them, found by need, school and words."""

from __future__ import annotations

import re
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from babel import Locale, UnknownLocaleError

from web.i18n import current_locale
from web.resources import hours
from web.resources.tables import (
    Address,
    Attribute,
    Language,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTranslation,
)


@dataclass(frozen=True)
class PhoneView:
    number: str
    type: str
    keyword: str | None
    description: str | None

    @property
    def digits(self) -> str:
        return re.sub(r"\D", "", self.number)

    @property
    def dialable(self) -> str:
        """E.164 for full North American numbers; short codes (988, 741741) as they are."""
        digits = self.digits
        if len(digits) == 10:
            return f"+1{digits}"
        if len(digits) == 11 and digits.startswith("1"):
            return f"+{digits}"
        return digits

    @property
    def tel_href(self) -> str:
        return f"tel:{self.dialable}"

    @property
    def sms_href(self) -> str:
        # RFC 5724 form; the number and keyword are always shown as text too, since some
        # phones ignore the body and computers cannot open sms: links at all.
        target = self.dialable
        if self.keyword:
            return f"sms:{target}?body={urllib.parse.quote(self.keyword)}"
        return f"sms:{target}"


@dataclass
class ResourceView:
    id: str
    name: str
    organization: str
    description: str
    url: str | None
    fees: str | None
    eligibility: str | None
    minimum_age: int | None
    maximum_age: int | None
    pinned_rank: int | None
    is_sample: bool
    school_slug: str | None
    school_name: str | None
    needs: list[str] = field(default_factory=list)
    phones: list[PhoneView] = field(default_factory=list)
    address_lines: list[str] = field(default_factory=list)
    spans: list[hours.WeeklyHours] = field(default_factory=list)
    language_codes: list[str] = field(default_factory=list)
    # True when the reader's language has no translation of the name and description yet.
    in_english: bool = False

    @property
    def voice_phones(self) -> list[PhoneView]:
        return [p for p in self.phones if p.type in ("voice", "cell")]

    @property
    def tty_phones(self) -> list[PhoneView]:
        return [p for p in self.phones if p.type == "textphone"]

    @property
    def text_phones(self) -> list[PhoneView]:
        return [p for p in self.phones if p.type == "text"]

    @property
    def map_url(self) -> str | None:
        if not self.address_lines:
            return None
        query = urllib.parse.quote(", ".join(self.address_lines))
        return f"https://www.openstreetmap.org/search?query={query}"

    @property
    def always_open(self) -> bool:
        return hours.always_open(self.spans)

    def open_now(self, now: datetime | None = None) -> bool | None:
        """True or False from the schedule; None when no hours are known."""
        if not self.spans:
            return None
        return hours.is_open(self.spans, now or datetime.now(tz=UTC))

    def hours_lines(self, locale: str) -> list[str]:
        return hours.describe(self.spans, locale)

    def languages(self, locale: str) -> list[str]:
        return [language_name(code, locale) for code in self.language_codes]

    def searchable_text(self) -> str:
        return " ".join([self.name, self.organization, self.description, *self.needs]).lower()


def language_name(code: str, locale: str) -> str:
    """A language named in the reader's language ("Spanish" / "español")."""
    try:
        return Locale.parse(code).get_display_name(locale) or code
    except (UnknownLocaleError, ValueError):
        return code


async def load_resources(service_ids: list[uuid.UUID] | None = None) -> list[ResourceView]:
    """Every active resource (or the ones asked for), with phones, hours, address and needs,
    pinned national lines first, then by name."""
    query = Service.select(
        *Service.all_columns(),
        Service.organization.name.as_alias("organization_name"),
        Service.school.slug.as_alias("school_slug"),
        Service.school.name.as_alias("school_name"),
    ).where(Service.status == "active")
    if service_ids is not None:
        query = query.where(Service.id.is_in(service_ids)) if service_ids else query.where(Service.id == None)
    rows = await query
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    views = {
        row["id"]: ResourceView(
            id=str(row["id"]),
            name=row["name"],
            organization=row["organization_name"],
            description=row["description"],
            url=row["url"],
            fees=row["fees_description"],
            eligibility=row["eligibility_description"],
            minimum_age=row["minimum_age"],
            maximum_age=row["maximum_age"],
            pinned_rank=row["pinned_rank"],
            is_sample=row["is_sample"],
            school_slug=row["school_slug"],
            school_name=row["school_name"],
        )
        for row in rows
    }
    for phone in await Phone.select().where(Phone.service.is_in(ids)).order_by(Phone.id):
        views[phone["service"]].phones.append(
            PhoneView(phone["number"], phone["type"], phone["text_keyword"], phone["description"])
        )
    for sched in await Schedule.select().where(Schedule.service.is_in(ids)):
        span = hours.parse(sched["byday"], sched["opens_at"], sched["closes_at"], sched["timezone_name"])
        if span:
            views[sched["service"]].spans.append(span)
    for lang in await Language.select().where(Language.service.is_in(ids)).order_by(Language.name):
        if lang["code"]:
            views[lang["service"]].language_codes.append(lang["code"])
    links = await ServiceAtLocation.select(ServiceAtLocation.service, ServiceAtLocation.location).where(
        ServiceAtLocation.service.is_in(ids)
    )
    if links:
        addresses = await Address.select().where(Address.location.is_in([link["location"] for link in links]))
        by_location = {a["location"]: a for a in addresses}
        for link in links:
            address = by_location.get(link["location"])
            if address:
                views[link["service"]].address_lines = [
                    address["address_1"],
                    f"{address['city']}, {address['state_province']} {address['postal_code']}",
                ]
    await _translate(views, current_locale())
    str_ids = [str(i) for i in ids]
    terms = await Attribute.select(Attribute.link_id, Attribute.taxonomy_term.code.as_alias("code")).where(
        (Attribute.link_entity == "service") & (Attribute.link_id.is_in(str_ids))
    )
    by_str = {str(k): v for k, v in views.items()}
    for term in terms:
        by_str[term["link_id"]].needs.append(term["code"])
    return sorted(views.values(), key=_order)


async def _translate(views: dict[Any, ResourceView], locale: str) -> None:
    """Names and descriptions in the reader's language where we have them; the rest stay English."""
    if locale == "en":
        return
    rows = await ServiceTranslation.select().where(
        ServiceTranslation.service.is_in(list(views)) & (ServiceTranslation.locale == locale)
    )
    translated = {row["service"]: row for row in rows}
    for key, view in views.items():
        row = translated.get(key)
        if row:
            view.name, view.description = row["name"], row["description"] or view.description
        else:
            view.in_english = True


def _order(view: ResourceView) -> tuple[int, int, str]:
    pinned = view.pinned_rank is not None
    return (0 if pinned else 1, view.pinned_rank or 0, view.name.lower())


@dataclass(frozen=True)
class ResourceFilters:
    words: str = ""
    need: str = ""
    school: str = ""

    @property
    def active(self) -> bool:
        return bool(self.words or self.need or self.school)


def matches(view: ResourceView, filters: ResourceFilters) -> bool:
    """A resource fits when it serves the need, is for the chosen school (or everyone), and
    every word typed appears somewhere in it."""
    if filters.need and filters.need not in view.needs:
        return False
    if filters.school and view.school_slug not in (None, filters.school):
        return False
    text = view.searchable_text()
    return all(word in text for word in filters.words.lower().split())


async def find_resources(filters: ResourceFilters) -> list[ResourceView]:
    return [view for view in await load_resources() if matches(view, filters)]


async def get_resource(resource_id: str) -> ResourceView | None:
    try:
        wanted = uuid.UUID(resource_id)
    except ValueError:
        return None
    found = await load_resources([wanted])
    return found[0] if found else None


async def resources_for_school(school_slug: str | None) -> list[ResourceView]:
    """What staff can send a reporter: national lines, district-wide entries, and the school's own."""
    return [view for view in await load_resources() if view.school_slug in (None, school_slug)]
