"""The reporter's status on /check says truthfully where the case stands, from "a person has read it" on."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.moments_support import clean, latest, position  # noqa: F401 (fixtures)
from tests.integration.staff_support import LINCOLN_RESPONDER, sign_in
from web.cases.tables import Report

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("new", "Received. Your school has your report"),
        ("acknowledged", "Read. A person at school has read your report."),
        ("in_progress", "Being looked at."),
        ("waiting", "Waiting for you."),
        ("resolved", "Done for now."),
        ("closed", "Closed."),
    ],
)
async def test_the_reporter_sees_each_state_in_true_words(
    client: AsyncTestClient, status: str, words: str
) -> None:
    import re

    page = (await client.post("/report", data=report_fields())).text
    code = re.search(r'data-code="(\d{16})"', page)
    assert code
    await Report.update({Report.status: status}, force=True)
    shown = (await client.post("/check", data={"code": code.group(1)})).text
    status_box = shown[position(shown, 'data-testid="case-status"') :][:400]
    assert words in status_box


async def test_acknowledging_shows_the_reporter_a_person_has_read_it(client: AsyncTestClient) -> None:
    import re

    page = (await client.post("/report", data=report_fields())).text
    code = re.search(r'data-code="(\d{16})"', page)
    assert code
    report = await latest()
    token = await sign_in(client, LINCOLN_RESPONDER)
    acted = await client.post(
        f"/staff/cases/{report.public_id}/act", data={"action": "acknowledge", "_csrf_token": token}
    )
    assert acted.status_code in (200, 303)
    client.cookies.clear()
    shown = (await client.post("/check", data={"code": code.group(1)})).text
    assert "A person at school has read your report." in shown and "will read it soon" not in shown
