"""A report the server said it received survives the server being killed the next instant."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import reporter, staff
from tests.e2e.support import LanternServer, post_report, receipt_code_in


@pytest.fixture
def own_server() -> Iterator[LanternServer]:
    """A server of this story's own (its own data directory), so killing it disturbs no one."""
    lantern = LanternServer.fresh().start()
    yield lantern
    lantern.stop()
    lantern.remove_data()


def test_acknowledged_report_survives_sigkill_and_is_kept_once(
    own_server: LanternServer, open_context: OpenContext
) -> None:
    key = secrets.token_urlsafe(24)
    response = post_report(own_server, key)
    assert response.status_code == 200, response.text[:2000]
    code = receipt_code_in(response.text)

    old_pid = own_server.pid
    own_server.kill()  # SIGKILL the very process that answered: no shutdown, no flush
    own_server.start()  # same data directory
    assert own_server.pid != old_pid

    page = open_context(base_url=own_server.url).new_page()
    page.goto("/")
    reporter.checks(page, code)
    expect(page.get_by_test_id("case-status")).to_contain_text("Received")
    expect(page.get_by_test_id("message-system")).to_have_count(1)
    assert staff.count_reports(own_server) == 1

    # The same form again (a retry after a lost answer): still one report. Whoever holds the key
    # may never have seen the first code, so this answer carries a fresh one and the old one stops.
    repeat = post_report(own_server, key)
    assert repeat.status_code == 200, repeat.text[:2000]
    assert "We got this report more than once and kept one copy." in repeat.text
    new_code = receipt_code_in(repeat.text)
    assert new_code != code
    assert staff.count_reports(own_server) == 1

    reporter.checks(page, new_code)
    expect(page.get_by_test_id("message-system")).to_have_count(1)
    page.get_by_role("link", name="Close this report").click()
    page.locator("#code").fill(code)
    page.get_by_test_id("open-case").click()
    expect(page.get_by_test_id("code-error")).to_be_visible()
