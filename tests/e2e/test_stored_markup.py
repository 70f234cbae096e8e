"""Markup a reporter types is shown to staff as text in Chromium: no script runs, no element appears."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import staff
from tests.e2e.support import LanternServer, post_report, receipt_code_in

PAYLOADS = [
    "<script>window.__pwned = 1; alert('x')</script>",
    '<img src=x onerror="window.__pwned = 2; alert(1)">',
    '"><svg onload="window.__pwned = 3">',
    "{{ 7*7 }} {% raw %} javascript:alert(1)",
]


def test_stored_markup_stays_text_in_the_staff_case_page(
    open_context: OpenContext, server: LanternServer
) -> None:
    description = " ".join(PAYLOADS)
    response = post_report(server, secrets.token_urlsafe(24), description=description, when_text=PAYLOADS[1])
    assert response.status_code == 200
    case_id = staff.case_id_for(server, receipt_code_in(response.text))

    page = open_context().new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    staff.signs_in(page, staff.DISTRICT_ADMIN)
    staff.opens_case(page, case_id)
    case = page.get_by_test_id("staff-case")
    expect(case).to_contain_text("<script>window.__pwned = 1; alert('x')</script>")
    expect(case).to_contain_text('<img src=x onerror="window.__pwned = 2; alert(1)">')
    assert page.evaluate("window.__pwned === undefined")
    assert dialogs == []
    assert page.locator("#case-live img[src='x'], #case-live svg[onload]").count() == 0
