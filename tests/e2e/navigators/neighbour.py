"""A parent, family member or neighbour telling a school about a concern."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.navigators import report_form


def opens_community_form(page: Page) -> None:
    """Home → "Parent, family member or neighbour? Tell the school here."."""
    page.goto("/")
    page.get_by_test_id("community-link").click()
    expect(page).to_have_url(re.compile(r"/community$"))
    expect(report_form.form(page)).to_be_visible()
    expect(page.get_by_test_id("send-report")).to_have_text("Send to the school")
