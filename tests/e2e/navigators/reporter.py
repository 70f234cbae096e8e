"""Anyone who sent a report and comes back with their code."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def confirms_saved_code(page: Page) -> None:
    page.locator("#saved").check()
    page.get_by_test_id("saved-done").click()
    expect(page).to_have_url(re.compile(r"/(\?saved=1)?$"))
    expect(page.get_by_test_id("paths")).to_be_visible()


def checks(page: Page, typed_code: str) -> None:
    """Opens "I have a code", types the code and presses Open: the case page."""
    page.get_by_role("navigation", name="Ways to get help").get_by_role("link", name="I have a code").click()
    expect(page).to_have_url(re.compile(r"/check$"))
    page.locator("#code").fill(typed_code)
    page.get_by_test_id("open-case").click()
    expect(page.get_by_test_id("case-status")).to_be_visible()


def writes_back(page: Page, text: str) -> None:
    page.locator("#body").fill(text)
    page.get_by_test_id("send-reply").click()
    expect(page.get_by_test_id("reply-sent")).to_be_visible()
    # Still the conversation's address: reloading it must not ask for /check/reply.
    expect(page).not_to_have_url(re.compile(r"/check/reply"))
