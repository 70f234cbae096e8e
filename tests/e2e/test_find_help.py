"""Path 1, "Help myself": a student finds a food pantry and can call it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_third_party_requests
from tests.e2e.navigators import student


def test_student_finds_a_food_pantry_and_its_phone_link(page: Page) -> None:
    student.opens_home(page)
    expect(page.get_by_test_id("danger-banner").locator('a[href^="tel:"]')).to_have_attribute(
        "href", "tel:911"
    )

    pantry = student.finds_resource(page, need="food", name_contains="Pantry")

    expect(pantry.get_by_role("heading", level=1)).to_contain_text("Pantry")
    call = pantry.get_by_test_id("tel-link").first
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", re.compile(r"^tel:\+1\d{10}$"))
    expect(pantry.get_by_text(re.compile(r"^(Open now|Closed now|Open 24/7)$"))).to_have_count(1)
    # Every page on the way, and every picture and script on them, came from this server.
    assert_no_third_party_requests(page)


def test_student_searches_by_words_and_narrows_by_need(page: Page) -> None:
    page.goto("/resources")
    page.locator("#q").fill("pantry")  # results follow the typing, no button needed
    results = page.locator("#resource-results")
    cards = results.get_by_test_id("resource-card")
    expect(cards.first).to_be_visible()
    expect(cards.filter(has_not_text="Pantry")).to_have_count(0)
    # The words searched stay out of the address (and so out of the browser's history list).
    expect(page).to_have_url(re.compile(r"/resources$"))
    found = cards.count()
    expect(page.get_by_test_id("results-count")).to_have_text(re.compile(rf"^\s*{found} places? found"))

    page.locator("#need").select_option("food")
    expect(page).to_have_url(re.compile(r"/resources\?need=food$"))
    expect(cards.first).to_be_visible()
    expect(cards.filter(has_not_text="Pantry")).to_have_count(0)

    page.locator("#q").fill("zzqx nothing like this")
    expect(page.get_by_test_id("no-results")).to_be_visible()
    expect(page.get_by_test_id("no-results")).to_contain_text("988")
    expect(cards).to_have_count(0)
    assert_no_third_party_requests(page)


def test_live_search_keeps_a_single_results_region(page: Page) -> None:
    page.goto("/resources")
    expect(page.locator("[id=resource-results]")).to_have_count(1)
    everything = page.get_by_test_id("results-count").inner_text()
    page.locator("#q").fill("pantry")
    expect(page.get_by_test_id("results-count")).not_to_have_text(everything)  # the new results are in
    expect(page.locator("[id=resource-results]")).to_have_count(1, timeout=2000)
    expect(page.locator("[aria-live]")).to_have_count(1, timeout=2000)


def test_new_results_land_in_the_live_region_a_screen_reader_is_watching(page: Page) -> None:
    page.goto("/resources")
    region = page.locator("#resource-results")
    expect(region).to_have_attribute("aria-live", "polite")
    region.evaluate("element => { element.dataset.watched = 'yes'; }")
    everything = page.get_by_test_id("results-count").inner_text()
    page.locator("#q").fill("pantry")
    expect(page.get_by_test_id("results-count")).not_to_have_text(everything)  # the new results are in
    # The same element, still live, now holds the new results.
    expect(region).to_have_attribute("data-watched", "yes", timeout=2000)
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region.get_by_test_id("results-count")).to_contain_text("found")


def test_body_names_the_page_after_boosted_navigation(page: Page) -> None:
    student.opens_home(page)
    student.finds_resource(page, need="food", name_contains="Pantry")
    expect(page.locator("body")).to_have_attribute("id", "resource", timeout=2000)
