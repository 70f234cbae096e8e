"""Path 3, "Get help from my school": an anonymous report, its code, and the conversation after."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import traffic
from tests.e2e.navigators import reporter, staff, student
from tests.e2e.navigators.report_form import Report, with_dashes
from tests.e2e.support import LanternServer, png

STAFF_REPLY = "Thank you for telling us. Are you safe right now?"


def test_student_reports_bullying_and_talks_with_the_school(
    page: Page, server: LanternServer, tmp_path: Path
) -> None:
    student.opens_report_form(page)
    code = student.submits_report(
        page,
        Report(
            category="bullying",
            danger_now="no",
            place="northgate-ms",
            description="Some kids in my class keep posting mean things about me in a group chat.",
            when_text="every day this week",
            where_text="online",
            photos=[png(tmp_path / "screenshot.png")],
        ),
    )

    # "Done" does not leave the code behind until the student says they saved it.
    page.get_by_test_id("saved-done").click()
    page.wait_for_timeout(500)  # long enough for a boosted navigation to have started
    expect(page.get_by_test_id("receipt-code")).to_be_visible()
    assert page.locator("#saved").evaluate("box => box.validity.valueMissing")
    assert not [u for u in traffic(page).urls if "saved=1" in u], "Done left before the box was checked"
    reporter.confirms_saved_code(page)

    # Later: the code, typed with dashes, opens the case.
    reporter.checks(page, with_dashes(code))
    expect(page.get_by_test_id("case-status")).to_contain_text("Received")
    expect(page.get_by_test_id("message-system")).to_contain_text("Your report was received")
    expect(page.get_by_test_id("message-staff")).to_have_count(0)
    expect(page.get_by_test_id("case")).to_contain_text("1 picture sent.")

    staff.replies(server, code, STAFF_REPLY, "Ms. Rivera")

    reporter.checks(page, with_dashes(code))
    expect(page.get_by_test_id("message-staff")).to_have_count(1)
    expect(page.get_by_test_id("message-staff")).to_contain_text(STAFF_REPLY)
    expect(page.get_by_test_id("message-staff")).to_contain_text("Your school")

    reporter.writes_back(page, "Yes, I am safe. It happens mostly at night.")
    expect(page.get_by_test_id("message-reporter")).to_have_count(1)
    expect(page.get_by_test_id("message-reporter")).to_contain_text(
        "Yes, I am safe. It happens mostly at night."
    )
    # Oldest first: automatic message, the school, then the student's answer.
    authors = (
        page.get_by_test_id("conversation")
        .get_by_role("listitem")
        .evaluate_all("items => items.map(item => item.dataset.testid)")
    )
    assert authors == ["message-system", "message-staff", "message-reporter"]
    # The code never travels in a URL.
    assert not [u for u in traffic(page).urls if code in u or with_dashes(code) in u]
