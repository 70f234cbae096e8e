"""A student opens the counselor page on whatever device they have: the big button is one that works
there, and the number and the word to text are written out whatever comes first."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.support import PHONE

CHAT = "https://988lifeline.org/chat/"
PHONE_DEVICE: dict[str, Any] = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
# An iPad without a phone plan: a touch screen, but it cannot text 741741.
IPAD: dict[str, Any] = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True}
CHROMEBOOK: dict[str, Any] = {"viewport": {"width": 1366, "height": 768}}

# Where the first and the last character of a text inside an element are drawn (x, in px).
EDGES = """(el, text) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  while (node && !node.textContent.includes(text)) node = walker.nextNode();
  const start = node.textContent.indexOf(text);
  const at = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                      return r.getBoundingClientRect().left; };
  return [at(start), at(start + text.length - 1)];
}"""


def main_action(page: Page) -> str:
    buttons = page.locator(".reach-options__main .button--primary").filter(visible=True)
    expect(buttons).to_have_count(1)
    return str(buttons.get_attribute("href"))


@pytest.mark.parametrize(
    ("device", "leads_with"),
    [(PHONE_DEVICE, "sms:741741?body=HOME"), (IPAD, CHAT), (CHROMEBOOK, CHAT)],
    ids=["phone", "ipad", "chromebook"],
)
@pytest.mark.parametrize("language", ["", "/ar"], ids=["en", "ar"])
def test_the_main_way_to_a_counselor_works_on_the_device_in_hand(
    open_context: OpenContext, device: dict[str, Any], leads_with: str, language: str
) -> None:
    page = open_context(**device).new_page()
    page.goto(f"{language}/counselor")
    assert main_action(page) == leads_with
    shown = page.locator(".reach-options").filter(visible=True)
    expect(shown).to_have_count(1)
    # Whatever leads, every way is there, with the number and the word as text to read out.
    expect(shown.locator(f'a[href="{CHAT}"]')).to_be_visible()
    expect(shown.locator('a[href="sms:741741?body=HOME"]')).to_be_visible()
    expect(shown.locator('a[href="tel:988"]')).to_be_visible()
    plain = shown.locator(".reach-options__plain").all_inner_texts()
    assert any("741741" in line and "HOME" in line for line in plain)
    if language:
        expect(shown.get_by_test_id("interpreter")).to_contain_text("Arabic")
        # Every number and English word in the Arabic sentences reads left to right.
        for isolated in shown.locator("bdi").all():
            assert isolated.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    name = "ar" if language else "en"
    page.screenshot(
        path=Path(tempfile.gettempdir())
        / f"counselor-codes-counselor-{name}-{device['viewport']['width']}.png"
    )


def test_in_spanish_the_phone_texts_the_spanish_word(open_context: OpenContext) -> None:
    page = open_context(**PHONE_DEVICE).new_page()
    page.goto("/es/counselor")
    assert main_action(page) == "sms:741741?body=AYUDA"


@pytest.mark.parametrize("device", [PHONE_DEVICE, CHROMEBOOK], ids=["phone", "chromebook"])
def test_in_arabic_phone_numbers_read_left_to_right(
    open_context: OpenContext, device: dict[str, Any]
) -> None:
    page = open_context(**device).new_page()
    page.goto("/ar/resources?q=Willowbank")
    card = page.get_by_test_id("resource-card").filter(has_text="Willowbank Youth Shelter")
    # On the card, inside an Arabic "Call ..." and on the entry's own page.
    first, last = card.locator("a.chip").first.evaluate(EDGES, "913-555-0114")
    assert first < last, "the number on the card is drawn right to left"
    card.get_by_role("link", name="Willowbank Youth Shelter").click()
    expect(page.locator("h1")).to_have_text("Willowbank Youth Shelter")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    number = page.get_by_test_id("tel-link").filter(has_text="913-555-0114")
    expect(number).to_be_visible()
    first, last = number.evaluate(EDGES, "913-555-0114")
    assert first < last, "the number is drawn right to left"
    # The English description keeps its full stop at its end (the right, for English).
    lead = page.locator("p.lead")
    assert lead.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    page.screenshot(
        path=Path(tempfile.gettempdir()) / f"counselor-codes-resource-ar-{device['viewport']['width']}.png",
        full_page=True,
    )
