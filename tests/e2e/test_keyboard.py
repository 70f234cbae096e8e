"""Keyboard only: a student reports, comes back with the code and writes back, and a staff member
takes the case, all without a mouse. Tab, Shift+Tab, arrows, Space, Enter and typing; locators only
look at where focus is. Every stop on the way shows where focus is.
"""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.navigators import keyboard, report_form, staff
from tests.e2e.support import LanternServer, post_report, receipt_code_in

DESCRIPTION = "Two older students push me into the lockers before first period."
REPLY = "It happened again today, near the gym doors."


@pytest.mark.parametrize("path", ["/", "/ar/report"])
def test_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.get_by_role("main")).to_be_visible()

    keyboard.tab(page)
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # it slides into view when focused
    keyboard.focus_is_visible(page)

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab goes on from the main content, not back to the header.
    keyboard.tab(page)
    in_main = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert in_main, f"after the skip link, Tab went to {keyboard.focused(page)}"


def test_student_reports_with_the_keyboard_alone(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_test_id("paths")).to_be_visible()

    # Home → "Get help from my school".
    keyboard.tabs_to(page, page.get_by_test_id("path-report"))
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/report$"))
    expect(report_form.form(page)).to_be_visible()

    # Tab walks the questions in the order they are read.
    first_radio = page.locator("#category-bullying")
    keyboard.tabs_to(page, first_radio)
    assert keyboard.tab_stops(page, 10) == [
        "danger-yes",
        "place",
        "event_name",
        "description",
        "when_text",
        "where_text",
        "photos",
        "reporter_role",
        "share_contact",
        "field-send",  # the Send button (the error summary links to it by this id)
    ]
    keyboard.tabs_to(page, first_radio, backwards=True)
    keyboard.focus_is_visible(page)

    # What is going on: arrows move through the choices and pick one.
    keyboard.arrows_to(page, page.locator("#category-fight"))
    keyboard.focus_is_visible(page)
    # Is someone in danger right now: Tab goes to the next group; no.
    keyboard.tab(page)
    expect(page.locator("#danger-yes")).to_be_focused()
    keyboard.arrows_to(page, page.locator("#danger-no"))
    expect(page.get_by_test_id("call-911")).to_be_hidden()
    # Which school: typing picks the option that starts with it.
    keyboard.tab(page)
    expect(page.locator("#place")).to_be_focused()
    keyboard.focus_is_visible(page)
    page.keyboard.type("Lincoln")
    expect(page.locator("#place")).to_have_value("lincoln-hs")
    # What happened, when and where.
    keyboard.tabs_to(page, page.locator("#description"))
    keyboard.focus_is_visible(page)
    page.keyboard.type(DESCRIPTION)
    keyboard.tab(page)
    page.keyboard.type("every morning")
    keyboard.tab(page)
    page.keyboard.type("the locker room")
    # Send.
    send = page.get_by_test_id("send-report")
    keyboard.tabs_to(page, send)
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")

    code = report_form.receipt_code(page)
    # Focus is on the receipt's heading, not left on a button that is gone.
    expect(page.get_by_role("heading", level=1)).to_be_focused()

    # "I have saved my code", then Done.
    saved = page.locator("#saved")
    keyboard.tabs_to(page, saved)
    keyboard.focus_is_visible(page)
    page.keyboard.press("Space")
    expect(saved).to_be_checked()
    keyboard.tab(page)
    done = page.get_by_test_id("saved-done")
    expect(done).to_be_focused()
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/\?saved=1$"))
    expect(page.get_by_test_id("paths")).to_be_visible()
    assert re.fullmatch(r"\d{16}", code)


def test_reporter_checks_the_code_and_writes_back_with_the_keyboard_alone(
    page: Page, server: LanternServer
) -> None:
    response = post_report(server, secrets.token_urlsafe(24), description=DESCRIPTION)
    assert response.status_code == 200, response.text[:2000]
    code = receipt_code_in(response.text)

    page.goto("/")
    nav = page.get_by_role("navigation", name="Ways to get help")
    keyboard.tabs_to(page, nav.get_by_role("link", name="I have a code"))
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/check$"))

    code_box = page.locator("#code")
    keyboard.tabs_to(page, code_box)
    keyboard.focus_is_visible(page)
    page.keyboard.type(report_form.with_dashes(code))
    keyboard.tab(page)
    expect(page.get_by_test_id("open-case")).to_be_focused()
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("case-status")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Your report")).to_be_focused()

    keyboard.tabs_to(page, page.locator("#body"))
    keyboard.focus_is_visible(page)
    page.keyboard.type(REPLY)
    send = page.get_by_test_id("send-reply")
    keyboard.tabs_to(page, send)
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("reply-sent")).to_be_visible()
    expect(page.get_by_test_id("message-reporter").filter(has_text=REPLY)).to_have_count(1)


def test_staff_signs_in_and_acknowledges_a_case_with_the_keyboard_alone(
    page: Page, server: LanternServer
) -> None:
    response = post_report(
        server,
        secrets.token_urlsafe(24),
        category="harassment",
        description=f"Someone keeps writing on my locker ({secrets.token_hex(4)}).",
    )
    assert response.status_code == 200, response.text[:2000]
    case_id = staff.case_id_for(server, receipt_code_in(response.text))

    page.goto("/staff/sign-in")
    expect(page.get_by_test_id("sign-in-form")).to_be_visible()
    keyboard.tabs_to(page, page.locator("#email"))
    keyboard.focus_is_visible(page)
    page.keyboard.type(staff.DISTRICT_ADMIN)
    keyboard.tab(page)
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(staff.DEMO_PASSWORD)
    keyboard.tab(page)
    expect(page.get_by_test_id("sign-in")).to_be_focused()
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    expect(page.locator("body#staff-queue")).to_be_attached()

    # Down the queue to the case (one stop per case: the session's other stories left theirs).
    row_link = staff.queue_row(page, case_id).get_by_role("link")
    keyboard.tabs_to(page, row_link, max_stops=250)
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case_id}$"))
    expect(page.locator("body#staff-case")).to_be_attached()

    acknowledge = page.get_by_test_id("acknowledge")
    keyboard.tabs_to(page, acknowledge)
    keyboard.focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(staff.case_status(page)).to_have_text("Acknowledged")
    expect(acknowledge).to_have_count(0)
