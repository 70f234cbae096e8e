"""What the tests of hard moments share: a pinned clock for the receipt, a clean district, and
reading where things stand on a page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.test_alerts import forget_alerts
from web.cases import sealing
from web.cases.tables import Report, ReportSchool
from web.district.tables import District, School

# Saturday 5 December 2026, 02:00 in Kansas City (the demo schools open Monday to Friday, 07:30-16:00).
SATURDAY_2AM = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
# Tuesday 8 December 2026, 10:00 in Kansas City: the schools are open.
TUESDAY_10AM = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
# Friday 4 December 2026, 18:00 in Kansas City: the school closed two hours ago.
FRIDAY_6PM = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
CRISIS = "I can't stop thinking about killing myself. I have pills."
POLICE = "816-555-0142"


def pin_clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    """The receipt reads the time in web/help; the rest of the app keeps the real clock."""

    class Pinned(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return when

    monkeypatch.setattr("web.help.report.datetime", Pinned)


@pytest.fixture(autouse=True)
async def clean(client: AsyncTestClient) -> AsyncIterator[None]:
    await forget_alerts()
    yield
    await forget_alerts()
    await ReportSchool.delete(force=True)
    await District.update(
        {District.police_non_emergency_number: "", District.life_safety_protocol: ""}, force=True
    )
    await School.update({School.resource_officer_name: "", School.resource_officer_phone: ""}, force=True)


async def latest() -> Report:
    report = sealing.open_report(await Report.objects().order_by(Report.id, ascending=False).first())
    assert report is not None
    return report


def position(html: str, marker: str) -> int:
    at = html.find(marker)
    assert at >= 0, f"{marker} is not on the page"
    return at


async def event_report(client: AsyncTestClient, hosts: list[str], **fields: str) -> tuple[Report, str]:
    data: dict[str, object] = {
        **report_fields(**{
            "category": "weapon", "danger_now": "no", "place": "event", "reporter_role": "community",
            "event_name": "Football game, Northgate vs Lincoln",
            "description": "Gang members said they will bring a gun to the game.", **fields,
        }),
        "event_schools": hosts,
    }  # fmt: skip
    response = await client.post("/community", data=data)
    assert response.status_code == 200, response.text
    return await latest(), response.text
