"""Every family's language: the language in the URL, negotiation, the picker, right-to-left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from litestar.testing import AsyncTestClient
from markupsafe import escape

from web.i18n import AVAILABLE_LOCALES
from web.resources.services import load_resources

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.anyio

PUBLIC_PAGES = ["/", "/resources", "/resources?need=food", "/counselor", "/report", "/community", "/check"]


@pytest.mark.parametrize("locale", AVAILABLE_LOCALES)
async def test_every_public_page_renders_in_every_language(client: AsyncTestClient, locale: str) -> None:
    direction = "rtl" if locale == "ar" else "ltr"
    for path in PUBLIC_PAGES:
        response = await client.get(f"/{locale}{path}")
        assert response.status_code == 200, (locale, path)
        assert f'<html lang="{locale}" dir="{direction}"' in response.text, (locale, path)
        # Links keep the language; static files and the stylesheet do not need it.
        links = re.findall(r'(?:href|action|hx-get|hx-post)="(/[^"]*)"', response.text)
        inner = [link for link in links if not link.startswith(("/static/", "/brand.css"))]
        language_links = [link for link in inner if re.match(r"^/[a-z]{2}(/|$)", link)]
        assert inner and len(language_links) == len(inner), (locale, path, set(inner) - set(language_links))


async def test_first_visit_follows_the_browser_language(client: AsyncTestClient) -> None:
    response = await client.get(
        "/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}, follow_redirects=False
    )
    assert response.status_code == 302 and response.headers["location"] == "/es/"
    assert "accept-language" in response.headers["vary"].lower()
    english = await client.get("/", headers={"Accept-Language": "en-US"}, follow_redirects=False)
    assert english.status_code == 200
    chosen = await client.get("/en/", headers={"Accept-Language": "es"}, follow_redirects=False)
    assert chosen.status_code == 200 and '<html lang="en"' in chosen.text


async def test_picker_names_each_language_in_its_own_script_and_keeps_the_page(
    client: AsyncTestClient,
) -> None:
    html = (await client.get("/es/resources")).text
    for code, name in (("ar", "العربية"), ("my", "မြန်မာ"), ("ne", "नेपाली"), ("es", "español")):
        assert f'<a href="/{code}/resources" lang="{code}" hreflang="{code}"' in html
        assert name in html


async def test_forms_post_back_under_the_same_language(client: AsyncTestClient) -> None:
    html = (await client.get("/ar/report")).text
    assert 'action="/ar/report"' in html and 'hx-post="/ar/report"' in html
    assert 'action="/ar/check"' in (await client.get("/ar/check")).text


async def test_a_report_remembers_the_language_it_was_written_in(client: AsyncTestClient) -> None:
    from tests.integration.conftest import report_fields
    from web.cases.tables import Report

    response = await client.post("/so/report", data=report_fields())
    assert response.status_code == 200
    report = await Report.objects().first()
    assert report is not None and report.locale == "so"


@pytest.mark.parametrize("locale", [loc for loc in AVAILABLE_LOCALES if loc != "en"])
async def test_the_national_24_7_lines_are_described_in_every_language(
    client: AsyncTestClient, locale: str
) -> None:
    lines = [r for r in await load_resources() if r.pinned_rank is not None]
    assert len(lines) == 8
    for line in lines:
        page = (await client.get(f"/{locale}/resources/{line.id}")).text
        assert 'data-testid="in-english"' not in page, (locale, line.name)
        assert str(escape(line.description)) not in page
    # The counselor page lists them by their names in this language.
    assert 'lang="en"' not in _list_of_lines((await client.get(f"/{locale}/counselor")).text)


def _list_of_lines(html: str) -> str:
    match = re.search(r'<ul class="line-list">(.*?)</ul>', html, re.S)
    assert match
    return match.group(1)


async def test_directory_entries_in_the_readers_language_or_marked_english(client: AsyncTestClient) -> None:
    spanish = (await client.get("/es/resources")).text
    assert "988 Línea de Prevención del Suicidio y Crisis" in spanish
    assert 'data-testid="in-english"' in spanish  # the local samples have no Spanish text yet
    arabic = (await client.get("/ar/resources")).text
    assert "988 خط المساعدة في حالات الانتحار والأزمات" in arabic
    assert re.search(r'<a href="/ar/resources/[^"]+" lang="en" dir="auto">', arabic)
    english = (await client.get("/resources")).text
    assert 'data-testid="in-english"' not in english


def _public_catalog(locale: str) -> list[tuple[str, str]]:
    """(English, translation) for every public string of a locale."""
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "scripts"))
    from check_strings import is_staff_only

    with (root / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    pairs = []
    for message in catalog:
        if message.id and not is_staff_only(message) and isinstance(message.id, str):
            pairs.append((message.id, str(message.string)))
    return pairs


@pytest.mark.parametrize("locale", [code for code in AVAILABLE_LOCALES if code != "en"])
async def test_catalogs_are_complete_and_no_english_is_left_on_student_pages(
    client: AsyncTestClient, locale: str
) -> None:
    pairs = _public_catalog(locale)
    assert pairs and all(translation for _english, translation in pairs), "run `make check-strings`"
    # Sentences long enough to be unmistakable, whose translation differs from the English.
    english_only = [english for english, translation in pairs if len(english) > 24 and english != translation]
    for path in PUBLIC_PAGES:
        html = (await client.get(f"/{locale}{path}")).text
        text = re.sub(r"<[^>]+>", " ", html)
        left = [english for english in english_only if "%(" not in english and english in text]
        assert not left, (locale, path, left[:3])


def test_the_staff_console_is_complete_in_spanish() -> None:
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "scripts"))
    from check_strings import completeness

    _public_done, _public_total, staff_done, staff_total, _missing = completeness(
        root / "locales" / "es" / "LC_MESSAGES" / "messages.po"
    )
    assert staff_total > 100 and staff_done == staff_total


async def test_staff_rule_messages_are_translated(client: AsyncTestClient) -> None:
    from tests.integration.staff_support import DISTRICT, sign_in

    token = await sign_in(client, DISTRICT)
    form = {"_csrf_token": token, "name": "", "short_name": "", "brand_color": "#ffffff", "emergency_number": "911",
            "crisis_text_number": "741741", "crisis_text_keyword": "HOME", "lifeline_number": "988",
            "timezone": "America/Chicago", "categories": ["food"]}  # fmt: skip
    page = await client.post("/staff/admin/district", data=form, headers={"Accept-Language": "es"})
    assert page.status_code == 422
    assert "Este color es demasiado claro" in page.text and "El distrito necesita un nombre" in page.text


BRITISH = re.compile(
    r"\b(neighbour|organisation|colour|centre|favourite|behaviour|licence|enrolment)s?\b", re.I
)


async def test_english_pages_use_us_spelling(client: AsyncTestClient) -> None:
    # A US product for US districts: "neighbor", "organization".
    for path in PUBLIC_PAGES:
        html = (await client.get(path)).text
        assert not BRITISH.findall(html), path


def test_every_english_string_uses_us_spelling() -> None:
    # The staff console too: the whole catalog's English, not only what public pages show.
    with (ROOT / "locales" / "messages.pot").open("rb") as handle:
        catalog = read_po(handle)
    british = [
        m.id for m in catalog if m.id and BRITISH.search(m.id if isinstance(m.id, str) else " ".join(m.id))
    ]
    assert not british, british
