"""Every page works without JavaScript: a report with a mistake, fixed, then sent."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import report_form
from tests.e2e.navigators.report_form import Report


def test_report_without_javascript_keeps_what_was_typed(open_context: OpenContext) -> None:
    page = open_context(java_script_enabled=False).new_page()
    page.goto("/report")
    expect(page.locator("body#report")).to_be_attached()

    report_form.fill(
        page,
        Report(
            category="food",
            danger_now="unsure",
            place="lincoln-hs",
            when_text="since last month",
            where_text="at home",
            reporter_role="student",
        ),
    )
    with page.expect_response(re.compile(r"/report$")) as sent:
        report_form.send(page)
    assert sent.value.status == 422

    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.get_by_test_id("error-description")).to_be_visible()
    for other in ("category", "danger_now", "place", "event_name"):
        expect(page.get_by_test_id(f"error-{other}")).to_have_count(0)
    # Everything typed or chosen is still there.
    expect(page.locator("#category-food")).to_be_checked()
    expect(page.locator("#danger-unsure")).to_be_checked()
    expect(page.locator("#place")).to_have_value("lincoln-hs")
    expect(page.locator("#when_text")).to_have_value("since last month")
    expect(page.locator("#where_text")).to_have_value("at home")
    expect(page.locator("#reporter_role")).to_have_value("student")
    expect(page.locator("#description")).to_have_attribute("aria-invalid", "true")

    page.locator("#description").fill("We have not had enough food at home for a few weeks.")
    report_form.send(page)

    report_form.receipt_code(page)
    expect(page.locator("body#receipt")).to_be_attached()
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
