"""Path 1, "Help myself": a student finds a food pantry and can call it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_third_party_requests
from tests.e2e.navigators import student


def test_student_finds_a_food_pantry_and_its_phone_link(page: Page) -> None:
    student.opens_home(page)
    expect(page.get_by_test_id("danger-banner").locator('a[href^="tel:"]')).to_have_attribute("href", "tel:911")

    pantry = student.finds_resource(page, need="food", name_contains="Pantry")

    expect(pantry.get_by_role("heading", level=1)).to_contain_text("Pantry")
    call = pantry.get_by_test_id("tel-link").first
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", re.compile(r"^tel:\+1\d{10}$"))
    expect(pantry.get_by_text(re.compile(r"^(Open now|Closed now|Open 24/7)$"))).to_have_count(1)
    # Every page on the way, and every picture and script on them, came from this server.
    assert_no_third_party_requests(page)
