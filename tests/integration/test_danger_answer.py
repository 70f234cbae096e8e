"""The answer to "Is someone in danger right now?" is kept as given: "not sure" is its own answer, shown to
staff, printed, and a reason to alert at once."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.moments_support import clean, latest, position  # noqa: F401 (fixtures)
from tests.integration.staff_support import LINCOLN_RESPONDER, sign_in
from tests.integration.test_alerts import add_device
from tests.push_service import PushService
from web.alerts import worker
from web.cases.tables import Report

pytestmark = pytest.mark.anyio


async def test_not_sure_is_kept_as_its_own_answer_and_treated_as_life_safety(
    client: AsyncTestClient, push: PushService
) -> None:
    await add_device(client, push, LINCOLN_RESPONDER)
    page = (await client.post("/report", data=report_fields(category="bullying", danger_now="unsure"))).text
    report = await latest()
    assert report.danger_answer == "unsure" and report.danger_now is False and report.life_safety is True
    assert position(page, 'data-testid="do-now"') < position(page, 'data-testid="receipt-code"')
    await worker.tick()
    assert push.wait_for(1)[0].payload["title"] == "Life-safety report"
    await sign_in(client, LINCOLN_RESPONDER)
    queue = (await client.get("/staff")).text
    row = queue[position(queue, f'data-case="{report.public_id}"') :][:1500]
    assert 'data-testid="danger-unsure"' in row and "In danger now: not sure" in row
    case = (await client.get(f"/staff/cases/{report.public_id}")).text
    assert '<span data-testid="danger-answer"><strong>Not sure</strong></span>' in case
    assert "No or not sure" not in case
    summary = (await client.get(f"/staff/cases/{report.public_id}/summary")).text
    assert "Someone in danger now?" in summary and "<strong>Not sure</strong>" in summary


async def test_no_and_yes_are_kept_too(client: AsyncTestClient) -> None:
    await client.post("/report", data=report_fields(danger_now="no"))
    assert (await latest()).danger_answer == "no" and not (await latest()).life_safety
    await client.post("/report", data=report_fields(danger_now="yes"))
    assert (await latest()).danger_answer == "yes" and (await latest()).danger_now is True


async def test_the_not_sure_guidance_is_in_the_form(client: AsyncTestClient) -> None:
    form = (await client.get("/report")).text
    guidance = form[position(form, 'class="danger-unsure"') :]
    assert "It is OK to call 911" in guidance[:600] and 'href="tel:911"' in guidance[:900]


async def test_earlier_reports_keep_a_known_yes_and_say_no_or_not_sure_otherwise(
    client: AsyncTestClient,
) -> None:
    import importlib

    await client.post("/report", data=report_fields(danger_now="yes"))
    said_yes = await latest()
    await client.post("/report", data=report_fields(danger_now="unsure"))
    unsure = await latest()
    # As stored before the answer was kept: a "yes" known from danger_now, "no" and "not sure" alike.
    await Report.update({Report.danger_answer: None}, force=True)
    migration = importlib.import_module("web.cases.piccolo_migrations.cases_2026_12_06t21_09_56_000000")
    for step in (await migration.forwards()).raw:
        await step()
    assert (await latest()).danger_answer is None
    assert await Report.count().where((Report.id == said_yes.id) & (Report.danger_answer == "yes")) == 1
    await sign_in(client, LINCOLN_RESPONDER)
    yes_page = (await client.get(f"/staff/cases/{said_yes.public_id}")).text
    assert '<span data-testid="danger-answer">Yes</span>' in yes_page
    earlier = (await client.get(f"/staff/cases/{unsure.public_id}")).text
    assert '<span data-testid="danger-answer">No or not sure</span>' in earlier
