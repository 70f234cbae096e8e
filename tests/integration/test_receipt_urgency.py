"""What a receipt shows first, by risk and hour, and the promise about who hears of it, taken from what the
call tree really does (clock pinned for the receipt)."""

from __future__ import annotations

from datetime import datetime

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.moments_support import (  # noqa: F401 (fixtures)
    CRISIS,
    FRIDAY_6PM,
    POLICE,
    SATURDAY_2AM,
    TUESDAY_10AM,
    clean,
    event_report,
    pin_clock,
    position,
)
from tests.integration.staff_support import LINCOLN_RESPONDER
from tests.integration.test_alerts import add_device
from tests.push_service import PushService
from web.alerts import worker
from web.district.tables import District

pytestmark = pytest.mark.anyio


async def test_at_2am_on_saturday_a_self_harm_receipt_opens_with_what_to_do_now(
    client: AsyncTestClient, push: PushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_device(client, push, LINCOLN_RESPONDER)
    pin_clock(monkeypatch, SATURDAY_2AM)
    fields = report_fields(category="self_harm", danger_now="unsure", description=CRISIS)
    page = (await client.post("/report", data=fields)).text
    # What to do now comes before the code: 911, then a counselor by text, call or chat.
    do_now = position(page, 'data-testid="do-now"')
    assert (
        do_now
        < position(page, 'data-testid="text-crisis-line"')
        < position(page, 'data-testid="receipt-code"')
    )
    assert do_now < position(page, 'data-testid="do-now-call"') < position(page, 'data-testid="receipt-code"')
    # The promise is what the call tree does: alerts now at any hour, the next person after 5 minutes;
    # never "read after Monday" for a report that alerts someone tonight.
    assert "Alerts go out at any hour" in page and "within 5 minutes" in page
    assert "closed now" not in page and "marked urgent" not in page
    await worker.tick()
    assert push.wait_for(1)[0].payload["title"] == "Life-safety report"


async def test_when_nobody_can_be_alerted_the_receipt_says_when_the_school_opens(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_clock(monkeypatch, SATURDAY_2AM)
    page = (await client.post("/report", data=report_fields(category="self_harm", description=CRISIS))).text
    assert position(page, 'data-testid="do-now"') < position(page, 'data-testid="receipt-code"')
    assert "Alerts go out at any hour" not in page
    assert "closed now. Staff will likely read your report after Monday" in page


@pytest.mark.parametrize(
    ("when", "category", "code_first", "words"),
    [(TUESDAY_10AM, "bullying", True, "is open now"), (FRIDAY_6PM, "food", False, "is closed now")],
)
async def test_a_calm_report_in_school_hours_shows_the_code_first_and_after_hours_what_to_do_now(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch, when: datetime, category: str,
    code_first: bool, words: str,
) -> None:  # fmt: skip
    pin_clock(monkeypatch, when)
    page = (await client.post("/report", data=report_fields(category=category, danger_now="no"))).text
    assert (
        position(page, 'data-testid="receipt-code"') < position(page, 'data-testid="do-now"')
    ) is code_first
    assert words in page and ("Do this now" in page) is not code_first


async def test_a_neighbour_after_hours_gets_the_police_lines_and_no_crisis_text_line(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await District.update({District.police_non_emergency_number: POLICE}, force=True)
    pin_clock(monkeypatch, FRIDAY_6PM)
    _report, receipt = await event_report(
        client, ["northgate-ms"], category="gang", event_name="Friday night game", event_date="2026-12-04"
    )
    assert position(receipt, 'data-testid="do-now"') < position(receipt, 'data-testid="receipt-code"')
    assert "If it is happening now, call 911." in receipt
    assert f'href="tel:{POLICE}"' in receipt and 'data-testid="police-non-emergency"' in receipt
    # A Friday night game is before Monday morning: they are told not to count on the school in time.
    assert 'data-testid="event-before-reading"' in receipt and POLICE in receipt
    assert "next school day" not in receipt
    assert 'data-testid="text-crisis-line"' not in receipt
