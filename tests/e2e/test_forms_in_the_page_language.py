"""Forms speak the page's language, not the browser's: our own file control and our own messages,
and on a phone nothing the reader is sent to lands under the header."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import report_form
from tests.e2e.support import CHROMEBOOK, PHONE, png, snapshot


def covered_by_what_sticks(page: Page, target: Locator) -> bool:
    """Whether the top of `target` is under the sticky header (or the sticky 911 line)."""
    return bool(
        target.evaluate(
            """(el) => {
                const bottoms = [...document.querySelectorAll(".site-header, .danger-banner")]
                    .filter((s) => getComputedStyle(s).position === "sticky")
                    .map((s) => s.getBoundingClientRect().bottom);
                return el.getBoundingClientRect().top < Math.max(0, ...bottoms);
            }"""
        )
    )


def test_on_a_phone_in_spanish_the_steps_and_the_file_control_speak_spanish(
    open_context: OpenContext, tmp_path: Path
) -> None:
    # The browser itself speaks English: what the page says must not.
    page = open_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US").new_page()
    page.goto("/es/report")
    form = report_form.form(page)
    header = page.locator(".site-header").bounding_box()
    assert header and header["height"] <= 80, f"the phone header takes {header}"

    next_button = form.get_by_role("button", name="Siguiente", exact=True)
    next_button.click()  # nothing chosen yet: our message, in Spanish, at the question
    question = form.locator("#field-category")
    error = question.get_by_test_id("error-category")
    expect(error).to_have_text(question.get_attribute("data-required") or "")
    expect(error).to_have_text(re.compile(r"Por favor|Elige|elige"))
    first = page.locator("#category-bullying")
    expect(first).to_be_focused()
    expect(first).to_have_attribute("aria-invalid", "true")
    assert not covered_by_what_sticks(page, first)
    snapshot(page, "phone-es-own-message")
    first.check()
    expect(error).to_have_count(0)  # answered: the message goes

    next_button.click()
    page.locator("#danger-no").check()
    next_button.click()
    page.locator("#place").select_option("lincoln-hs")
    next_button.click()
    page.locator("#description").fill("Me empujan en el autobús.")
    next_button.click()

    # The photos question: a button in Spanish, at least 24 px tall, and the names chosen.
    picker = form.locator("[data-file-pick]")
    button = picker.locator("label[for=photos]")
    expect(button).to_have_text("Agregar fotos")
    box = button.bounding_box()
    assert box and box["height"] >= 24
    names = picker.get_by_test_id("photos-names")
    expect(names).to_have_text(names.get_attribute("data-none") or "")
    page.locator("#photos").set_input_files([str(png(tmp_path / "pasillo.png"))])
    expect(names).to_have_text(f"{names.get_attribute('data-chosen')} pasillo.png")
    assert page.locator("#photos").evaluate("(el) => getComputedStyle(el).opacity") == "0"
    snapshot(page, "phone-es-file-control")


@pytest.mark.parametrize(
    ("viewport", "prefix"), [(PHONE, ""), (CHROMEBOOK, "/ar")], ids=["phone-english", "chromebook-arabic"]
)
def test_error_summary_links_go_to_the_first_control_clear_of_the_header(
    open_context: OpenContext, viewport: dict[str, int], prefix: str
) -> None:
    page = open_context(viewport=viewport).new_page()
    page.goto(f"{prefix}/report")
    # No JavaScript check stands in the way on a wide form; on a phone the last step is reached first.
    page.locator("#description").evaluate("(el) => el.closest('form').requestSubmit()")
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links.first).to_have_attribute("href", re.compile(r"^#category-"))
    links.first.click()
    first = page.locator("#category-bullying")
    expect(first).to_be_focused()
    assert not covered_by_what_sticks(page, first)
    description = summary.locator('a[href="#description"]')
    description.click()
    expect(page.locator("#description")).to_be_focused()
    assert not covered_by_what_sticks(page, page.locator("#description"))
    snapshot(page, f"error-link-{viewport['width']}{prefix.replace('/', '-')}")


def test_spanish_need_tiles_wrap_whole_words(open_context: OpenContext) -> None:
    page = open_context(viewport=PHONE).new_page()
    page.goto("/es/resources")
    labels = page.locator(".need-tile span")
    expect(labels.first).to_be_visible()
    broken = labels.evaluate_all(
        """(spans) => spans.filter((span) => getComputedStyle(span).hyphens === "auto").map((s) => s.textContent)"""
    )
    assert not broken, f"these labels may break mid-word: {broken}"
    # And none does: no label takes more lines than it has words.
    split = labels.evaluate_all(
        """(spans) => spans.filter((span) => {
            const range = document.createRange();
            range.selectNodeContents(span);
            const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
            return lines > span.textContent.trim().split(/\\s+/).length;
        }).map((span) => span.textContent.trim())"""
    )
    assert not split, f"these labels break inside a word: {split}"
    snapshot(page, "phone-es-tiles")
