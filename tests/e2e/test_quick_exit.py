"""Quick exit leaves for a neutral site and leaves no way Back to the form."""

from __future__ import annotations

import re

from playwright.sync_api import Route, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import student

NEUTRAL = "https://www.weather.gov/"


def neutral_site(route: Route) -> None:
    route.fulfill(body="<title>Weather</title>neutral", content_type="text/html")


def test_quick_exit_replaces_the_report_page_in_history(open_context: OpenContext) -> None:
    # The neutral site is the one other host this story may reach; it is answered locally.
    page = open_context(allowed_hosts=("www.weather.gov",)).new_page()
    page.route("https://www.weather.gov/**", neutral_site)

    student.opens_report_form(page)
    page.locator("#description").fill("My stepdad hits me when he drinks")
    quick_exit = page.get_by_test_id("quick-exit")
    expect(quick_exit).to_have_attribute("href", NEUTRAL)
    quick_exit.click()

    expect(page).to_have_url(NEUTRAL)
    expect(page).to_have_title("Weather")

    page.go_back()
    page.wait_for_load_state()
    assert not re.search(r"/report(\?|#|$)", page.url), f"Back returned to the report form: {page.url}"
    expect(page.locator("#description")).to_have_count(0)
    assert "hits me" not in page.content()


def test_three_escapes_also_leave(open_context: OpenContext) -> None:
    page = open_context(allowed_hosts=("www.weather.gov",)).new_page()
    page.route("https://www.weather.gov/**", neutral_site)
    student.opens_report_form(page)
    page.locator("#description").fill("someone at school")

    for _ in range(3):
        page.keyboard.press("Escape")

    expect(page).to_have_url(NEUTRAL)
    page.go_back()
    page.wait_for_load_state()
    assert not re.search(r"/report(\?|#|$)", page.url), f"Back returned to the report form: {page.url}"
