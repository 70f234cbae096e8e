"""A report about a school event reaches every school hosting it, and the district."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.moments_support import clean, event_report  # noqa: F401 (fixtures)
from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, NORTHGATE_ADMIN, sign_in
from web.cases.tables import Report

pytestmark = pytest.mark.anyio


async def test_an_event_report_reaches_every_host_school_and_the_district(client: AsyncTestClient) -> None:
    report, _receipt = await event_report(client, ["northgate-ms", "lincoln-hs"], event_date="2026-12-11")
    assert report.place == "event" and report.event_date == "2026-12-11"
    for email in (NORTHGATE_ADMIN, LINCOLN_RESPONDER, DISTRICT):
        client.cookies.clear()
        await sign_in(client, email)
        queue = (await client.get("/staff")).text
        assert str(report.public_id) in queue, email
        case = await client.get(f"/staff/cases/{report.public_id}")
        assert case.status_code == 200, email
        assert "Hosted by Northgate Middle School, Lincoln Heights High School" in case.text
        assert "2026-12-11" in case.text
    # The district's queue filtered to either host school has it, and to a school not at the event does not.
    for slug, listed in (("northgate-ms", True), ("lincoln-hs", True), ("riverside-es", False)):
        assert (str(report.public_id) in (await client.get(f"/staff?school={slug}")).text) is listed, slug


async def test_a_school_that_does_not_host_the_event_does_not_see_it(client: AsyncTestClient) -> None:
    report, _receipt = await event_report(client, ["northgate-ms"])
    await sign_in(client, LINCOLN_RESPONDER)
    assert str(report.public_id) not in (await client.get("/staff")).text
    assert (await client.get(f"/staff/cases/{report.public_id}")).status_code == 404


async def test_event_hosts_and_day_are_checked_and_kept(client: AsyncTestClient) -> None:
    data: dict[str, object] = {
        **report_fields(place="event", event_name="Spring dance", event_date="next friday"),
        "event_schools": ["northgate-ms", "atlantis-hs"],
    }
    answer = await client.post("/community", data=data)
    assert answer.status_code == 422
    assert (
        'data-testid="error-event_schools"' in answer.text and 'data-testid="error-event_date"' in answer.text
    )
    assert 'value="northgate-ms" checked' in answer.text and 'value="next friday"' in answer.text
    assert await Report.count() == 0
