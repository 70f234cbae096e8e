"""The staff console: a life-safety report reaches an open queue live, staff answer, the reporter's
reply reaches the open case live, and a staff member of another school is refused (and audited).
Screen-reader users hear of each new report: life-safety ones at once, others politely.

The fixtures check after every story that no staff page asked another host for anything and that
no script failed (CSP violations included).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import reporter, staff, student
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import LanternServer, post_report, receipt_code_in

LIVE = 5_000  # ms: how long a live update may take to show on an open page

WEAPON_REPORT = Report(
    category="weapon",
    danger_now="yes",
    place="lincoln-hs",
    description="A boy in my class showed a knife in his backpack at lunch and said he will use it.",
    where_text="the cafeteria",
)
STAFF_MESSAGE = "Thank you. We are on it right now. Are you somewhere safe?"
REPORTER_REPLY = "Yes, I am in the library with a teacher."


@pytest.fixture
def own_server() -> Iterator[LanternServer]:
    """A server of this story's own: its queue starts empty, so the banner and the "(1)" in the tab
    title are this report's alone (the session server holds other stories' life-safety reports)."""
    lantern = LanternServer.fresh().start()
    yield lantern
    lantern.stop()
    lantern.remove_data()


def a_report_by_post(server: LanternServer, **fields: str) -> tuple[str, str]:
    """A report sent without a browser: (its code, its case id)."""
    response = post_report(server, secrets.token_urlsafe(24), **fields)
    assert response.status_code == 200, response.text[:2000]
    code = receipt_code_in(response.text)
    return code, staff.case_id_for(server, code)


def test_life_safety_report_reaches_the_open_queue_and_the_conversation_stays_live(
    own_server: LanternServer, open_context: OpenContext
) -> None:
    # Staff A, the district admin, keeps the queue open.
    admin = open_context(base_url=own_server.url).new_page()
    staff.signs_in(admin, staff.DISTRICT_ADMIN)
    staff.opens_queue(admin)
    expect(admin.get_by_test_id("queue-empty")).to_be_visible()
    expect(admin.get_by_test_id("urgent-banner")).to_be_hidden()
    expect(admin).not_to_have_title(re.compile(r"^\("))
    expect(admin.locator("[data-mute]")).to_be_visible()
    admin.evaluate("window.lanternNotReloaded = true")

    # A student, on their own device, reports a weapon.
    pupil = open_context(base_url=own_server.url).new_page()
    student.opens_report_form(pupil)
    code = student.submits_report(pupil, WEAPON_REPORT)
    case_id = staff.case_id_for(own_server, code)

    # It shows up in A's queue by itself, flagged.
    row = staff.queue_row(admin, case_id)
    expect(row).to_be_visible(timeout=LIVE)
    expect(row).to_contain_text("Life safety")
    expect(row).to_contain_text("Weapon")
    expect(row).to_contain_text("Lincoln")
    expect(admin.get_by_test_id("urgent-banner")).to_be_visible(timeout=LIVE)
    expect(admin.get_by_test_id("urgent-banner")).to_contain_text("1 life-safety report is waiting")
    expect(admin).to_have_title(re.compile(r"^\(1\) "), timeout=LIVE)
    assert admin.evaluate("window.lanternNotReloaded === true"), "the queue page was reloaded"

    # A takes it and writes to the reporter.
    staff.opens_case_from_queue(admin, case_id)
    expect(admin.get_by_test_id("report-description")).to_have_text(WEAPON_REPORT.description)
    expect(staff.case_status(admin)).to_have_text("New")
    staff.acknowledges(admin)
    expect(admin.get_by_test_id("timeline")).to_contain_text("Acknowledged")
    staff.messages_reporter(admin, STAFF_MESSAGE)
    admin.evaluate("window.lanternNotReloaded = true")

    # The student comes back with the code, reads it, and answers.
    reporter.checks(pupil, code)
    expect(pupil.get_by_test_id("case-status")).to_be_visible()
    expect(pupil.get_by_test_id("message-staff")).to_contain_text(STAFF_MESSAGE)
    reporter.writes_back(pupil, REPORTER_REPLY)

    # The answer appears on A's open case page by itself.
    answer = staff.conversation(admin).get_by_test_id("staff-message-reporter")
    expect(answer).to_have_count(1, timeout=LIVE)
    expect(answer).to_contain_text(REPORTER_REPLY)
    expect(admin.get_by_test_id("timeline")).to_contain_text("The reporter replied")
    expect(staff.case_status(admin)).to_have_text("Acknowledged")
    assert admin.evaluate("window.lanternNotReloaded === true"), "the case page was reloaded"

    # Acknowledged: the queue no longer calls for attention.
    admin.get_by_role("link", name="Back to the queue").click()
    expect(staff.queue_row(admin, case_id)).to_be_visible()
    expect(admin.get_by_test_id("urgent-banner")).to_be_hidden()
    expect(admin).not_to_have_title(re.compile(r"^\("))

    # The principal of another school follows the link: no such page, and the attempt is on record.
    principal = open_context(base_url=own_server.url).new_page()
    staff.signs_in(principal, staff.NORTHGATE_PRINCIPAL)
    response = principal.goto(f"/staff/cases/{case_id}")
    assert response is not None and response.status == 404
    expect(principal.locator("body#error")).to_be_attached()
    expect(principal.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    expect(principal.get_by_text(WEAPON_REPORT.description)).to_have_count(0)
    expect(principal.get_by_text(REPORTER_REPLY)).to_have_count(0)
    assert staff.refusals(own_server, code, staff.NORTHGATE_PRINCIPAL) == 1

    # Nor does the principal's queue list it.
    staff.opens_queue(principal)
    expect(staff.queue_row(principal, case_id)).to_have_count(0)


def test_staff_sign_in_brings_them_back_where_they_were_going(page: Page, server: LanternServer) -> None:
    _code, case_id = a_report_by_post(server, category="fight", place="lincoln-hs")

    # Not signed in: the queue is behind the sign-in page.
    page.goto("/staff")
    expect(page).to_have_url(re.compile(r"/staff/sign-in\?next=/staff$"))
    staff.is_on_sign_in(page, next_path="/staff")

    # A link to a case, opened before signing in.
    page.goto(f"/staff/cases/{case_id}")
    staff.is_on_sign_in(page, next_path=f"/staff/cases/{case_id}")
    expect(page.get_by_text("Older students corner")).to_have_count(0)

    # A wrong password: told so, the email still typed in, and still going to the case.
    with page.expect_response(re.compile(r"/staff/sign-in$")) as answered:
        staff.types_credentials(page, staff.LINCOLN_RESPONDER, "not-the-password")
    assert answered.value.status == 422
    error = page.get_by_test_id("sign-in-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("do not match")
    expect(page.locator("#email")).to_have_value(staff.LINCOLN_RESPONDER)
    expect(page.locator("#email")).to_have_attribute("aria-describedby", "sign-in-error")
    expect(page.locator("#password")).to_have_value("")
    staff.is_on_sign_in(page, next_path=f"/staff/cases/{case_id}")

    # The right one: straight to the case.
    page.locator("#password").fill(staff.DEMO_PASSWORD)
    with page.expect_response(re.compile(rf"/staff/cases/{case_id}$")) as landed:
        page.get_by_test_id("sign-in").click()
    assert landed.value.status == 200, f"{landed.value.status}: {landed.value.text()[:2000]}"
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case_id}$"))
    expect(page.locator("body#staff-case")).to_be_attached()
    expect(page.get_by_test_id("staff-name")).to_be_visible()
    expect(staff.case_status(page)).to_have_text("New")

    # Signed out, the console is closed again.
    staff.signs_out(page)
    staff.is_on_sign_in(page)
    page.goto("/staff")
    expect(page).to_have_url(re.compile(r"/staff/sign-in\?next=/staff$"))
    staff.is_on_sign_in(page, next_path="/staff")
    page.goto(f"/staff/cases/{case_id}")
    staff.is_on_sign_in(page, next_path=f"/staff/cases/{case_id}")


def test_internal_note_never_reaches_the_reporter(
    page: Page, open_context: OpenContext, server: LanternServer
) -> None:
    code, case_id = a_report_by_post(
        server,
        category="harassment",
        place="lincoln-hs",
        description="Someone keeps writing rude things on my locker.",
    )
    note = f"Internal: probably the same group as last month ({secrets.token_hex(4)})."
    message = "We have seen your report. Can you tell us when this started?"

    staff.signs_in(page, staff.LINCOLN_RESPONDER)
    staff.opens_case(page, case_id)
    staff.adds_note(page, note)
    expect(page.get_by_test_id("staff-message-note")).to_contain_text("the reporter cannot see this")
    staff.messages_reporter(page, message)
    expect(page.get_by_test_id("timeline")).to_contain_text("Internal note added")

    pupil = open_context().new_page()
    student.opens_home(pupil)
    reporter.checks(pupil, code)
    expect(pupil.get_by_test_id("message-staff")).to_have_count(1)
    expect(pupil.get_by_test_id("message-staff")).to_contain_text(message)
    expect(pupil.get_by_test_id("message-note")).to_have_count(0)
    expect(pupil.get_by_text("Internal")).to_have_count(0)
    assert note not in pupil.content()
    assert "same group" not in pupil.content()


def test_a_queue_left_open_after_the_session_ends_comes_back_as_the_queue(
    open_context: OpenContext, server: LanternServer
) -> None:
    context = open_context()
    queue = context.new_page()
    staff.signs_in(queue, staff.DISTRICT_ADMIN)
    staff.opens_queue(queue)
    # The session ends while the queue stays open (signed out in another tab, as a timeout would).
    elsewhere = context.new_page()
    elsewhere.goto("/staff")
    staff.signs_out(elsewhere)

    # The next live update finds no session: the queue tab goes to sign-in...
    assert post_report(server, secrets.token_urlsafe(24), category="gang").status_code == 200
    staff.is_on_sign_in(queue)
    # ...and after it, back to the queue, not to a bare piece of it.
    staff.types_credentials(queue, staff.DISTRICT_ADMIN)
    queue.wait_for_url(lambda url: "/sign-in" not in url)
    assert urlsplit(queue.url).path == "/staff", f"landed on {queue.url}"
    expect(queue.locator("body#staff-queue")).to_be_attached(timeout=2_000)


def test_new_reports_are_announced_to_screen_readers_urgent_ones_at_once(
    page: Page, server: LanternServer
) -> None:
    staff.signs_in(page, staff.DISTRICT_ADMIN)
    staff.opens_queue(page)
    # Both live regions are on the page from the start (a region added later is not read out).
    polite = page.locator("[data-announce-polite]")
    urgent = page.locator("[data-announce-urgent]")
    expect(polite).to_have_attribute("aria-live", "polite")
    expect(urgent).to_have_attribute("aria-live", "assertive")
    expect(urgent).to_have_attribute("role", "alert")
    expect(polite).to_have_text("")
    expect(urgent).to_have_text("")

    # A life-safety report: read out at once.
    sent = post_report(
        server, secrets.token_urlsafe(24), category="weapon", danger_now="yes", place="lincoln-hs"
    )
    assert sent.status_code == 200, sent.text[:2000]
    expect(urgent).to_contain_text("New life-safety report:", timeout=LIVE)
    expect(urgent).to_have_text("New life-safety report: Weapon · Lincoln Heights High School")
    expect(polite).to_have_text("")

    # An everyday one: read out when the reader is free.
    sent = post_report(
        server, secrets.token_urlsafe(24), category="food", danger_now="no", place="northgate-ms"
    )
    assert sent.status_code == 200, sent.text[:2000]
    expect(polite).to_contain_text("New report:", timeout=LIVE)
    expect(polite).to_have_text("New report: Food · Northgate Middle School")
    # Each arrival is said once: the urgent region still holds only the life-safety report.
    expect(urgent).to_have_text("New life-safety report: Weapon · Lincoln Heights High School")


def test_changing_a_filter_does_not_announce_cases_that_were_already_waiting(
    page: Page, server: LanternServer
) -> None:
    _code, case_id = a_report_by_post(server, category="threat", danger_now="yes", place="lincoln-hs")
    staff.signs_in(page, staff.DISTRICT_ADMIN)
    staff.opens_queue(page)
    row = staff.queue_row(page, case_id)
    expect(row).to_be_visible()

    # Narrow the queue to another school, then back to all: nothing arrived, nothing to announce.
    page.locator("#f-school").select_option("northgate-ms")
    expect(row).to_have_count(0)
    page.locator("#f-school").select_option("")
    expect(row).to_be_visible()
    # The announcement is made in the same swap that shows the row: read the regions right away.
    said = {
        "urgent": page.locator("[data-announce-urgent]").text_content(),
        "polite": page.locator("[data-announce-polite]").text_content(),
    }
    assert said == {"urgent": "", "polite": ""}, f"a filter change was announced as new reports: {said}"
