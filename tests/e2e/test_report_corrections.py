"""A report sent with a mistake comes back with everything kept, the picture included."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, Route, expect

from tests.e2e.navigators import report_form, reporter, student
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import png


def test_picture_is_kept_while_the_student_fixes_the_report(page: Page, tmp_path: Path) -> None:
    student.opens_report_form(page)
    report_form.fill(
        page,
        Report(
            category="harassment",
            danger_now="no",
            place="lincoln-hs",
            photos=[png(tmp_path / "message.png")],
            when_text="yesterday",
        ),
    )
    with page.expect_response(re.compile(r"/report$")) as sent:
        report_form.send(page)
    assert sent.value.status == 422

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.get_by_test_id("error-description")).to_be_visible()
    expect(page.get_by_test_id("held-photos")).to_have_text("1 picture is already attached.")
    expect(page.locator("#category-harassment")).to_be_checked()
    expect(page.locator("#when_text")).to_have_value("yesterday")

    page.locator("#description").fill("Someone keeps sending me pictures I did not ask for.")
    report_form.send(page)
    code = report_form.receipt_code(page)

    reporter.checks(page, code)
    expect(page.get_by_test_id("case")).to_contain_text("1 picture sent.")


def test_a_send_that_fails_says_so_and_keeps_the_report(page: Page) -> None:
    # A browser that cannot keep reports on the device (no IndexedDB, as in some private modes):
    # where the outbox works, test_offline_app shows the report kept and sent later instead.
    page.add_init_script("Object.defineProperty(window, 'indexedDB', { value: undefined })")
    student.opens_report_form(page)
    report_form.fill(
        page,
        Report(
            category="self_harm",
            danger_now="unsure",
            place="northgate-ms",
            description="My friend said she does not want to be here anymore.",
        ),
    )

    # The connection drops as the report is sent.
    def drop_posts(route: Route) -> None:
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(re.compile(r"/report$"), drop_posts)
    report_form.send(page)
    failed = page.get_by_test_id("send-error")
    expect(failed).to_be_visible()
    expect(failed).to_contain_text("NOT sent")
    expect(page.get_by_test_id("receipt-page")).to_have_count(0)
    expect(page.locator("#description")).to_have_value("My friend said she does not want to be here anymore.")
    expect(page.locator("#category-self_harm")).to_be_checked()

    # Back online, the same button sends it.
    page.unroute(re.compile(r"/report$"), drop_posts)
    report_form.send(page)
    code = report_form.receipt_code(page)
    reporter.checks(page, code)
    expect(page.get_by_test_id("case-status")).to_contain_text("Received")
