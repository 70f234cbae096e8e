"""Staff cannot slip: linking a case as a duplicate is a choice of their own, confirmed, and a
life-safety report nobody has acknowledged never leaves the queue that way."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import staff
from tests.e2e.support import CHROMEBOOK, LanternServer, post_report, receipt_code_in, snapshot

THREAT = "He said he will shoot up the school on Monday."


def test_an_unread_threat_is_not_linked_away_and_a_link_needs_a_confirmation(
    open_context: OpenContext, server: LanternServer
) -> None:
    earlier = post_report(server, secrets.token_urlsafe(16), category="weapon", danger_now="no")
    threat = post_report(server, secrets.token_urlsafe(16), category="weapon", danger_now="yes",
                         description=f"{THREAT} {secrets.token_hex(3)}")  # fmt: skip
    earlier_id = staff.case_id_for(server, receipt_code_in(earlier.text))
    threat_id = staff.case_id_for(server, receipt_code_in(threat.text))

    page = open_context(viewport=CHROMEBOOK).new_page()
    staff.signs_in(page, staff.DISTRICT_ADMIN)
    staff.opens_case(page, threat_id)
    menu = page.locator("#first-case")
    expect(menu).to_have_value("")  # nothing is chosen for them

    page.get_by_test_id("link-duplicate").click()  # with no choice the browser asks for one
    expect(staff.case_status(page)).to_have_text("New")

    menu.select_option(earlier_id)
    page.get_by_test_id("link-duplicate").click()
    expect(page.get_by_test_id("case-error")).to_contain_text(
        "Nobody has acknowledged this life-safety report yet"
    )
    snapshot(page, "guard-refused")
    expect(staff.case_status(page)).to_have_text("New")
    expect(page.get_by_test_id("confirm-link")).to_have_count(0)
    staff.opens_queue(page)
    expect(staff.queue_row(page, threat_id)).to_contain_text("Life safety")

    staff.opens_case(page, threat_id)
    staff.acknowledges(page)
    page.locator("#first-case").select_option(earlier_id)
    page.get_by_test_id("link-duplicate").click()
    confirm = page.get_by_test_id("confirm-link")
    expect(confirm).to_contain_text(earlier_id[:8])
    snapshot(page, "guard-confirm")
    expect(staff.case_status(page)).to_have_text("Acknowledged")  # not yet
    confirm.get_by_test_id("confirm-link-duplicate").click()
    expect(staff.case_status(page)).to_contain_text("Resolved")
    expect(page.get_by_test_id("linked-reports")).to_contain_text(earlier_id[:8])
