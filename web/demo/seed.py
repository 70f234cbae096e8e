"""The demo district: three schools, the resource directory and demo staff accounts.

Local resources are invented samples (phone numbers in the 555-01xx range reserved for fiction);
the national lines are real and were checked.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from web.district.tables import District, School
from web.resources import search_index
from web.resources.tables import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)
from web.resources.taxonomy import NEEDS, TAXONOMY_NAME
from web.staff.services import add_staff

RESOURCES_FILE = Path(__file__).with_name("resources.json")
# Names and descriptions in other languages, by resource key and locale.
TRANSLATIONS_FILE = Path(__file__).with_name("translations.json")
# Stable ids: the same demo resource keeps its URL across re-seeds.
NAMESPACE = uuid.UUID("6f1c0d1e-2b7a-4d55-9a43-6c1f4a1b9e10")
SCHOOL_HOURS = {day: ["07:30", "16:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
SCHOOLS = (
    ("riverside-es", "Riverside Elementary School"),
    ("northgate-ms", "Northgate Middle School"),
    ("lincoln-hs", "Lincoln Heights High School"),
)
# Invented places in the demo area (see web/resources/zip_centroids.json), for "nearest to my school".
SCHOOL_POINTS = {
    "riverside-es": (39.1412, -94.7003),
    "northgate-ms": (39.1263, -94.6581),
    "lincoln-hs": (39.1079, -94.6402),
}
DEMO_PASSWORD = "lantern-demo-2026"  # noqa: S105 (printed for the demo; never used outside it)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    schools: tuple[str, ...]
    name: str


DEMO_ACCOUNTS = (
    DemoAccount(
        "district@demo.lantern.example",
        "district_admin",
        tuple(s for s, _ in SCHOOLS),
        "Dana Whitfield (district)",
    ),
    DemoAccount(
        "counselor.lincoln@demo.lantern.example", "responder", ("lincoln-hs",), "Ms. Rivera (Lincoln)"
    ),
    DemoAccount(
        "principal.northgate@demo.lantern.example",
        "school_admin",
        ("northgate-ms",),
        "Mr. Okafor (Northgate)",
    ),
)


def _id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


async def seed_demo() -> bool:
    """Seed once; returns False when the district already has schools (nothing is changed)."""
    if await School.count() > 0:
        return False
    district = await District.objects().first()
    if district is None:
        district = District()
    district.name = "Prairie River Public Schools (demo)"
    district.short_name = "Prairie River Schools"
    district.timezone = "America/Chicago"
    await district.save()
    schools = {}
    for order, (slug, name) in enumerate(SCHOOLS):
        school = School(
            district=district.id,
            slug=slug,
            name=name,
            timezone="America/Chicago",
            hours=SCHOOL_HOURS,
            sort_order=order,
            latitude=SCHOOL_POINTS[slug][0],
            longitude=SCHOOL_POINTS[slug][1],
        )
        await school.save()
        schools[slug] = school
    await _seed_resources(schools)
    for account in DEMO_ACCOUNTS:
        await add_staff(account.email, DEMO_PASSWORD, account.role, list(account.schools), account.name)
    return True


async def _seed_resources(schools: dict[str, School]) -> None:
    taxonomy = Taxonomy(id=_id("taxonomy"), name=TAXONOMY_NAME, description="Needs people bring to Lantern")
    await taxonomy.save()
    terms = {}
    for need in NEEDS:
        term = TaxonomyTerm(
            id=_id("term", need.code),
            code=need.code,
            name=need.label,
            description=need.label,
            taxonomy=taxonomy.id,
        )
        await term.save()
        terms[need.code] = term
    data = json.loads(RESOURCES_FILE.read_text())
    translations = json.loads(TRANSLATIONS_FILE.read_text())
    now = datetime.now(tz=UTC)
    for entry in data["services"]:
        await _seed_service(entry, schools, terms, now)
        for locale, text in translations.get(entry["key"], {}).items():
            await ServiceTranslation(
                id=_id("translation", entry["key"], locale),
                service=_id("service", entry["key"]),
                locale=locale,
                name=text["name"],
                description=text["description"],
            ).save()
    await search_index.rebuild()


async def _seed_service(
    entry: dict[str, Any], schools: dict[str, School], terms: dict[str, TaxonomyTerm], now: datetime
) -> None:
    key = entry["key"]
    org = await Organization.objects().where(Organization.name == entry["organization"]).first()
    if org is None:
        org = Organization(
            id=_id("org", entry["organization"]),
            name=entry["organization"],
            description="",
            website=entry["url"],
        )
        await org.save()
    school = schools.get(entry["school"]) if entry["school"] else None
    service = Service(
        id=_id("service", key),
        organization=org.id,
        name=entry["name"],
        description=entry["description"],
        url=entry["url"],
        status="active",
        fees_description=entry["fees"],
        eligibility_description=entry["eligibility"],
        minimum_age=entry["minimum_age"],
        maximum_age=entry["maximum_age"],
        last_modified=now,
        school=school.id if school else None,
        pinned_rank=entry["pinned_rank"],
        is_sample=entry["sample"],
    )
    await service.save()
    for index, phone in enumerate(entry["phones"]):
        await Phone(
            id=_id("phone", key, str(index)),
            service=service.id,
            number=phone["number"],
            type=phone["type"],
            text_keyword=phone["keyword"],
            description=phone["description"],
        ).save()
    spans = (
        [{"byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "23:59"}]
        if entry["hours"] == "24/7"
        else entry["hours"]
    )
    for index, span in enumerate(spans):
        await Schedule(
            id=_id("schedule", key, str(index)),
            service=service.id,
            freq="WEEKLY",
            byday=span["byday"],
            opens_at=span["opens_at"],
            closes_at=span["closes_at"],
            timezone_name=school.timezone if school else "America/Chicago",
        ).save()
    for code in entry["languages"]:
        await Language(id=_id("language", key, code), service=service.id, code=code).save()
    if entry["address"]:
        location = Location(
            id=_id("location", key),
            organization=org.id,
            location_type="physical",
            name=entry["name"],
            latitude=entry["address"].get("latitude"),
            longitude=entry["address"].get("longitude"),
        )
        await location.save()
        address = entry["address"]
        await Address(
            id=_id("address", key),
            location=location.id,
            address_1=address["address_1"],
            city=address["city"],
            state_province=address["state_province"],
            postal_code=address["postal_code"],
            country="US",
        ).save()
        await ServiceAtLocation(id=_id("sal", key), service=service.id, location=location.id).save()
    for code in entry["categories"]:
        await Attribute(
            id=_id("attribute", key, code),
            link_id=str(service.id),
            link_type="need",
            link_entity="service",
            taxonomy_term=terms[code].id,
        ).save()
