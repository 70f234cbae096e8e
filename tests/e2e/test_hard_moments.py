"""When it matters most. At 2 am on a Saturday a student writes that they want to kill themselves: the
receipt opens with what to do now (911, a counselor by text, call or chat), then the code, then who was
alerted; on a phone and a Chromebook, in English and Arabic. A neighbour's report about a weapon at a
game reaches the queue of each school playing in it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import neighbour, report_form, staff
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import PHONE, LanternServer, free_port

# Screenshots of each story, to look at after a run.
SHOTS = Path(tempfile.gettempdir())
CHROMEBOOK = {"width": 1366, "height": 768}
CRISIS = "I can't stop thinking about killing myself. I have pills."
# Saturday 5 December 2026, 08:00 UTC: 2 am in Kansas City, where the demo schools are.
SATURDAY_2AM = "2026-12-05 08:00:00+00:00"
LINCOLN_RESPONDER = "counselor.lincoln@demo.lantern.example"
NORTHGATE_PRINCIPAL = "principal.northgate@demo.lantern.example"


@pytest.fixture(scope="module")
def night_server() -> Iterator[LanternServer]:
    # Email alerts are set up (to a port where nothing listens: nothing leaves the machine), so the
    # call tree can reach someone tonight and the receipt may say so.
    server = LanternServer.at(SATURDAY_2AM, LANTERN_SMTP_HOST="127.0.0.1", LANTERN_SMTP_PORT=str(free_port()))
    server.start()
    yield server
    server.stop()
    server.remove_data()


def answer_step_by_step(page: Page, report: Report) -> None:
    """A phone shows one question at a time; Next is the last button of the step bar."""
    next_button = page.locator(".step-nav > button").last
    page.locator(f"#category-{report.category}").check()
    next_button.click()
    page.locator(f"#danger-{report.danger_now}").check()
    expect(page.get_by_test_id("unsure-guidance")).to_be_visible()
    next_button.click()
    page.locator("#place").select_option(report.place)
    next_button.click()
    page.locator("#description").fill(report.description)
    next_button.click()
    next_button.click()  # photos are optional


@pytest.mark.parametrize("size", ["phone", "chromebook"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_at_2am_on_saturday_the_receipt_opens_with_what_to_do_now(
    open_context: OpenContext, night_server: LanternServer, size: str, language: str
) -> None:
    phone = size == "phone"
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {"viewport": CHROMEBOOK}
    page = open_context(
        base_url=night_server.url, locale="ar" if language == "ar" else "en-US", **options
    ).new_page()
    prefix = "/ar" if language == "ar" else ""
    page.goto(f"{prefix}/report")
    expect(page.locator("html")).to_have_attribute("lang", language)
    report = Report(category="self_harm", danger_now="unsure", place="lincoln-hs", description=CRISIS)
    if phone:
        answer_step_by_step(page, report)
    else:
        report_form.fill(page, report)
        expect(page.get_by_test_id("unsure-guidance")).to_be_visible()
    report_form.send(page)
    report_form.receipt_code(page)

    receipt = page.get_by_test_id("receipt-page")
    do_now = receipt.get_by_test_id("do-now")
    expect(do_now).to_be_visible()
    expect(do_now.get_by_test_id("do-now-call")).to_have_attribute("href", "tel:911")
    # Both orders are in the page and CSS shows one: texting first on a phone, the 988 chat first on a
    # Chromebook, which cannot send a text; every way is there in both.
    expect(do_now.locator('[data-testid="text-crisis-line"]:visible')).to_have_attribute(
        "href", "sms:741741?body=HOME"
    )
    expect(do_now.locator('a[href="https://988lifeline.org/chat/"]:visible')).to_be_visible()
    main_action = do_now.locator(".reach-options__main:visible a").first
    if phone:
        expect(main_action).to_have_attribute("href", "sms:741741?body=HOME")
    else:
        expect(main_action).to_have_attribute("href", "https://988lifeline.org/chat/")
    # Guidance first, then the code, then who was alerted: in the page and on the screen.
    order = page.evaluate(
        """() => ["do-now", "receipt-code", "alerted-now"].map(
            id => document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect().top)"""
    )
    assert order == sorted(order), order
    call = do_now.get_by_test_id("do-now-call").bounding_box()
    assert call is not None and call["y"] + call["height"] <= page.viewport_size["height"], (
        "the 911 button is below the fold"
    )
    expect(receipt.get_by_test_id("alerted-now")).to_be_visible()
    expect(receipt.get_by_test_id("next-reading")).to_have_count(0)
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(do_now.get_by_role("heading")).to_have_text("افعل هذا الآن")
    else:
        expect(do_now.get_by_role("heading")).to_have_text("Do this now")
        expect(receipt).to_contain_text("Alerts go out at any hour")
        expect(receipt).not_to_contain_text("closed now")
    page.screenshot(path=SHOTS / f"moments-2am-{language}-{size}.png", full_page=False)


def test_a_neighbours_event_report_reaches_the_host_schools_queues(
    open_context: OpenContext, server: LanternServer
) -> None:
    # Each host school has its queue open before the report comes: it appears there without a reload.
    queues = {}
    for email in (LINCOLN_RESPONDER, NORTHGATE_PRINCIPAL):
        queues[email] = open_context().new_page()
        staff.signs_in(queues[email], email)
        staff.opens_queue(queues[email])

    page = open_context().new_page()
    neighbour.opens_community_form(page)
    report_form.fill(
        page,
        Report(
            category="weapon", danger_now="no", place="event", event_name="Football game, Northgate vs Lincoln",
            description="Gang members said they will bring a gun to the game on Friday.", reporter_role="community",
        ),
    )  # fmt: skip
    page.locator("#event-school-northgate-ms").check()
    page.locator("#event-school-lincoln-hs").check()
    page.locator("#event_date").fill("2026-12-11")
    report_form.send(page)
    code = report_form.receipt_code(page)
    receipt = page.get_by_test_id("receipt-page")
    expect(receipt.get_by_test_id("text-crisis-line")).to_have_count(0)  # not offered to a neighbour
    page.screenshot(path=SHOTS / "moments-neighbour-receipt.png", full_page=True)
    case_id = staff.case_id_for(server, code)

    for email, school_page in queues.items():
        expect(staff.queue_row(school_page, case_id)).to_be_visible()
        staff.opens_case_from_queue(school_page, case_id)
        where = school_page.get_by_test_id("case-where")
        expect(where).to_contain_text("Football game, Northgate vs Lincoln")
        expect(where).to_contain_text("Hosted by Northgate Middle School, Lincoln Heights High School")
        expect(school_page.get_by_test_id("protocol-card")).to_be_visible()
        school_page.screenshot(path=SHOTS / f"moments-case-{email.split('@')[0]}.png", full_page=True)
