"""A student: finds help for themselves, or tells their school."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.navigators import report_form
from tests.e2e.navigators.report_form import Report


def opens_home(page: Page) -> None:
    page.goto("/")
    expect(page.locator("body#home")).to_be_attached()
    expect(page.get_by_test_id("paths")).to_be_visible()


def finds_resource(page: Page, need: str, name_contains: str) -> Locator:
    """Home → "Help myself" → the need's tile → the first card named like `name_contains` → its page.

    Returns the resource's details on its own page.
    """
    page.get_by_test_id("path-resources").click()
    expect(page).to_have_url(re.compile(r"/resources$"))
    tiles = page.get_by_role("navigation", name="Browse by need")
    tiles.locator(f'a[href="/resources?need={need}"]').click()
    expect(page).to_have_url(re.compile(rf"/resources\?need={need}$"))
    expect(page.locator("#need")).to_have_value(need)
    results = page.locator("#resource-results")
    card = results.get_by_test_id("resource-card").filter(has_text=name_contains).first
    expect(card).to_be_visible()
    name = card.get_by_role("heading").get_by_role("link")
    name_text = name.inner_text().strip()
    name.click()
    expect(page).to_have_url(re.compile(r"/resources/[0-9a-f-]{36}$"))
    details = page.get_by_test_id("resource-details")
    expect(details.get_by_role("heading", level=1)).to_have_text(name_text)
    return details


def opens_report_form(page: Page) -> None:
    """Home → "Get help from my school"."""
    opens_home(page)
    page.get_by_test_id("path-report").click()
    expect(page).to_have_url(re.compile(r"/report$"))
    expect(report_form.form(page)).to_be_visible()


def submits_report(page: Page, report: Report) -> str:
    """Fills the whole form on a wide screen, sends it, and returns the receipt code."""
    report_form.fill(page, report)
    report_form.send(page)
    return report_form.receipt_code(page)
