"""A neighbour reports a possible weapon at a school event, and is told to call 911 first, also after
sending."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.e2e.navigators import neighbour, report_form
from tests.e2e.navigators.report_form import Report


def test_neighbour_reports_a_weapon_at_a_school_event(page: Page) -> None:
    neighbour.opens_community_form(page)
    call_911 = report_form.form(page).get_by_test_id("call-911")

    page.locator("#category-weapon").check()
    expect(call_911).to_be_hidden()
    page.locator("#danger-no").check()
    expect(call_911).to_be_hidden()
    page.locator("#danger-yes").check()
    expect(call_911).to_be_visible()
    assert call_911.is_visible()
    expect(call_911.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")

    report_form.fill(
        page,
        Report(
            place="event",
            event_name="Friday night football game",
            description="A man in the parking lot showed a gun in his waistband to some students.",
            where_text="north parking lot",
            reporter_role="community",
        ),
    )
    report_form.send(page)

    report_form.receipt_code(page)
    receipt = page.get_by_test_id("receipt-page")
    do_now = receipt.get_by_test_id("do-now")
    expect(do_now).to_contain_text("Someone is in danger right now: call 911 first.")
    expect(do_now.get_by_test_id("do-now-call")).to_have_attribute("href", "tel:911")


def test_the_community_form_solves_its_proof_of_work_while_the_neighbour_types(page: Page) -> None:
    page.goto("/community")
    nonce = page.locator("input[name=pow_nonce]")
    started = time.monotonic()
    expect(nonce).not_to_have_value("", timeout=20_000)
    seconds = time.monotonic() - started
    assert nonce.input_value().isdigit()
    print(f"proof-of-work solved in {seconds:.2f} s in headless Chromium")  # reported in the issue note
