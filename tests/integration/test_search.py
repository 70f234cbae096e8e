"""Finding help: full-text search (typos, synonyms, Spanish), open now, and nearest first, on the demo
directory. Runs on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from markupsafe import escape

from web.db import write_transaction
from web.demo.seed import _seed_resources
from web.district.tables import School
from web.i18n import set_locale
from web.resources import search_index
from web.resources.hsds.export import directory_records
from web.resources.hsds.importer import ImportMode, clear_directory, import_path
from web.resources.hsds.json_package import write_json_package
from web.resources.services import ResourceFilters, ResourceView, find_resources, load_resources
from web.resources.tables import SearchDocument, Service

pytestmark = pytest.mark.anyio


async def search(words: str, locale: str = "en", **filters: object) -> list[ResourceView]:
    set_locale(locale)
    try:
        return await find_resources(ResourceFilters(words=words, **filters))  # type: ignore[arg-type]
    finally:
        set_locale("en")


def local(found: list[ResourceView]) -> list[ResourceView]:
    return [r for r in found if r.pinned_rank is None]


# (query, locale, the need every one of the first three local results must serve)
BY_NEED = [
    ("fod", "en", "food"),
    ("food", "en", "food"),
    ("hungry", "en", "food"),
    ("i need food", "en", "food"),
    ("cloths", "en", "clothing"),
    ("clothes", "en", "clothing"),
    ("shelter", "en", "housing"),
    ("comida", "es", "food"),
    ("ropa", "es", "clothing"),
]


@pytest.mark.parametrize(("words", "locale", "need"), BY_NEED)
async def test_queries_find_the_right_need(
    client: AsyncTestClient, words: str, locale: str, need: str
) -> None:
    found = local(await search(words, locale))
    assert len(found) >= 3, words
    assert all(need in r.needs for r in found[:3]), (words, [r.name for r in found[:3]])


async def test_misspelled_health_finds_clinics_and_nurses(client: AsyncTestClient) -> None:
    found = local(await search("helth"))
    assert found and "medical" in found[0].needs
    assert any("Clinic" in r.name for r in found[:4])


async def test_misspelled_bullied_and_counselor_find_counselors(client: AsyncTestClient) -> None:
    for words in ("bullyed", "councelor", "counsel"):
        found = local(await search(words))
        assert found, words
        assert "Counsel" in found[0].name, (words, found[0].name)


async def test_doctor_and_dentist_are_synonyms_for_care(client: AsyncTestClient) -> None:
    found = local(await search("doctor"))
    assert found and all("medical" in r.needs for r in found[:3])
    assert local(await search("dentist"))[0].name == "Smile Bright Kids' Dental Van"


async def test_spanish_query_finds_translated_national_line_first(client: AsyncTestClient) -> None:
    found = await search("suicidio", "es")
    assert found[0].name == "988 Línea de Prevención del Suicidio y Crisis"
    assert found[0].pinned_rank == 1
    # The same word in English finds nothing Spanish-only, but "suicide" finds the line.
    assert (await search("suicide"))[0].name == "988 Suicide & Crisis Lifeline"


async def test_pinned_lines_and_exact_names_come_first(client: AsyncTestClient) -> None:
    found = await search("crisis")
    pinned = [r for r in found if r.pinned_rank is not None]
    assert pinned and found[: len(pinned)] == pinned
    assert [r.pinned_rank for r in pinned] == sorted(r.pinned_rank or 0 for r in pinned)
    # An exact name outranks a stronger word match elsewhere.
    found = local(await search("Harvest Row Community Kitchen"))
    assert found[0].name == "Harvest Row Community Kitchen"
    assert (await search("crisis text line"))[0].name == "Crisis Text Line"


async def test_nothing_found_for_nonsense(client: AsyncTestClient) -> None:
    assert await search("zzzznothing") == []
    assert await search("qxqxqx wvwvwv") == []
    assert await search("zzqx nothing like this") == []
    html = (await client.get("/resources?q=zzzznothing")).text
    assert 'data-testid="no-results"' in html


async def test_words_combine_with_need_and_school(client: AsyncTestClient) -> None:
    found = await search("counselor", school="lincoln-hs")
    assert found and {r.school_slug for r in found} <= {None, "lincoln-hs"}
    found = await search("pantry", need="clothing")
    assert [r.name for r in found] == ["Lincoln High Food Pantry & Clothing Closet"]


async def test_index_follows_changes(client: AsyncTestClient) -> None:
    kitchen = next(r for r in await load_resources() if r.name == "Harvest Row Community Kitchen")
    service_id = uuid.UUID(kitchen.id)
    try:
        await Service.update({Service.name: "Harvest Row Supper Table"}).where(Service.id == service_id)
        await search_index.refresh([service_id])
        assert [r.id for r in await search("supper")] == [kitchen.id]
        await Service.update({Service.status: "inactive"}).where(Service.id == service_id)
        await search_index.refresh([service_id])
        # Gone from the index (the word now only mends to others, like "support").
        assert kitchen.id not in [r.id for r in await search("supper")]
        assert await SearchDocument.count().where(SearchDocument.service == service_id) == 0
    finally:
        await Service.update({Service.name: kitchen.name, Service.status: "active"}).where(
            Service.id == service_id
        )
        await search_index.rebuild()
    assert kitchen.id in [r.id for r in await search("kitchen")]


async def test_an_empty_index_is_rebuilt_on_first_search(client: AsyncTestClient) -> None:
    await SearchDocument.delete(force=True)
    assert local(await search("pantry"))
    assert await SearchDocument.count() >= len(await load_resources())


async def test_search_page_uses_the_index(client: AsyncTestClient) -> None:
    html = (await client.get("/resources?q=fod")).text
    assert str(escape("Bluestem Neighbors Food Pantry")) in html
    html = (await client.get("/es/resources?q=suicidio")).text
    assert "988 Línea de Prevención del Suicidio y Crisis" in html


# ---- open now -----------------------------------------------------------------------------------

TUESDAY_11AM_CHICAGO = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
SUNDAY_3AM_CHICAGO = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


async def test_open_now_filter_follows_the_schedules(client: AsyncTestClient) -> None:
    everything = await find_resources(ResourceFilters())
    tuesday = await find_resources(ResourceFilters(open_now=True), now=TUESDAY_11AM_CHICAGO)
    names = {r.name for r in tuesday}
    assert "Bluestem Neighbors Food Pantry" in names  # TU 10:00-14:00
    assert "Lincoln High School Nurse" in names  # school days 07:30-15:30
    assert "Tanager Street Kids' Weekend Meals" not in names  # Saturdays only
    assert all(r.open_now(TUESDAY_11AM_CHICAGO) for r in tuesday)
    assert len(tuesday) < len(everything)
    night = await find_resources(ResourceFilters(open_now=True), now=SUNDAY_3AM_CHICAGO)
    assert night and all(r.always_open for r in night)
    assert {r.name for r in night} >= {"988 Suicide & Crisis Lifeline", "Cottonwood Family Shelter"}
    food_open = await find_resources(ResourceFilters(words="food", open_now=True), now=TUESDAY_11AM_CHICAGO)
    assert food_open and all(r.open_now(TUESDAY_11AM_CHICAGO) for r in food_open)


async def test_open_now_in_the_url_and_on_cards(client: AsyncTestClient) -> None:
    html = (await client.get("/resources?open=now")).text
    assert 'name="open" value="now" checked' in html
    assert "Closed now" not in html
    assert "Open 24/7" in html
    everything = (await client.get("/resources")).text
    assert 'name="open" value="now" checked' not in everything


# ---- nearest ------------------------------------------------------------------------------------


async def test_nearest_to_a_zip_code(client: AsyncTestClient) -> None:
    found = local(await find_resources(ResourceFilters(near="66105")))
    distances = [r.distance_miles for r in found if r.distance_miles is not None]
    assert len(distances) >= 20
    assert distances == sorted(distances)
    # Those with no place (a phone line, a van) come after every one with a distance.
    placed = [r.distance_miles is not None for r in found]
    assert placed == sorted(placed, reverse=True)
    assert distances[0] < 1.5
    assert found[0].address_lines and "66105" in found[0].address_lines[1]


async def test_nearest_to_a_school_with_words(client: AsyncTestClient) -> None:
    found = local(await search("food", near="riverside-es"))
    assert found[0].name == "Riverside Elementary Backpack Food Pantry"  # at the school itself
    assert found[0].distance_miles == pytest.approx(0, abs=0.01)
    distances = [r.distance_miles for r in found if r.distance_miles is not None]
    assert distances == sorted(distances)


async def test_distance_on_cards_and_unknown_places(client: AsyncTestClient) -> None:
    html = (await client.get("/resources?near=66102")).text
    assert 'data-testid="distance"' in html and " miles" in html
    assert '<option value="66102" selected>' in html
    html = (await client.get("/resources?near=lincoln-hs&need=food")).text
    assert "0.0 miles" in html  # the pantry at Lincoln
    html = (await client.get("/resources?near=99999")).text
    assert 'data-testid="near-unknown"' in html
    assert 'data-testid="distance"' not in html


async def test_hsds_import_keeps_the_index_in_step(client: AsyncTestClient, tmp_path: Path) -> None:
    exported = await directory_records()
    for service in exported["service"]:
        if service["name"] == "Harvest Row Community Kitchen":
            service["name"] = "Harvest Row Supper Table"
    path = tmp_path / "directory.json"
    write_json_package(exported, path)
    try:
        report = await import_path(path, mode=ImportMode.REPLACE)
        assert report.errors == [] and report.written
        assert [r.name for r in await search("supper table")] == ["Harvest Row Supper Table"]
        assert local(await search("fod"))  # every imported service is indexed again
        assert await SearchDocument.count() >= len(await load_resources())
    finally:
        async with write_transaction(Service._meta.db):
            await clear_directory()
            await _seed_resources({school.slug: school for school in await School.objects()})
