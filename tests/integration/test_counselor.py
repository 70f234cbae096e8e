"""The counselor page on any device and in any language: a way that works comes first, and every way,
number and word is written out."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from web.resources.services import load_resources

pytestmark = pytest.mark.anyio

CHAT = "https://988lifeline.org/chat/"
LANGUAGES_WITH_INTERPRETERS = {
    "ar": "Arabic",
    "my": "Burmese",
    "sw": "Swahili",
    "ne": "Nepali",
    "so": "Somali",
    "vi": "Vietnamese",
    "fr": "French",
    "rw": "Kinyarwanda",
}


def _list(html: str, testid: str) -> str:
    match = re.search(rf'<ul [^>]*data-testid="{testid}">(.*?)</ul>', html, re.S)
    assert match, f"no {testid} list"
    return match.group(1)


def _main_button(items: str) -> str:
    first = re.search(r'<li class="reach-options__main">(.*?)</li>', items, re.S)
    assert first
    button = re.search(r'<a class="button button--big button--primary" href="([^"]+)"', first.group(1))
    assert button
    return button.group(1)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


async def test_chat_leads_unless_the_screen_is_a_phone_and_every_way_is_written_out(
    client: AsyncTestClient,
) -> None:
    html = (await client.get("/counselor")).text
    chat_first, text_first = _list(html, "reach-chat-first"), _list(html, "reach-text-first")
    # Chat works in any browser, so it leads where nothing is known (no CSS, wide or mouse screens).
    assert html.index('data-testid="reach-chat-first"') < html.index('data-testid="reach-text-first"')
    assert _main_button(chat_first) == CHAT
    assert _main_button(text_first) == "sms:741741?body=HOME"
    for items in (chat_first, text_first):
        words = _text(items)
        assert "Text the word HOME to the number 741741." in words
        assert "Call or text 988" in words
        assert f'href="{CHAT}"' in items and 'href="tel:988"' in items and 'href="sms:988"' in items
    css = (await client.get("/static/css/lantern.css")).text
    assert ".reach-options--text-first { display: none; }" in css
    assert "@media (pointer: coarse) and (max-width: 40rem)" in css


async def test_in_spanish_the_main_text_button_sends_the_spanish_word(client: AsyncTestClient) -> None:
    html = (await client.get("/es/counselor")).text
    assert _main_button(_list(html, "reach-text-first")) == "sms:741741?body=AYUDA"
    assert _main_button(_list(html, "reach-chat-first")) == CHAT
    assert "AYUDA" in _text(_list(html, "reach-chat-first"))
    # 442-AYUDAME, dialled: WhatsApp works over wifi, with no phone plan.
    assert 'href="https://wa.me/14422983263"' in html and "(442-298-3263)" in html
    assert 'data-testid="interpreter"' not in html


@pytest.mark.parametrize("locale", LANGUAGES_WITH_INTERPRETERS)
async def test_other_languages_are_told_how_to_ask_988_for_an_interpreter(
    client: AsyncTestClient, locale: str
) -> None:
    html = (await client.get(f"/{locale}/counselor")).text
    said = re.findall(r'data-testid="interpreter">(.*?)</p>', html, re.S)
    assert len(said) == 2  # in both orders
    assert f'<bdi dir="ltr" lang="en">{LANGUAGES_WITH_INTERPRETERS[locale]}</bdi>' in said[0]
    assert '<bdi dir="ltr">988</bdi>' in said[0]


async def test_english_pages_do_not_offer_an_interpreter(client: AsyncTestClient) -> None:
    assert 'data-testid="interpreter"' not in (await client.get("/counselor")).text


async def test_in_arabic_numbers_codes_and_english_text_are_isolated(client: AsyncTestClient) -> None:
    shelter = next(r for r in await load_resources() if r.name == "Willowbank Youth Shelter")
    page = (await client.get(f"/ar/resources/{shelter.id}")).text
    assert 'dir="ltr">913-555-0114</a>' in page
    assert '<bdi dir="ltr">913-555-0115</bdi>' in page
    assert '<span lang="en" dir="auto">Call 24/7</span>' in page
    assert '<p class="lead" lang="en" dir="auto">A safe place to stay for kids' in page
    counselor = (await client.get("/ar/counselor")).text
    assert '<a href="tel:911" class="danger-banner__call" dir="ltr">911</a>' in counselor
    receipt = (await client.post("/ar/report", data=report_fields())).text
    assert re.search(r'data-code="\d{16}"><span dir="ltr">\d{4} \d{4} \d{4} \d{4}</span>', receipt)
    check = (await client.get("/ar/check")).text
    assert re.search(r'<input id="code" name="code" type="text" dir="ltr"', check)


async def test_offline_texts_and_calls_lead_everywhere_and_chat_says_it_needs_the_internet(
    client: AsyncTestClient,
) -> None:
    html = (await client.get("/offline")).text
    assert 'data-testid="reach-chat-first"' not in html
    only = _list(html, "reach-text-first")
    assert 'class="reach-options" data-testid="reach-text-first"' in html  # shown on every screen
    assert _main_button(only) == "sms:741741?body=HOME"
    assert "Chat needs the internet" in only
