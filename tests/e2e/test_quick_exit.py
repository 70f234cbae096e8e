"""Quick exit leaves for a neutral site and leaves no way Back to the form, nor to anything read
before it; page titles (kept in the browser's history list) never name what someone looked for."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Response, Route, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import student
from tests.e2e.support import CHROMEBOOK, PHONE, LanternServer, snapshot

NEUTRAL = "https://www.weather.gov/"
# The page the person was on before opening Lantern (answered locally, like the neutral site).
BEFORE = "https://start.example/"


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


def page_before(route: Route) -> None:
    route.fulfill(body="<title>Start</title>start", content_type="text/html")


def heading_and_title(page: Page) -> tuple[str, str]:
    return page.locator("main h1").first.inner_text().strip(), page.title()


@pytest.mark.parametrize(
    ("viewport", "prefix"), [(PHONE, ""), (CHROMEBOOK, "/ar")], ids=["phone-english", "chromebook-arabic"]
)
def test_after_quick_exit_back_shows_nothing_that_was_read_and_titles_never_named_it(
    open_context: OpenContext, viewport: dict[str, int], prefix: str
) -> None:
    page = open_context(viewport=viewport, allowed_hosts=("www.weather.gov", "start.example")).new_page()
    page.route("https://www.weather.gov/**", neutral_site)
    page.route(f"{BEFORE}**", page_before)
    page.goto(BEFORE)
    page.goto(f"{prefix}/")
    expect(page.locator("body#home")).to_be_attached()
    entries_on_arrival = page.evaluate("history.length")

    # Several clicks inside Lantern: the directory, a need, one entry, the counselor page.
    seen = []
    page.locator(f'.site-nav a[href="{prefix}/resources"]').click()
    expect(page.locator("body#resources")).to_be_attached()
    page.locator(f'.need-tile[href="{prefix}/resources?need=lgbtq"]').click()
    expect(page).to_have_url(re.compile(r"need=lgbtq$"))
    seen.append(heading_and_title(page))
    page.get_by_test_id("resource-card").first.get_by_role("heading").get_by_role("link").click()
    expect(page.get_by_test_id("resource-details")).to_be_visible()
    seen.append(heading_and_title(page))
    # Inside Lantern there is still a way back to the list the person came from.
    expect(page.locator("a[data-back-to-list]")).to_have_attribute("href", f"{prefix}/resources?need=lgbtq")
    page.locator(f'.site-nav a[href="{prefix}/counselor"]').click()
    expect(page.locator("body#counselor")).to_be_attached()
    seen.append(heading_and_title(page))
    snapshot(page, f"quick-exit-counselor-{viewport['width']}{prefix.replace('/', '-')}")

    for heading, title in seen:
        assert heading and heading not in title, f"the title {title!r} names what was read: {heading!r}"
    # Every page opened inside Lantern took the place of the one before: one entry in all.
    assert page.evaluate("history.length") == entries_on_arrival

    page.get_by_test_id("quick-exit").click()
    expect(page).to_have_url(NEUTRAL)
    page.go_back()
    page.wait_for_load_state()
    expect(page).to_have_url(BEFORE)
    expect(page).to_have_title("Start")
    assert page.go_back() is None  # nothing further back than where the person started


def test_a_search_leaves_its_words_neither_in_the_address_nor_in_the_disk_cache(
    open_context: OpenContext, server: LanternServer
) -> None:
    context = open_context(viewport=CHROMEBOOK, allowed_hosts=("www.weather.gov",))
    pages_seen: list[Response] = []

    def keep_pages(response: Response) -> None:
        if response.url.startswith(server.url) and "text/html" in response.headers.get("content-type", ""):
            pages_seen.append(response)

    context.on("response", keep_pages)
    page = context.new_page()
    page.route("https://www.weather.gov/**", neutral_site)
    page.goto("/resources")
    results = page.locator("#resource-results")
    # Marks what is shown now, so the story knows when the search's results have taken its place.
    results.locator("> *").first.evaluate("(node) => { node.dataset.before = 'search'; }")
    page.locator("#q").fill("scared to go home")
    expect(results.locator("[data-before]")).to_have_count(0)
    expect(results.get_by_test_id("resource-card").first).to_be_visible()
    address = page.evaluate("location.href")
    assert "scared" not in address and "q=" not in address, address

    results.get_by_test_id("resource-card").first.get_by_role("heading").get_by_role("link").click()
    expect(page.get_by_test_id("resource-details")).to_be_visible()
    page.get_by_test_id("quick-exit").click()
    expect(page).to_have_url(NEUTRAL)

    searches = [response for response in pages_seen if "q=scared" in response.url]
    assert searches and any("/resources/" in response.url for response in pages_seen), [
        response.url for response in pages_seen
    ]
    kept = {response.url: response.headers.get("cache-control") for response in pages_seen}
    assert all(value == "no-store" for value in kept.values()), kept
