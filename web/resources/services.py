"""Reading the directory: resources as people see them, found by need, school and words."""

from __future__ import annotations

import copy
import re
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

from web.district.tables import School
from web.i18n import current_locale
from web.page_cache import forget_public_pages
from web.resources import hours, places, search_index
from web.resources.tables import (
    Address,
    Attribute,
    Language,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceClosure,
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
    # Holiday closures from the console (web/resources/editing.py), in the service's own calendar.
    closed_days: frozenset[date] = frozenset()
    language_codes: list[str] = field(default_factory=list)
    # True when the reader's language has no translation of the name and description yet.
    in_english: bool = False
    # How far it is (from its location, else its school), when a place was given.
    distance_miles: float | None = None

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

    @property
    def hours_for_devices(self) -> str:
        return hours.for_devices(self.spans, self.closed_days)

    def open_now(self, now: datetime | None = None) -> bool | None:
        """True or False from the schedule; None when no hours are known."""
        if not self.spans:
            return None
        return hours.is_open(self.spans, now or datetime.now(tz=UTC), self.closed_days)

    def distance_label(self) -> str:
        """ "2.3" (or "2,3"): miles, to one decimal, in the reader's language."""
        return format_decimal(round(self.distance_miles or 0.0, 1), format="#,##0.0", locale=current_locale())

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


# The directory as people see it, per language, read again only when it has changed in any process:
# every writer (staff editing, the HSDS importer, the demo seed) refreshes the search index, whose
# fingerprint then changes; the service count and latest change catch anything else.
_snapshots: dict[str, tuple[tuple[Any, ...], dict[str, ResourceView]]] = {}


async def _directory_version() -> tuple[Any, ...]:
    rows = await Service.raw(
        "SELECT (SELECT count(*) FROM search_document) AS docs, (SELECT max(id) FROM search_document) AS top, "
        "(SELECT count(*) FROM service) AS services, (SELECT max(last_modified) FROM service) AS changed"
    )
    row = rows[0]
    return (row["docs"], row["top"], row["services"], str(row["changed"]))


def forget_directory() -> None:
    """This process changed the directory: read it again on the next request, and render the public
    pages that show it afresh (in every process) once the change is committed."""
    _snapshots.clear()
    forget_public_pages()


async def _snapshot() -> dict[str, ResourceView]:
    """The shared, read-only directory of the reader's language (copy before changing a view)."""
    locale = current_locale()
    version = await _directory_version()
    cached = _snapshots.get(locale)
    if cached is None or cached[0] != version:
        cached = (version, {view.id: view for view in await _read_resources()})
        _snapshots[locale] = cached
    return cached[1]


async def load_resources(service_ids: list[uuid.UUID] | None = None) -> list[ResourceView]:
    """Every active resource (or the ones asked for), with phones, hours, address and needs,
    pinned national lines first, then by name. Callers get their own copies (they may set a distance)."""
    views = await _snapshot()
    if service_ids is None:
        return [copy.copy(view) for view in views.values()]
    wanted = {str(i) for i in service_ids}
    return [copy.copy(view) for view in views.values() if view.id in wanted]


async def _read_resources(service_ids: list[uuid.UUID] | None = None) -> list[ResourceView]:
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
    closures: dict[Any, set[date]] = {}
    soon = datetime.now(tz=UTC).date() - timedelta(days=2)
    for closure in await ServiceClosure.select(ServiceClosure.service, ServiceClosure.closed_on).where(
        ServiceClosure.service.is_in(ids) & (ServiceClosure.closed_on >= soon)
    ):
        closures.setdefault(closure["service"], set()).add(closure["closed_on"])
    for key, days in closures.items():
        views[key].closed_days = frozenset(days)
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


def _point(latitude: Any, longitude: Any) -> tuple[float, float] | None:
    if latitude is None or longitude is None:
        return None
    return (float(latitude), float(longitude))


def _order(view: ResourceView) -> tuple[int, int, str]:
    pinned = view.pinned_rank is not None
    return (0 if pinned else 1, view.pinned_rank or 0, view.name.lower())


@dataclass(frozen=True)
class ResourceFilters:
    words: str = ""
    need: str = ""
    school: str = ""
    # Only what is open at this moment (by its schedule, in its own time zone).
    open_now: bool = False
    # A ZIP code or a school slug: nearest first, with distances.
    near: str = ""

    @property
    def active(self) -> bool:
        return bool(self.words or self.need or self.school or self.open_now or self.near)


def matches(view: ResourceView, filters: ResourceFilters, now: datetime | None = None) -> bool:
    """A resource fits when it serves the need, is for the chosen school (or everyone), and is open
    when only open places are asked for. (Words are matched by the search index.)"""
    if filters.need and filters.need not in view.needs:
        return False
    if filters.school and view.school_slug not in (None, filters.school):
        return False
    return not filters.open_now or view.open_now(now) is True


async def near_point(near: str) -> tuple[float, float] | None:
    """Where "near" means: a ZIP code centre we ship, or a school with coordinates."""
    if not near:
        return None
    point = places.zip_point(near)
    if point:
        return point
    school = await School.select(School.latitude, School.longitude).where(School.slug == near).first()
    return _point(school["latitude"], school["longitude"]) if school else None


# A search shows at most this many places (the best first); narrowing brings the rest.
MAX_RESULTS = 50


@dataclass
class Results:
    views: list[ResourceView]
    # How many places matched in all (more than shown when a search was cut at MAX_RESULTS).
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.views)


def _rank(
    pinned_rank: int | None, exact: bool, distance: float | None, near: bool, score: float, name: str
) -> tuple[Any, ...]:
    """National lines first when they match, then an exact name, then the nearest (when a place is
    given; places without one last), then the best match for the words, then by name."""
    return (
        0 if pinned_rank is not None else 1,
        pinned_rank or 0,
        0 if exact else 1,
        (distance if distance is not None else float("inf")) if near else 0.0,
        -score,
        name.lower(),
    )


async def search_resources(
    filters: ResourceFilters, now: datetime | None = None, limit: int | None = MAX_RESULTS
) -> Results:
    """What the directory page lists. Words go through the search index (typos mended, synonyms,
    the reader's language and English) and only the best `limit` places are loaded; without words,
    the whole directory is filtered (it is loaded whole anyway)."""
    now = now or datetime.now(tz=UTC)
    try:
        # One connection (and one consistent view) for the dozen reads below.
        async with Service._meta.db.transaction():
            return await _search(filters, now, limit)
    except search_index.IndexMissing:
        # A directory made before the index existed: index it (a write, so outside the read), go on.
        await search_index.rebuild()
        async with Service._meta.db.transaction():
            return await _search(filters, now, limit)


async def _search(filters: ResourceFilters, now: datetime, limit: int | None) -> Results:
    origin = await near_point(filters.near)
    if not filters.words.strip():
        found = [view for view in await load_resources() if matches(view, filters, now)]
        if origin:
            miles = await _distances({uuid.UUID(view.id) for view in found}, origin)
            for view in found:
                view.distance_miles = miles.get(uuid.UUID(view.id))
        found.sort(key=lambda v: _rank(v.pinned_rank, False, v.distance_miles, bool(origin), 0.0, v.name))
        return Results(found, len(found))
    ordered = not filters.open_now and not origin  # the index can rank and cut by itself
    hits, total = await search_index.search(
        filters.words,
        current_locale(),
        need=filters.need,
        school=filters.school,
        limit=limit if ordered else None,
    )
    distances: dict[uuid.UUID, float] = {}
    if not ordered:
        ids = {hit.service for hit in hits}
        if ids and filters.open_now:
            ids = await _open(ids, now)
        distances = await _distances(ids, origin) if ids and origin else {}
        position = {hit.service: index for index, hit in enumerate(hits)}

        def rank(hit: search_index.Hit) -> tuple[Any, ...]:
            far = distances.get(hit.service)
            return (*_rank(hit.pinned_rank, hit.exact, far, bool(origin), 0.0, ""), position[hit.service])

        hits = sorted((hit for hit in hits if hit.service in ids), key=rank)
        total = len(hits)
        hits = hits[:limit] if limit is not None else hits
    shown = [hit.service for hit in hits]
    where = {str(service): index for index, service in enumerate(shown)}
    views = sorted(await load_resources(shown), key=lambda view: where[view.id])
    for view in views:
        view.distance_miles = distances.get(uuid.UUID(view.id))
    return Results(views, total)


async def find_resources(filters: ResourceFilters, now: datetime | None = None) -> list[ResourceView]:
    return (await search_resources(filters, now)).views


def _chunks(ids: set[uuid.UUID] | list[uuid.UUID], size: int = 2000) -> list[list[uuid.UUID]]:
    items = list(ids)
    return [items[start : start + size] for start in range(0, len(items), size)]


async def _open(ids: set[uuid.UUID], now: datetime) -> set[uuid.UUID]:
    views = await _snapshot()
    return {
        i
        for i in ids
        if (view := views.get(str(i))) is not None and hours.is_open(view.spans, now, view.closed_days)
    }


async def _distances(ids: set[uuid.UUID], origin: tuple[float, float]) -> dict[uuid.UUID, float]:
    """Miles from the origin to each service's location, else to its school."""
    points: dict[uuid.UUID, tuple[float, float]] = {}
    for chunk in _chunks(ids):
        for row in await Service.select(
            Service.id,
            Service.school.latitude.as_alias("lat"),
            Service.school.longitude.as_alias("lon"),
        ).where(Service.id.is_in(chunk) & Service.school.is_not_null()):
            point = _point(row["lat"], row["lon"])
            if point:
                points[row["id"]] = point
        for row in await ServiceAtLocation.select(
            ServiceAtLocation.service,
            ServiceAtLocation.location.latitude.as_alias("lat"),
            ServiceAtLocation.location.longitude.as_alias("lon"),
        ).where(ServiceAtLocation.service.is_in(chunk)):
            point = _point(row["lat"], row["lon"])
            if point:
                points[row["service"]] = point
    return {service: places.miles(origin, point) for service, point in points.items()}


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
