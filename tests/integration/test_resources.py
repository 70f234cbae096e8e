"""The directory: national lines pinned first, needs, schools and words as URL filters."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient
from markupsafe import escape

from web.resources.services import ResourceFilters, find_resources, load_resources

pytestmark = pytest.mark.anyio

NATIONAL_LINES = [
    "988 Suicide & Crisis Lifeline",
    "Crisis Text Line",
    "Childhelp National Child Abuse Hotline",
    "National Domestic Violence Hotline",
    "RAINN National Sexual Assault Hotline",
    "The Trevor Project",
    "National Runaway Safeline",
    "SAMHSA National Helpline",
]


async def test_demo_directory_is_big_enough_and_covers_every_need(client: AsyncTestClient) -> None:
    from web.resources.taxonomy import NEEDS

    resources = await load_resources()
    assert len(resources) >= 40
    for need in NEEDS:
        assert any(need.code in r.needs for r in resources), need.code
    local = [r for r in resources if r.pinned_rank is None]
    assert local and all(r.is_sample for r in local), "every invented local entry is marked as a sample"
    for resource in local:
        for phone in resource.phones:
            assert re.fullmatch(r"913-555-01\d\d", phone.number), phone.number


async def test_national_lines_pinned_first_in_order(client: AsyncTestClient) -> None:
    html = (await client.get("/resources")).text
    positions = [html.index(str(escape(name))) for name in NATIONAL_LINES]
    assert positions == sorted(positions)
    first_local = html.index('id="local-title"')
    assert positions[-1] < first_local


async def test_checked_numbers_and_keywords(client: AsyncTestClient) -> None:
    by_name = {r.name: r for r in await load_resources()}
    assert {(p.number, p.keyword) for p in by_name["Crisis Text Line"].text_phones} >= {
        ("741741", "HOME"),
        ("741741", "AYUDA"),
    }
    assert by_name["988 Suicide & Crisis Lifeline"].voice_phones[0].tel_href == "tel:988"
    assert by_name["Childhelp National Child Abuse Hotline"].voice_phones[0].tel_href == "tel:+18004224453"
    assert ("88788", "START") in {
        (p.number, p.keyword) for p in by_name["National Domestic Violence Hotline"].text_phones
    }
    assert ("678678", "START") in {(p.number, p.keyword) for p in by_name["The Trevor Project"].text_phones}
    assert by_name["The Trevor Project"].voice_phones[0].number == "1-866-488-7386"
    assert by_name["RAINN National Sexual Assault Hotline"].voice_phones[0].number == "1-800-656-4673"
    assert by_name["SAMHSA National Helpline"].voice_phones[0].number == "1-800-662-4357"
    assert by_name["National Runaway Safeline"].voice_phones[0].number == "1-800-786-2929"


async def test_sms_link_and_plain_text_on_resource_page(client: AsyncTestClient) -> None:
    line = next(r for r in await load_resources() if r.name == "Crisis Text Line")
    html = (await client.get(f"/resources/{line.id}")).text
    assert 'href="sms:741741?body=HOME"' in html
    # The number and the word are isolated, so a right-to-left sentence cannot reorder them.
    assert 'Number: <bdi dir="ltr">741741</bdi> · Word to send: <bdi dir="ltr">HOME</bdi>' in html


async def test_filter_by_need(client: AsyncTestClient) -> None:
    found = await find_resources(ResourceFilters(need="food"))
    assert found and all("food" in r.needs for r in found)
    html = (await client.get("/resources?need=food")).text
    assert all(str(escape(r.name)) in html for r in found)
    grief_only = [r for r in await load_resources() if r.needs == ["grief"]]
    assert all(str(escape(r.name)) not in html for r in grief_only)


async def test_filter_by_school_keeps_district_wide_and_drops_other_schools(client: AsyncTestClient) -> None:
    found = await find_resources(ResourceFilters(school="lincoln-hs"))
    slugs = {r.school_slug for r in found}
    assert slugs == {None, "lincoln-hs"}
    assert any("Counsel" in r.name and r.school_slug == "lincoln-hs" for r in found)


async def test_search_by_words(client: AsyncTestClient) -> None:
    found = await find_resources(ResourceFilters(words="pantry"))
    assert found and all("pantry" in r.searchable_text() for r in found)
    html = (await client.get("/resources?q=zzzznothing")).text
    assert 'data-testid="no-results"' in html
    assert "0 places found" in html
