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

    # The same form again, once the reporter has opened the report with the code: still one report,
    # and no new code (whoever sends it now may not be the reporter); the code keeps working.
    repeat = post_report(own_server, key)
    assert repeat.status_code == 200, repeat.text[:2000]
    assert "This report was already received." in repeat.text
    assert 'data-code="' not in repeat.text
    assert staff.count_reports(own_server) == 1

    page.get_by_role("link", name="Close this report").click()
    reporter.checks(page, code)
    expect(page.get_by_test_id("message-system")).to_have_count(1)
