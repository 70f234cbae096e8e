"""axe-core finds no WCAG 2.x A/AA violations on any page a student, a neighbour or school staff see."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import accessibility, report_form, reporter, staff, student
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import PHONE, LanternServer, post_report, receipt_code_in


@pytest.fixture
def audited_page(open_context: OpenContext) -> Page:
    # axe is injected as an inline script, which the app's CSP rightly forbids.
    return open_context(bypass_csp=True).new_page()


def assert_accessible(page: Page, what: str) -> None:
    violations = accessibility.audit(page)
    assert not violations, f"axe found {len(violations)} violation(s) on {what}:\n" + accessibility.describe(
        violations
    )


@pytest.mark.parametrize(
    "path", ["/", "/resources", "/counselor", "/report", "/community", "/check", "/install", "/offline"]
)
def test_page_is_accessible(audited_page: Page, path: str) -> None:
    audited_page.goto(path)
    expect(audited_page.get_by_role("main")).to_be_visible()
    assert_accessible(audited_page, path)


def test_resource_page_is_accessible(audited_page: Page) -> None:
    audited_page.goto("/resources?need=food")
    audited_page.get_by_test_id("resource-card").first.get_by_role("heading").get_by_role("link").click()
    expect(audited_page.get_by_test_id("resource-details")).to_be_visible()
    audited_page.reload()  # audit the page as served, not as swapped in by htmx
    assert_accessible(audited_page, audited_page.url)


def test_receipt_and_case_pages_are_accessible(audited_page: Page) -> None:
    audited_page.goto("/report")
    code = student.submits_report(
        audited_page,
        Report(
            category="fight",
            danger_now="no",
            place="lincoln-hs",
            description="A fight is planned after school.",
        ),
    )
    assert_accessible(audited_page, "the receipt page")

    reporter.checks(audited_page, code)
    assert_accessible(audited_page, "the case page")
    reporter.writes_back(audited_page, "It is planned for Friday.")
    assert_accessible(audited_page, "the case page after a reply")


def test_error_states_are_accessible(audited_page: Page) -> None:
    page = audited_page
    page.goto("/report")
    page.locator("#danger-yes").check()  # the call-911 box is shown too
    report_form.send(page)
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    assert_accessible(page, "/report with errors")

    page.goto("/check")
    page.locator("#code").fill("1234")
    # A plain form post (what a browser without JS does): form.submit() skips htmx's handlers.
    with page.expect_navigation():
        page.locator("#check-form").evaluate("form => form.submit()")
    expect(page.get_by_test_id("code-error")).to_be_visible()
    assert_accessible(page, "/check with a wrong code")


def test_phone_step_form_is_accessible(open_context: OpenContext) -> None:
    page = open_context(bypass_csp=True, viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/report")
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_visible()
    assert_accessible(page, "/report on a phone, first question")
    page.locator("#category-threat").check()
    page.get_by_role("button", name="Next", exact=True).click()
    page.locator("#danger-yes").check()
    expect(page.get_by_test_id("call-911")).to_be_visible()
    assert_accessible(page, "/report on a phone, danger question")


def test_staff_sign_in_is_accessible(audited_page: Page) -> None:
    page = audited_page
    page.goto("/staff/sign-in")
    expect(page.get_by_test_id("sign-in-form")).to_be_visible()
    assert_accessible(page, "/staff/sign-in")
    staff.types_credentials(page, staff.DISTRICT_ADMIN, "not-the-password")
    expect(page.get_by_test_id("sign-in-error")).to_be_visible()
    assert_accessible(page, "/staff/sign-in with a wrong password")


def test_staff_queue_and_case_pages_are_accessible(audited_page: Page, server: LanternServer) -> None:
    page = audited_page
    response = post_report(
        server,
        secrets.token_urlsafe(24),
        category="threat",
        danger_now="yes",
        place="lincoln-hs",
        description="Someone posted that they will bring something to school tomorrow.",
    )
    assert response.status_code == 200, response.text[:2000]
    case_id = staff.case_id_for(server, receipt_code_in(response.text))

    staff.signs_in(page, staff.DISTRICT_ADMIN)
    staff.opens_queue(page)
    expect(staff.queue_row(page, case_id)).to_be_visible()
    expect(page.get_by_test_id("urgent-banner")).to_be_visible()  # audited with the banner showing
    assert_accessible(page, "/staff (the queue)")

    staff.opens_case_from_queue(page, case_id)
    assert_accessible(page, "the staff case page")
    staff.acknowledges(page)
    staff.adds_note(page, "Checked with the front office.")
    staff.messages_reporter(page, "Thank you. We are looking into this now.")
    assert_accessible(page, "the staff case page after acknowledging, a note and a message")


# --- The same pages in Arabic: right-to-left, another script, translated strings -------------------

ARABIC_PAGES = [
    "/ar/",
    "/ar/resources",
    "/ar/counselor",
    "/ar/report",
    "/ar/community",
    "/ar/check",
    "/ar/install",
]


def is_arabic(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


@pytest.mark.parametrize("path", ARABIC_PAGES)
def test_arabic_page_is_accessible(audited_page: Page, path: str) -> None:
    audited_page.goto(path)
    expect(audited_page.get_by_role("main")).to_be_visible()
    is_arabic(audited_page)
    assert_accessible(audited_page, path)


def test_arabic_resource_page_is_accessible(audited_page: Page) -> None:
    page = audited_page
    page.goto("/ar/resources?need=food")
    link = page.get_by_test_id("resource-card").first.get_by_role("heading").get_by_role("link")
    href = link.get_attribute("href") or ""
    assert href.startswith("/ar/resources/"), f"a resource link lost the language: {href!r}"
    page.goto(href)
    expect(page.get_by_test_id("resource-details")).to_be_visible()
    is_arabic(page)
    assert_accessible(page, href)


def test_arabic_receipt_and_case_pages_are_accessible(audited_page: Page) -> None:
    page = audited_page
    page.goto("/ar/report")
    is_arabic(page)
    report_form.fill(
        page,
        Report(category="food", danger_now="no", place="lincoln-hs", description="ليس لدي طعام في المنزل."),
    )
    report_form.send(page)
    code = report_form.receipt_code(page)
    is_arabic(page)
    assert_accessible(page, "the Arabic receipt page")

    page.goto("/ar/check")
    page.locator("#code").fill(code)
    page.get_by_test_id("open-case").click()
    expect(page.get_by_test_id("case-status")).to_be_visible()
    is_arabic(page)
    assert_accessible(page, "the Arabic case page")


def test_staff_account_kiosk_and_call_tree_pages_are_accessible(audited_page: Page) -> None:
    page = audited_page
    staff.signs_in(page, staff.DISTRICT_ADMIN)
    for path in (
        "/staff/account", "/staff/admin/kiosks", "/staff/admin/call-tree", "/staff/admin/district", "/staff/admin/schools",
    ):  # fmt: skip
        page.goto(path)
        assert_accessible(page, path)
