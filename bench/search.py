"""Directory search time with 5,000 resources on the embedded default (SQLite, FTS5).

Makes a throwaway data directory (LANTERN_DATA_DIR is set before any Lantern module is imported), seeds
the demo district, then 5,000 invented resources spread over every need: names and descriptions from a
few hundred words, one to three needs, weekly hours, phones, a place in the demo ZIP codes, and a
Spanish translation for one in ten. The search index is rebuilt (timed), then a fixed set of 50
queries (right words, children's misspellings, several words, Spanish with the `es` locale, and some
with the need, open-now and nearest filters) runs RUNS times each, after one warm-up round, through
`find_resources`, the function the /resources page calls (index query, typo mending, loading the
matching resources, filters and ordering; no HTTP, no template).

Prints p50, p95 and max, and writes the `# Directory search` section of bench/results.md. Target
(issue 7): p95 ≤ 30 ms. The machine's load average is printed with them.

Run with `uv run --frozen python bench/search.py`.
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = tempfile.mkdtemp(prefix="lantern-bench-search-")
os.environ["LANTERN_DATA_DIR"] = DATA_DIR
os.environ["PICCOLO_CONF"] = "web.piccolo_conf"
os.environ.pop("DATABASE_URL", None)

from bench.pages import write_section  # noqa: E402

RESOURCES = 5_000
RUNS = 10
TARGET_MS = 30.0
BATCH = 500
SECTION = "# Directory search"

KINDS = {
    "food": ["Food Pantry", "Community Kitchen", "Meal Program", "Grocery Share", "Weekend Meals"],
    "housing": ["Family Shelter", "Youth Shelter", "Rent Help", "Housing Desk"],
    "transportation": ["Ride Program", "Bus Pass Desk", "Volunteer Rides"],
    "clothing": ["Clothing Closet", "Coat Bank", "Shoe Drive"],
    "medical": ["Family Clinic", "Dental Van", "Eye Clinic", "Health Center"],
    "mental_health": ["Counseling Center", "Teen Talk Line", "Wellness Group"],
    "substance_use": ["Recovery Circle", "Youth Recovery"],
    "home_abuse": ["Safe House", "Child Advocacy Center"],
    "dating_sexual_violence": ["Support Line", "Respect Group"],
    "lgbtq": ["Pride Youth Group", "Family Circle"],
    "grief": ["Grief Center", "Grief Group"],
    "legal_immigration": ["Legal Clinic", "Immigration Help Desk"],
    "school_needs": ["Supply Store", "Tutoring", "Homework Club"],
}
ABOUT = {
    "food": "free groceries, fresh fruit and hot meals for children and families who are hungry",
    "housing": "a safe place to sleep tonight, emergency shelter and help with rent and utilities",
    "transportation": "rides to school, the doctor and work, and free bus passes for students",
    "clothing": "free clothes, winter coats, shoes and school uniforms in every size",
    "medical": "check-ups, shots, dental care, eye exams and glasses with a nurse or doctor",
    "mental_health": "counseling for stress, sadness, worry or bullying with a kind counselor",
    "substance_use": "help with alcohol, vaping and drugs for teens and their families, recovery groups",
    "home_abuse": "help when someone at home hurts you or does not take care of you",
    "dating_sexual_violence": "support after sexual assault or an unhealthy relationship, private and free",
    "lgbtq": "a welcoming group for LGBTQ+ youth and their families to talk and belong",
    "grief": "support groups for children and teens after someone they love has died",
    "legal_immigration": "free legal advice about immigration, papers, tenants and family law",
    "school_needs": "backpacks, school supplies, tutoring and homework help after school",
}
PLACES = (
    "Aspen Birch Cedar Dogwood Elm Fir Ginkgo Hawthorn Ironwood Juniper Katsura Linden Maple Nutmeg "
    "Oak Pecan Quince Redbud Spruce Tamarack Walnut Willow Yarrow Zinnia Bluebell Clover Daisy Fern "
    "Heather Iris Laurel Marigold Orchid Poppy Rosemary Sage Thistle Violet Wren Robin Sparrow Finch "
    "Heron Kestrel Lark Oriole Plover Swallow Tanager Warbler Harbor Summit Prairie Meadow Riverbend "
    "Lakeside Hillcrest Stonegate Brookside Fairview Northfield Southpark Westwood Eastview Millbrook"
).split()
FILLER = (
    "open to everyone no papers needed bring a friend walk in or call first we speak Spanish Somali "
    "Arabic and more quiet room parking near the bus stop volunteers neighbors church library center "
    "after school weekends evenings holidays private caring trained staff families parents students "
    "teens kids young adults seniors gardening cooking classes art music sports mentoring reading "
    "computers internet phone charging laundry showers diapers formula baby toys books games"
).split()
SPANISH = {
    "food": ("Despensa de comida", "Comida gratis y comidas calientes para niños y familias con hambre."),
    "housing": ("Refugio familiar", "Un lugar seguro para dormir y ayuda con la renta."),
    "clothing": ("Ropero comunitario", "Ropa, abrigos y zapatos gratis para estudiantes."),
    "medical": ("Clínica familiar", "Consultas con médico o enfermera, vacunas y dentista."),
    "mental_health": ("Centro de consejería", "Habla con un consejero sobre estrés, tristeza o acoso."),
}
QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("food", "en", {}),
    ("fod", "en", {}),
    ("food pantry", "en", {}),
    ("hungry", "en", {}),
    ("i need food", "en", {}),
    ("meals", "en", {}),
    ("helth", "en", {}),
    ("health center", "en", {}),
    ("doctor", "en", {}),
    ("dentist", "en", {}),
    ("glasses", "en", {}),
    ("bullyed", "en", {}),
    ("bullying", "en", {}),
    ("councelor", "en", {}),
    ("counseling", "en", {}),
    ("cloths", "en", {}),
    ("winter coat", "en", {}),
    ("shoes", "en", {}),
    ("shelter", "en", {}),
    ("sheltr", "en", {}),
    ("place to sleep", "en", {}),
    ("rent help", "en", {}),
    ("bus pass", "en", {}),
    ("ride to school", "en", {}),
    ("vaping", "en", {}),
    ("recovry", "en", {}),
    ("someone hurts me at home", "en", {}),
    ("safe house", "en", {}),
    ("sexual assault", "en", {}),
    ("lgbtq", "en", {}),
    ("gay", "en", {}),
    ("grief", "en", {}),
    ("greif group", "en", {}),
    ("immigration lawyer", "en", {}),
    ("imigration", "en", {}),
    ("homework", "en", {}),
    ("tutorng", "en", {}),
    ("school supplies", "en", {}),
    ("Juniper Family Clinic", "en", {}),
    ("crisis", "en", {}),
    ("zzzznothing", "en", {}),
    ("comida", "es", {}),
    ("ropa", "es", {}),
    ("consejero", "es", {}),
    ("medico", "es", {}),
    ("food", "en", {"open_now": True}),
    ("clinic", "en", {"near": "66102"}),
    ("pantry", "en", {"near": "lincoln-hs"}),
    ("counselor", "en", {"need": "mental_health", "open_now": True}),
    ("shelter", "en", {"school": "northgate-ms", "near": "66104"}),
]


async def seed(rng: random.Random) -> None:
    from web.demo.seed import seed_demo
    from web.migrate import migrate
    from web.resources.places import zip_centroids
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
        TaxonomyTerm,
    )

    await migrate()
    await seed_demo()
    terms = {row["code"]: row["id"] for row in await TaxonomyTerm.select(TaxonomyTerm.id, TaxonomyTerm.code)}
    zips = sorted(zip_centroids().items())
    now = datetime.now(tz=UTC)
    rows: dict[str, list[Any]] = {
        name: [] for name in ("org", "svc", "loc", "addr", "sal", "ph", "sch", "lang", "attr", "tr")
    }
    for index in range(RESOURCES):
        needs = rng.sample(sorted(KINDS), rng.choice((1, 1, 2, 3)))
        place = rng.choice(PLACES)
        name = f"{place} {rng.choice(KINDS[needs[0]])} {index}"
        description = " ".join(
            [
                f"{place} offers",
                ABOUT[needs[0]] + ".",
                *(ABOUT[n] + "." for n in needs[1:]),
                *rng.sample(FILLER, 12),
            ]
        )
        org = Organization(id=uuid.uuid4(), name=f"{place} Neighbors {index % 700}", description="")
        service = Service(
            id=uuid.uuid4(),
            organization=org.id,
            name=name,
            description=description,
            status="active",
            last_modified=now,
            is_sample=True,
        )
        code, (lat, lon) = rng.choice(zips)
        location = Location(
            id=uuid.uuid4(),
            organization=org.id,
            name=name,
            latitude=round(lat + rng.uniform(-0.02, 0.02), 5),
            longitude=round(lon + rng.uniform(-0.025, 0.025), 5),
        )
        rows["org"].append(org)
        rows["svc"].append(service)
        rows["loc"].append(location)
        rows["addr"].append(
            Address(
                id=uuid.uuid4(),
                location=location.id,
                address_1=f"{rng.randint(100, 9999)} {place} St",
                city="Kansas City",
                state_province="KS",
                postal_code=code,
            )
        )
        rows["sal"].append(ServiceAtLocation(id=uuid.uuid4(), service=service.id, location=location.id))
        rows["ph"].append(Phone(id=uuid.uuid4(), service=service.id, number=f"913-555-01{index % 100:02d}"))
        opens = rng.choice(("08:00", "09:00", "10:00", "12:00", "15:00"))
        days = rng.choice(("MO,TU,WE,TH,FR", "TU,TH", "SA", "MO,WE,FR", "MO,TU,WE,TH,FR,SA,SU"))
        rows["sch"].append(
            Schedule(id=uuid.uuid4(), service=service.id, byday=days, opens_at=opens, closes_at="18:00")
        )
        rows["lang"].append(Language(id=uuid.uuid4(), service=service.id, code="en"))
        for need in needs:
            rows["attr"].append(
                Attribute(
                    id=uuid.uuid4(), link_id=str(service.id), link_type="need", taxonomy_term=terms[need]
                )
            )
        if index % 10 == 0 and needs[0] in SPANISH:
            title, text = SPANISH[needs[0]]
            rows["tr"].append(
                ServiceTranslation(
                    id=uuid.uuid4(),
                    service=service.id,
                    locale="es",
                    name=f"{title} {place}",
                    description=text,
                )
            )
    for model, key in (
        (Organization, "org"),
        (Service, "svc"),
        (Location, "loc"),
        (Address, "addr"),
        (ServiceAtLocation, "sal"),
        (Phone, "ph"),
        (Schedule, "sch"),
        (Language, "lang"),
        (Attribute, "attr"),
        (ServiceTranslation, "tr"),
    ):
        items = rows[key]
        for start in range(0, len(items), BATCH):
            await model.insert(*items[start : start + BATCH])


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def measure() -> dict[str, Any]:
    from web.i18n import set_locale
    from web.resources import search_index
    from web.resources.services import ResourceFilters, find_resources

    rng = random.Random(7)
    started = time.perf_counter()
    await seed(rng)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    await search_index.rebuild()
    rebuilt = time.perf_counter() - started
    samples: list[float] = []
    cpu: list[float] = []
    per_query: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for round_ in range(RUNS + 1):
        for words, locale, extra in QUERIES:
            set_locale(locale)
            filters = ResourceFilters(words=words, **extra)
            began, began_cpu = time.perf_counter(), time.process_time()
            found = await find_resources(filters)
            elapsed = (time.perf_counter() - began) * 1000
            used = (time.process_time() - began_cpu) * 1000
            label = f"{words} [{locale}]" + (f" {extra}" if extra else "")
            counts[label] = len(found)
            if round_:  # the first round warms caches (the vocabulary is read once per index change)
                samples.append(elapsed)
                cpu.append(used)
                per_query.setdefault(label, []).append(elapsed)
    set_locale("en")
    slowest = sorted(per_query.items(), key=lambda item: -statistics.median(item[1]))[:5]
    return {
        "seeded": seeded,
        "rebuilt": rebuilt,
        "samples": samples,
        "cpu": cpu,
        "slowest": [(label, statistics.median(times), counts[label]) for label, times in slowest],
        "empty": [label for label, count in counts.items() if count == 0],
    }


def main() -> int:
    try:
        result = asyncio.run(measure())
    finally:
        shutil.rmtree(DATA_DIR, ignore_errors=True)
    samples, cpu = result["samples"], result["cpu"]
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    ok = p95 <= TARGET_MS
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}, load average {load}) by "
        "`uv run --frozen python bench/search.py`.",
        "",
        f"{RESOURCES:,} invented resources plus the demo directory on SQLite (FTS5); index rebuilt in "
        f"{result['rebuilt']:.1f} s. {len(QUERIES)} queries (misspellings, Spanish, filters) × {RUNS} runs "
        "through `find_resources`, as the /resources page calls it:",
        "",
        "| | p50 | p95 | max | target p95 |",
        "|---|---|---|---|---|",
        f"| wall clock | {p50:.1f} ms | {p95:.1f} ms | {max(samples):.1f} ms | ≤ {TARGET_MS:.0f} ms: {'ok' if ok else 'OVER'} |",
        f"| CPU time (this process, its SQLite threads included) | {statistics.median(cpu):.1f} ms | "
        f"{percentile(cpu, 0.95):.1f} ms | {max(cpu):.1f} ms | |",
        "",
        "Slowest queries (median ms, results): "
        + "; ".join(f"`{label}` {ms:.1f} ms ({count})" for label, ms, count in result["slowest"])
        + ".",
        "",
        "Queries with no results: " + (", ".join(f"`{label}`" for label in result["empty"]) or "none") + ".",
    ]
    report = "\n".join(lines) + "\n"
    write_section(SECTION, report)
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
